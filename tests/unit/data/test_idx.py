"""IDX parsing and every kind of bad input."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from data import idx
from tests.support.idx_fixtures import write_idx


def _images(n=3):
    return np.arange(n * 28 * 28, dtype=np.int64).reshape(n, 28, 28) % 256


def test_reads_images_and_labels(tmp_path: Path):
    images = write_idx(tmp_path / "i.gz", _images())
    labels = write_idx(tmp_path / "l.gz", [0, 9, 4])
    got_images, got_labels = idx.read_images(images), idx.read_labels(labels)
    np.testing.assert_array_equal(got_images.array, _images().astype(np.uint8))
    np.testing.assert_array_equal(got_labels.array, [0, 9, 4])
    idx.check_pair(got_images, got_labels, labels_path=labels)


def test_hash_is_of_decompressed_content(tmp_path: Path):
    import hashlib

    path = write_idx(tmp_path / "l.gz", [1, 2, 3])
    assert idx.read_labels(path).sha256 == hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()


def _corrupt(tmp_path: Path, kind: str) -> tuple[Path, callable]:
    labels_reader = idx.read_labels
    images_reader = idx.read_images
    p = tmp_path / f"{kind}.gz"
    if kind == "missing":
        return p, labels_reader
    if kind == "empty":
        p.write_bytes(b"")
        return p, labels_reader
    if kind == "not_gzip":
        write_idx(p, [1, 2], compress=False)
        return p, labels_reader
    if kind == "truncated_gzip":
        write_idx(p, _images())
        p.write_bytes(p.read_bytes()[:-200])
        return p, images_reader
    if kind == "wrong_magic":
        write_idx(p, [1, 2], magic=0x0803)
        return p, labels_reader
    if kind == "truncated_body":
        header = (0x0803).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (3, 28, 28))
        p.write_bytes(gzip.compress(header + bytes(2 * 784)))
        return p, images_reader
    if kind == "trailing_data":
        header = (0x0801).to_bytes(4, "big") + (2).to_bytes(4, "big")
        p.write_bytes(gzip.compress(header + bytes([1, 2, 3])))
        return p, labels_reader
    if kind == "wrong_dimensions":
        write_idx(p, np.zeros((2, 32, 32)))
        return p, images_reader
    if kind == "label_out_of_range":
        write_idx(p, [3, 10, 1])
        return p, labels_reader
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        ("missing", "file not found"),
        ("empty", "empty file"),
        ("not_gzip", "not a gzip file"),
        ("truncated_gzip", "truncated gzip stream"),
        ("wrong_magic", "wrong magic number 0x00000803, expected 0x00000801"),
        ("truncated_body", "truncated: header declares (3, 28, 28) = 2352 values, file holds 1568"),
        ("trailing_data", "1 bytes of trailing data"),
        ("wrong_dimensions", "wrong image dimensions (32, 32), expected (28, 28)"),
        ("label_out_of_range", "label 10 at index 1 is outside 0..9"),
    ],
)
def test_bad_input_is_a_one_line_error_naming_file_and_problem(tmp_path: Path, kind: str, problem: str):
    path, reader = _corrupt(tmp_path, kind)
    with pytest.raises(idx.IdxError) as raised:
        reader(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message


def test_counts_that_differ(tmp_path: Path):
    images = idx.read_images(write_idx(tmp_path / "i.gz", _images(3)))
    labels_path = write_idx(tmp_path / "l.gz", [1, 2])
    with pytest.raises(idx.IdxError, match=r"l\.gz: 2 labels for 3 images"):
        idx.check_pair(images, idx.read_labels(labels_path), labels_path=labels_path)


def test_empty_pair_is_an_error(tmp_path: Path):
    images = idx.read_images(write_idx(tmp_path / "i.gz", np.zeros((0, 28, 28))))
    labels_path = write_idx(tmp_path / "l.gz", np.zeros((0,)))
    with pytest.raises(idx.IdxError, match="no examples"):
        idx.check_pair(images, idx.read_labels(labels_path), labels_path=labels_path)
