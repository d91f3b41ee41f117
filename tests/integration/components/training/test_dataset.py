"""components/training/dataset.py: batches of transformed images and labels, through the real Transform graph."""

from pathlib import Path

import tensorflow as tf

from components.training import dataset
from tests.support.example_records import fixture_images, write_examples


def test_dataset_batches_transformed_images_and_labels(transform_output, tmp_path: Path):
    images, labels = fixture_images(10)
    path = write_examples(tmp_path / "d.tfrecord", images, labels)
    batches = list(dataset.make_dataset([str(path)], transform_output, batch_size=4, shuffle=False, seed=0))
    assert [b[0].shape[0] for b in batches] == [4, 4, 2]
    first_images, first_labels = batches[0]
    assert first_images.shape[1:] == (28, 28, 1)
    assert float(tf.reduce_max(first_images)) <= 1.0
    assert first_labels.numpy().tolist() == labels[:4].tolist()


def test_repeated_dataset_is_whole_reshuffled_passes(transform_output, tmp_path: Path):
    images, labels = fixture_images(10)
    path = write_examples(tmp_path / "d.tfrecord", images, labels)
    data = dataset.make_dataset([str(path)], transform_output, batch_size=4, shuffle=True, seed=0, repeat=True)
    batches = [batch_labels.numpy().tolist() for _, batch_labels in data.take(9)]
    assert [len(b) for b in batches] == [4, 4, 2] * 3, "each pass ends with its own partial batch"
    passes = [[label for batch in batches[i : i + 3] for label in batch] for i in (0, 3, 6)]
    assert all(sorted(p) == sorted(labels.tolist()) for p in passes), "every pass holds every example once"
    assert len({tuple(p) for p in passes}) > 1, "reshuffled between passes"
    assert dataset.batches_per_pass([str(path)], batch_size=4) == 3
    assert dataset.batches_per_pass([str(path)], batch_size=4, whole_batches=True) == 2
    assert data.options().autotune.enabled is False, "no autotuning thread for an iterator's end to wait for"
