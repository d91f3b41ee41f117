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


def make_span_layout(root: Path, numbers: tuple[int, ...], *, n_train: int = 30, n_test: int = 20) -> Path:
    """The test set's two files at the top of ``root`` and one ``span-<n>`` folder of training files per number.

    Each span's content differs (its seed is its number), so each has its own hashes.
    """
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    write_idx(root / "t10k-images-idx3-ubyte.gz", rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8))
    write_idx(root / "t10k-labels-idx1-ubyte.gz", np.arange(n_test) % 10)
    for number in numbers:
        span_rng = np.random.default_rng(number)
        folder = root / f"span-{number}"
        folder.mkdir()
        write_idx(folder / "train-images-idx3-ubyte.gz", span_rng.integers(0, 256, size=(n_train, 28, 28)))
        write_idx(folder / "train-labels-idx1-ubyte.gz", span_rng.permutation(np.arange(n_train) % 10))
    return root


def garment_images(n: int, seed: int = 0) -> np.ndarray:
    """uint8 [n, 28, 28] shaped like Fashion-MNIST: a black background around a bright, textured garment."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    for image in images:
        top, left = rng.integers(2, 8, size=2)
        height, width = rng.integers(12, 20, size=2)
        patch = rng.normal(rng.uniform(90, 200), 40, size=(height, width))
        image[top : top + height, left : left + width] = np.clip(patch, 1, 255)
    return images
