"""The data manifest: a DAG parse reuses verified hashes while the files are unchanged, and only then."""

import os
from pathlib import Path

import pytest

from data import idx, manifest, sources
from tests.support.idx_fixtures import make_dataset_dir


def _refuse_to_read(monkeypatch) -> None:
    def refuse(path):
        raise AssertionError(f"{path} was decompressed")

    monkeypatch.setattr(idx, "decompress", refuse)


def test_unchanged_files_are_not_hashed_again(dataset_dir: Path, tmp_path: Path, monkeypatch):
    path = tmp_path / "out" / "data-manifest.json"
    first = manifest.locate(data_dir=dataset_dir, raw_dir=tmp_path / "unused", manifest_path=path)
    assert path.is_file()
    verified = sources.verify_directory(dataset_dir, require_official=False, source="x").sha256
    assert first.spans[0].sha256[sources.TRAIN_IMAGES] == verified[sources.TRAIN_IMAGES]
    assert first.test_sha256[sources.TEST_LABELS] == verified[sources.TEST_LABELS]
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
    assert again.spans[0].sha256[sources.TRAIN_IMAGES] != first.spans[0].sha256[sources.TRAIN_IMAGES]
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


def test_a_new_span_is_verified_and_recorded(tmp_path: Path):
    root = tmp_path / "spans"
    make_dataset_dir(root)
    (root / "span-1").mkdir()
    for name in (sources.TRAIN_IMAGES, sources.TRAIN_LABELS):
        (root / name).rename(root / "span-1" / name)
    path = tmp_path / "data-manifest.json"
    first = manifest.locate(data_dir=root, raw_dir=tmp_path / "unused", manifest_path=path)
    assert first.span_numbers == (1,)
    make_dataset_dir(tmp_path / "more", seed=4)
    (root / "span-2").mkdir()
    for name in (sources.TRAIN_IMAGES, sources.TRAIN_LABELS):
        (tmp_path / "more" / name).rename(root / "span-2" / name)
    again = manifest.locate(data_dir=root, raw_dir=tmp_path / "unused", manifest_path=path)
    assert again.span_numbers == (1, 2)
    assert manifest.read(path, root) == again
