"""A damaged ML Metadata store is named in one line with the newest sound copy; copies are kept and restored."""

import sqlite3
from pathlib import Path

import pytest
from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

from pipeline import metadata_backups
from pipeline.inspection import store_health


def _store(path: Path) -> Path:
    """A real (empty) ML Metadata store, as TFX's first run creates it."""
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(path)
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    writer = metadata_store.MetadataStore(config)
    writer.put_artifact_type(metadata_store_pb2.ArtifactType(name="Examples"))
    return path


def test_a_sound_store_and_no_store_pass(tmp_path: Path):
    assert store_health.problem(_store(tmp_path / "metadata.sqlite")) is None
    assert store_health.problem(tmp_path / "absent.sqlite") is None
    store_health.check(tmp_path / "metadata.sqlite")


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda p: p.write_bytes(b""), "is empty (0 bytes), so the history of every run is gone from it"),
        (lambda p: p.write_bytes(bytes(range(256)) * 20), "is not an SQLite database"),
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "is damaged (SQLite: "),
    ],
)
def test_damage_is_named(tmp_path: Path, damage, problem: str):
    path = _store(tmp_path / "metadata.sqlite")
    damage(path)
    assert store_health.problem(path).startswith(problem)


def test_an_sqlite_file_of_something_else_is_not_a_store(tmp_path: Path):
    path = tmp_path / "metadata.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE notes (x)").connection.commit()
    assert store_health.problem(path) == "is an SQLite database but not an ML Metadata store"


def test_the_error_names_the_newest_sound_copy_and_restore_puts_it_back(tmp_path: Path):
    path = _store(tmp_path / "metadata.sqlite")
    copies = [metadata_backups.backup(path) for _ in range(5)]
    kept = store_health.backups(path)
    assert len(kept) == metadata_backups.KEEP and kept[0] == copies[-1], "the newest KEEP copies, newest first"
    kept[0].write_bytes(b"")  # the newest copy is damaged too: the next one is named
    path.write_bytes(b"")
    with pytest.raises(store_health.StoreDamagedError) as raised:
        store_health.check(path)
    assert str(raised.value) == (
        f"{path} is empty (0 bytes), so the history of every run is gone from it; "
        f"restore the newest sound copy ({kept[1]}) with `make restore-metadata`"
    )
    assert metadata_backups.restore(path) == kept[1]
    assert store_health.problem(path) is None
    assert [p.name.startswith("metadata.sqlite.replaced-") for p in tmp_path.iterdir() if p.is_file()].count(True) == 1


def test_without_a_sound_copy_the_error_says_so(tmp_path: Path):
    path = tmp_path / "metadata.sqlite"
    path.write_bytes(b"junk")
    with pytest.raises(store_health.StoreDamagedError, match=r"no sound copy in .*metadata-backups; move the file"):
        store_health.check(path)
    with pytest.raises(store_health.StoreDamagedError):
        metadata_backups.restore(path)


def test_an_empty_or_missing_store_is_not_copied(tmp_path: Path):
    assert metadata_backups.backup(tmp_path / "metadata.sqlite") is None
    (tmp_path / "metadata.sqlite").write_bytes(b"")
    assert metadata_backups.backup(tmp_path / "metadata.sqlite") is None
