"""Builders of small IDX files for tests: well-formed ones, and ones broken on purpose."""

import gzip
from pathlib import Path

import numpy as np


def write_idx(path: Path, array: np.ndarray, *, magic: int | None = None, compress: bool = True) -> Path:
    """Writes ``array`` (uint8) as an IDX file, gzipped unless told otherwise."""
    array = np.asarray(array, dtype=np.uint8)
    magic = magic if magic is not None else 0x0800 + array.ndim
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    content = header + array.tobytes()
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


def make_dataset_dir(directory: Path, *, n_train: int = 60, n_test: int = 20, seed: int = 0) -> Path:
    """Four small, well-formed IDX files with every class present."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = np.arange(n) % 10
        rng.shuffle(labels)
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        write_idx(directory / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(directory / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return directory
