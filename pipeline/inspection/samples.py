"""Sample images of each class, read from a run's Examples (TFRecords of tf.Examples) without TensorFlow."""

from __future__ import annotations

import numpy as np

from components import features
from components.records import protos, split_files, tfrecord

SAMPLES_PER_CLASS = 8


def sample_images(examples_uri: str, split: str = features.TRAIN_SPLIT) -> dict[int, list[np.ndarray]]:
    """Up to SAMPLES_PER_CLASS images of each class, the first ones in the split's files."""
    samples: dict[int, list[np.ndarray]] = {c: [] for c in range(features.NUM_CLASSES)}
    for path in sorted(split_files.split_dir(examples_uri, split).glob("*")):
        for record in tfrecord.read_records(path):
            example = protos.parse("tensorflow.Example", record).features.feature
            label = example[features.LABEL_KEY].int64_list.value
            image = example[features.IMAGE_KEY].bytes_list.value
            if not label or not image or len(image[0]) != features.IMAGE_PIXELS:
                continue
            bucket = samples.get(int(label[0]))
            if bucket is not None and len(bucket) < SAMPLES_PER_CLASS:
                bucket.append(np.frombuffer(image[0], np.uint8).reshape(features.IMAGE_HEIGHT, features.IMAGE_WIDTH))
            if all(len(b) == SAMPLES_PER_CLASS for b in samples.values()):
                return samples
    return samples


def images_at(examples_uri: str, split: str, indices: set[int]) -> dict[int, np.ndarray]:
    """The images at these places of a split (its files in name order, records in file order)."""
    found: dict[int, np.ndarray] = {}
    index = -1
    for path in sorted(split_files.split_dir(examples_uri, split).glob("*")):
        for record in tfrecord.read_records(path):
            index += 1
            if index not in indices:
                continue
            image = protos.parse("tensorflow.Example", record).features.feature[features.IMAGE_KEY].bytes_list.value
            if image and len(image[0]) == features.IMAGE_PIXELS:
                found[index] = np.frombuffer(image[0], np.uint8).reshape(features.IMAGE_HEIGHT, features.IMAGE_WIDTH)
            if len(found) == len(indices):
                return found
    return found
