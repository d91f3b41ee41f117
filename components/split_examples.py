"""Reading an Examples artifact's split back into arrays, for executors that score a model outside Beam."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from components.contract import features


def read_examples(split_uri: str) -> list[bytes]:
    """The serialized examples of a split, its files in name order."""
    files = sorted(tf.io.gfile.glob(f"{split_uri}/*"))
    compression = "GZIP" if files and files[0].endswith(".gz") else ""
    return [r.numpy() for r in tf.data.TFRecordDataset(files, compression_type=compression)]


def image_of(example: tf.train.Example) -> np.ndarray:
    """The uint8 [28, 28] image of a parsed example in the record contract."""
    pixels = example.features.feature[features.IMAGE_KEY].bytes_list.value[0]
    return np.frombuffer(pixels, np.uint8).reshape(features.IMAGE_HEIGHT, features.IMAGE_WIDTH)


def images_and_labels(serialized: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images [N, 28, 28] and int64 labels [N] of serialized examples in the record contract."""
    images, labels = [], []
    for record in serialized:
        example = tf.train.Example.FromString(record)
        images.append(image_of(example))
        labels.append(example.features.feature[features.LABEL_KEY].int64_list.value[0])
    if not images:
        return np.zeros((0, features.IMAGE_HEIGHT, features.IMAGE_WIDTH), np.uint8), np.zeros((0,), np.int64)
    return np.stack(images), np.array(labels, np.int64)
