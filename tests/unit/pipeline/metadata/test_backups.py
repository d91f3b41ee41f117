"""Copies of the ML Metadata store are kept, and the newest sound one restored (pipeline/metadata/backups.py)."""

from pathlib import Path

import pytest

from pipeline.metadata import backups, health
from tests.support.metadata_store import empty_store


def test_restore_puts_back_the_newest_sound_copy_and_keeps_the_damaged_file(tmp_path: Path):
    path = empty_store(tmp_path / "metadata.sqlite")
    for _ in range(5):
        backups.backup(path)
    kept = health.backups(path)
    kept[0].write_bytes(b"")  # the newest copy is damaged too: the next one is restored
    path.write_bytes(b"")
    assert backups.restore(path) == kept[1]
    assert health.problem(path) is None
    assert [p.name.startswith("metadata.sqlite.replaced-") for p in tmp_path.iterdir() if p.is_file()].count(True) == 1


def test_without_a_sound_copy_nothing_is_restored(tmp_path: Path):
    path = tmp_path / "metadata.sqlite"
    path.write_bytes(b"junk")
    with pytest.raises(health.StoreDamagedError):
        backups.restore(path)


def test_an_empty_or_missing_store_is_not_copied(tmp_path: Path):
    assert backups.backup(tmp_path / "metadata.sqlite") is None
    (tmp_path / "metadata.sqlite").write_bytes(b"")
    assert backups.backup(tmp_path / "metadata.sqlite") is None
