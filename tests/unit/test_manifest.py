"""The data manifest: a DAG parse reuses verified hashes while the files are unchanged, and only then."""

import os
from pathlib import Path

import pytest

from data import idx, manifest, sources
from tests.idx_fixtures import make_dataset_dir


def _refuse_to_read(monkeypatch) -> None:
    def refuse(path):
        raise AssertionError(f"{path} was decompressed")

    monkeypatch.setattr(idx, "decompress", refuse)


def test_unchanged_files_are_not_hashed_again(dataset_dir: Path, tmp_path: Path, monkeypatch):
    path = tmp_path / "out" / "data-manifest.json"
    first = manifest.locate(data_dir=dataset_dir, raw_dir=tmp_path / "unused", manifest_path=path)
    assert path.is_file()
    assert first.sha256 == sources.verify_directory(dataset_dir, require_official=False, source="x").sha256
    _refuse_to_read(monkeypatch)
    again = manifest.locate(data_dir=dataset_dir, raw_dir=tmp_path / "unused", manifest_path=path)
    assert again == first


def test_a_changed_file_is_verified_again(dataset_dir: Path, tmp_path: Path):
    path = tmp_path / "data-manifest.json"
    first = manifest.locate(data_dir=dataset_dir, raw_dir=tmp_path / "unused", manifest_path=path)
    make_dataset_dir(dataset_dir, seed=1)  # other content, same names and sizes
    stat = (dataset_dir / sources.TRAIN_IMAGES).stat()
    os.utime(dataset_dir / sources.TRAIN_IMAGES, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    again = manifest.locate(data_dir=dataset_dir, raw_dir=tmp_path / "unused", manifest_path=path)
    assert again.sha256[sources.TRAIN_IMAGES] != first.sha256[sources.TRAIN_IMAGES]
    assert manifest.read(path, dataset_dir) == again


def test_a_broken_file_still_fails_though_a_manifest_exists(dataset_dir: Path, tmp_path: Path):
    path = tmp_path / "data-manifest.json"
    manifest.locate(data_dir=dataset_dir, raw_dir=tmp_path / "unused", manifest_path=path)
    (dataset_dir / sources.TEST_LABELS).write_bytes(b"not gzip")
    with pytest.raises(idx.IdxError, match="not a gzip file"):
        manifest.locate(data_dir=dataset_dir, raw_dir=tmp_path / "unused", manifest_path=path)


@pytest.mark.parametrize("content", ["", "{not json", '{"version": 1}', '{"version": 99, "directory": "x"}'])
def test_an_unreadable_or_foreign_manifest_is_ignored(dataset_dir: Path, tmp_path: Path, content: str):
    path = tmp_path / "data-manifest.json"
    path.write_text(content)
    assert manifest.read(path, dataset_dir) is None
    dataset = manifest.locate(data_dir=dataset_dir, raw_dir=tmp_path / "unused", manifest_path=path)
    assert manifest.read(path, dataset_dir) == dataset


def test_a_manifest_of_another_folder_is_not_used(dataset_dir: Path, tmp_path: Path):
    path = tmp_path / "data-manifest.json"
    manifest.locate(data_dir=dataset_dir, raw_dir=tmp_path / "unused", manifest_path=path)
    other = make_dataset_dir(tmp_path / "other", seed=3)
    assert manifest.read(path, other) is None
