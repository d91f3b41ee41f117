"""Sample images of each class, read from a run's Examples (TFRecords of tf.Examples) without TensorFlow."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from components.contract import features
from components.records import protos, split_files, tfrecord

SAMPLES_PER_CLASS = 8


def _records(
    examples_uri: str, split: str, indices: set[int] | None = None
) -> Iterator[tuple[int, int | None, np.ndarray | None]]:
    """(index, label, image) of each record of a split (only those at ``indices``, when given), its files in
    name order and records in file order.

    The label or the image is None where the record has none, or an image of the wrong size.
    """
    index = -1
    for path in sorted(split_files.split_dir(examples_uri, split).glob("*")):
        for record in tfrecord.read_records(path):
            index += 1
            if indices is not None and index not in indices:
                continue
            example = protos.parse("tensorflow.Example", record).features.feature
            label = example[features.LABEL_KEY].int64_list.value
            pixels = example[features.IMAGE_KEY].bytes_list.value
            image = None
            if pixels and len(pixels[0]) == features.IMAGE_PIXELS:
                image = np.frombuffer(pixels[0], np.uint8).reshape(features.IMAGE_HEIGHT, features.IMAGE_WIDTH)
            yield index, int(label[0]) if label else None, image


def sample_images(examples_uri: str, split: str = features.TRAIN_SPLIT) -> dict[int, list[np.ndarray]]:
    """Up to SAMPLES_PER_CLASS images of each class, the first ones in the split's files."""
    samples: dict[int, list[np.ndarray]] = {c: [] for c in range(features.NUM_CLASSES)}
    for _, label, image in _records(examples_uri, split):
        bucket = samples.get(label)
        if image is not None and bucket is not None and len(bucket) < SAMPLES_PER_CLASS:
            bucket.append(image)
            if all(len(b) == SAMPLES_PER_CLASS for b in samples.values()):
                break
    return samples


def images_at(examples_uri: str, split: str, indices: set[int]) -> dict[int, np.ndarray]:
    """The images at these places of a split (its files in name order, records in file order)."""
    found: dict[int, np.ndarray] = {}
    for index, _, image in _records(examples_uri, split, indices):
        if image is not None:
            found[index] = image
            if len(found) == len(indices):
                break
    return found
