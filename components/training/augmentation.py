"""Training-time augmentation of a batch of images: a random shift of up to two pixels and a random
horizontal flip, per image.

Never vertical flips or rotations: Fashion-MNIST's garments and shoes are photographed upright, and
an upside-down shoe is an image the model will never be shown. Mirror images do occur (a shoe
pointing left or right).

Pure TensorFlow, stateless: the same ``seed`` gives the same images, whatever the thread that runs
it, so training stays reproducible (docs/pipeline.md, "Reproducible training").
"""

from __future__ import annotations

import tensorflow as tf

from components.training import network

MAX_SHIFT = 2  # pixels, in each direction, each axis


def shift_and_flip(images: tf.Tensor, seed: tf.Tensor, *, max_shift: int = MAX_SHIFT) -> tf.Tensor:
    """images [B, H, W, C] -> the same shape, each image shifted by whole pixels and maybe mirrored.

    Each image moves by its own (dy, dx), each uniform in [-max_shift, max_shift]; the pixels shifted
    in are zero (the background after the Transform's scaling). Each image is mirrored left-right
    with probability 1/2.

    Args:
      seed: int32 or int64 [2], the stateless seed (e.g. the run's seed and the batch's index).
    """
    batch = tf.shape(images)[0]
    height, width = images.shape[1], images.shape[2]
    shift_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 2))
    shifts = tf.random.stateless_uniform(
        [2, batch], shift_seed, minval=-max_shift, maxval=max_shift + 1, dtype=tf.int32
    )
    padded = tf.pad(images, [[0, 0], [max_shift, max_shift], [max_shift, max_shift], [0, 0]])
    # Output row r of image b reads padded row r + max_shift - dy[b]: the image moves down by dy.
    rows = tf.range(height)[tf.newaxis, :] + max_shift - shifts[0][:, tf.newaxis]  # [B, H]
    cols = tf.range(width)[tf.newaxis, :] + max_shift - shifts[1][:, tf.newaxis]  # [B, W]
    shifted = tf.gather(padded, rows, axis=1, batch_dims=1)  # [B, H, W + 2 * max_shift, C]
    shifted = tf.gather(shifted, cols, axis=2, batch_dims=1)  # [B, H, W, C]
    mirror = tf.random.stateless_uniform([batch], flip_seed) < 0.5
    return tf.where(mirror[:, tf.newaxis, tf.newaxis, tf.newaxis], tf.reverse(shifted, axis=[2]), shifted)


def batch_seed(run_seed: int, batch_index: tf.Tensor) -> tf.Tensor:
    """The stateless seed of one training batch: the run's seed and the batch's place in the run."""
    return tf.stack([tf.constant(run_seed, tf.int64), tf.cast(batch_index, tf.int64)])


def after_batching(
    batches: tf.data.Dataset, *, seed: int, augment: bool, one_hot: bool, parallel: int | None = None
) -> tf.data.Dataset:
    """Batches of (images, class ids) -> (augmented images, one-hot labels), each step when asked.

    The steps both the pipeline's input (components/training/dataset.py) and the plain-Keras baseline take
    once their batches are made: ``augment`` shifts and mirrors each batch, seeded by ``seed`` and
    the batch's index in the run; ``one_hot`` gives the labels as ``model.one_hot_labels``.
    ``parallel`` is the augmentation map's ``num_parallel_calls``.
    """
    if augment:
        batches = batches.enumerate().map(
            lambda index, batch: (shift_and_flip(batch[0], batch_seed(seed, index)), batch[1]),
            num_parallel_calls=parallel,
        )
    if one_hot:
        batches = batches.map(lambda images, labels: (images, network.one_hot_labels(labels)))
    return batches
