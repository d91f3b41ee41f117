"""Reading and checking IDX files, the format Fashion-MNIST ships in.

Plain functions over bytes and NumPy arrays: no TensorFlow, no Beam. The
pre-flight data check, the ingestion component and the tests all call them.

An IDX file is big-endian: two zero bytes, a type code (0x08 = unsigned byte),
the number of dimensions, one uint32 per dimension, then the values in
row-major order. Fashion-MNIST's files are gzip-compressed.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from data import fashion_mnist

_GZIP_MAGIC = b"\x1f\x8b"
IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension


class IdxError(ValueError):
    """An IDX file is missing or malformed. The message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


@dataclass(frozen=True)
class IdxContent:
    """A decoded IDX file and the SHA-256 of its decompressed bytes."""

    array: np.ndarray
    sha256: str


def _read_file(path: Path | str) -> bytes:
    if "://" in str(path):
        # gs://, s3://, hdfs://: the file systems TensorFlow knows (where the pipeline runs in a cluster).
        from tensorflow.io import gfile

        if not gfile.exists(str(path)):
            raise IdxError(path, "file not found")
        with gfile.GFile(str(path), "rb") as f:
            return f.read()
    if not Path(path).is_file():
        raise IdxError(path, "file not found")
    return Path(path).read_bytes()


def is_gzip(head: bytes) -> bool:
    """Whether bytes start like a gzip stream."""
    return head[:2] == _GZIP_MAGIC


def decompress(path: Path | str, *, require_gzip: bool = True) -> bytes:
    """Returns the decompressed content of a gzip file, or raises IdxError.

    With ``require_gzip=False`` an uncompressed file is returned as it is.
    """
    raw = _read_file(path)
    if not raw:
        raise IdxError(path, "empty file")
    if not is_gzip(raw):
        if not require_gzip:
            return raw
        raise IdxError(path, "not a gzip file (expected a .gz IDX file)")
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise IdxError(path, "truncated gzip stream (the download or copy is incomplete)") from None
    except (OSError, zlib.error) as e:
        raise IdxError(path, f"corrupt gzip stream ({e})") from None


def parse_idx(content: bytes, *, name: Path | str, expected_magic: int) -> np.ndarray:
    """Parses decompressed IDX bytes into a uint8 array of the declared shape.

    Args:
      content: the decompressed file content.
      name: the file the content came from, for error messages.
      expected_magic: IMAGES_MAGIC or LABELS_MAGIC.

    Raises:
      IdxError: wrong magic number, or a body shorter or longer than the header says.
    """
    if len(content) < 4:
        raise IdxError(name, f"too short for an IDX header ({len(content)} bytes)")
    magic = int.from_bytes(content[:4], "big")
    if magic != expected_magic:
        raise IdxError(name, f"wrong magic number 0x{magic:08x}, expected 0x{expected_magic:08x}")
    ndim = content[3]
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise IdxError(name, f"truncated header: {ndim} dimensions need {header_size} bytes")
    dims = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims, dtype=np.int64))
    body = len(content) - header_size
    if body < expected:
        raise IdxError(name, f"truncated: header declares {dims} = {expected} values, file holds {body}")
    if body > expected:
        raise IdxError(name, f"{body - expected} bytes of trailing data after the {dims} values")
    return np.frombuffer(content, dtype=np.uint8, offset=header_size).reshape(dims)


def read_images(path: Path | str, *, require_gzip: bool = True) -> IdxContent:
    """Reads an images file: uint8 [N, 28, 28] (gzip-compressed, or either with ``require_gzip=False``)."""
    content = decompress(path, require_gzip=require_gzip)
    images = parse_idx(content, name=path, expected_magic=IMAGES_MAGIC)
    shape = (fashion_mnist.IMAGE_HEIGHT, fashion_mnist.IMAGE_WIDTH)
    if images.shape[1:] != shape:
        raise IdxError(path, f"wrong image dimensions {images.shape[1:]}, expected {shape}")
    return IdxContent(images, hashlib.sha256(content).hexdigest())


def read_labels(path: Path | str) -> IdxContent:
    """Reads a labels file: uint8 [N] with every value in 0..9."""
    content = decompress(path)
    labels = parse_idx(content, name=path, expected_magic=LABELS_MAGIC)
    if labels.size and int(labels.max()) >= fashion_mnist.NUM_CLASSES:
        bad = int(np.argmax(labels >= fashion_mnist.NUM_CLASSES))
        raise IdxError(
            path,
            f"label {int(labels[bad])} at index {bad} is outside 0..{fashion_mnist.NUM_CLASSES - 1}",
        )
    return IdxContent(labels, hashlib.sha256(content).hexdigest())


def check_pair(images: IdxContent, labels: IdxContent, *, labels_path: Path | str) -> None:
    """Raises IdxError when an images file and its labels file disagree on the count."""
    n_images, n_labels = len(images.array), len(labels.array)
    if n_images != n_labels:
        raise IdxError(labels_path, f"{n_labels} labels for {n_images} images")
    if n_images == 0:
        raise IdxError(labels_path, "no examples")


def write_idx(path: Path | str, array: np.ndarray) -> Path:
    """Writes a uint8 array as a gzip-compressed IDX file, atomically: a reader sees no file or the whole file.

    The gzip header holds no time stamp, so the same array always gives the same bytes.

    Raises:
      ValueError: the array is not uint8.
    """
    if array.dtype != np.uint8:
        raise ValueError(f"an IDX file here holds unsigned bytes, not {array.dtype}")
    path = Path(path)
    header = (0x0800 + array.ndim).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    # A temp name beside the target, so os.replace is a rename within one file system.
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temp, "xb") as f:
            # Level 6, zlib's default: a tenth of level 9's time for 1% more bytes.
            f.write(gzip.compress(header + np.ascontiguousarray(array).tobytes(), compresslevel=6, mtime=0))
            f.flush()
            os.fsync(f.fileno())  # else a crash soon after the rename can leave an empty file under the name
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path
