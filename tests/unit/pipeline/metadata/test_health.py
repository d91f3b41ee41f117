"""A damaged ML Metadata store is named in one line with the newest sound copy (pipeline/metadata/health.py)."""

import sqlite3
from pathlib import Path

import pytest

from pipeline.metadata import backups, health
from tests.support.metadata_store import empty_store


def test_a_sound_store_and_no_store_pass(tmp_path: Path):
    assert health.problem(empty_store(tmp_path / "metadata.sqlite")) is None
    assert health.problem(tmp_path / "absent.sqlite") is None
    health.check(tmp_path / "metadata.sqlite")


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda p: p.write_bytes(b""), "is empty (0 bytes), so the history of every run is gone from it"),
        (lambda p: p.write_bytes(bytes(range(256)) * 20), "is not an SQLite database"),
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "is damaged (SQLite: "),
    ],
)
def test_damage_is_named(tmp_path: Path, damage, problem: str):
    path = empty_store(tmp_path / "metadata.sqlite")
    damage(path)
    assert health.problem(path).startswith(problem)


def test_an_sqlite_file_of_something_else_is_not_a_store(tmp_path: Path):
    path = tmp_path / "metadata.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE notes (x)").connection.commit()
    assert health.problem(path) == "is an SQLite database but not an ML Metadata store"


def test_the_error_names_the_newest_sound_copy(tmp_path: Path):
    path = empty_store(tmp_path / "metadata.sqlite")
    copies = [backups.backup(path) for _ in range(5)]
    kept = health.backups(path)
    assert len(kept) == backups.KEEP and kept[0] == copies[-1], "the newest KEEP copies, newest first"
    kept[0].write_bytes(b"")  # the newest copy is damaged too: the next one is named
    path.write_bytes(b"")
    with pytest.raises(health.StoreDamagedError) as raised:
        health.check(path)
    assert str(raised.value) == (
        f"{path} is empty (0 bytes), so the history of every run is gone from it; "
        f"restore the newest sound copy ({kept[1]}) with `make restore-metadata`"
    )


def test_without_a_sound_copy_the_error_says_so(tmp_path: Path):
    path = tmp_path / "metadata.sqlite"
    path.write_bytes(b"junk")
    with pytest.raises(health.StoreDamagedError, match=r"no sound copy in .*metadata-backups; move the file"):
        health.check(path)
