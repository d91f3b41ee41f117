"""Images and labels to train on, written as the ingestion component writes tf.Example records."""

from pathlib import Path

import numpy as np
import tensorflow as tf

from components.ingestion import examples


def fixture_images(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random uint8 [28, 28] images and labels 0..9 in turn."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), np.arange(n) % 10


def write_examples(path: Path, images: np.ndarray, labels: np.ndarray) -> Path:
    """Uncompressed TFRecords of tf.Example, as the ingestion component writes them."""
    with tf.io.TFRecordWriter(str(path)) as writer:
        for image, label in zip(images, labels, strict=True):
            writer.write(examples.to_example(image, int(label)))
    return path
