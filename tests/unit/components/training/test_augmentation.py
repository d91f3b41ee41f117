"""Training-time augmentation: whole-pixel shifts of at most two pixels, mirror images, nothing else."""

import numpy as np
import tensorflow as tf

from components.training import augmentation


def _dots(count: int) -> np.ndarray:
    """[count, 28, 28, 1] images, each black but for one pixel, away from the border, at a known place."""
    images = np.zeros((count, 28, 28, 1), np.float32)
    images[:, 10, 7, 0] = 1.0
    return images


def _where(images: np.ndarray) -> list[tuple[int, int]]:
    return [tuple(int(i) for i in np.argwhere(image[..., 0])[0]) for image in images]


def test_each_image_moves_by_at_most_two_pixels_or_is_mirrored_and_keeps_its_pixels():
    out = augmentation.shift_and_flip(tf.constant(_dots(400)), augmentation.batch_seed(42, 0)).numpy()
    assert out.shape == (400, 28, 28, 1)
    assert np.all(out.reshape(400, -1).sum(axis=1) == 1.0), "one pixel in, one pixel out, unblurred"
    rows, cols = zip(*_where(out), strict=True)
    assert set(rows) == {8, 9, 10, 11, 12}, "every shift from -2 to 2, up and down, and no vertical flip"
    mirrored = [c for c in cols if c >= 14]  # column 7 mirrored is column 20
    assert set(cols) == {5, 6, 7, 8, 9} | {18, 19, 20, 21, 22}
    assert 150 < len(mirrored) < 250, "about half mirrored"


def test_the_same_seed_gives_the_same_images_and_another_batch_other_ones():
    images = tf.constant(np.random.default_rng(0).random((64, 28, 28, 1), np.float32))
    first = augmentation.shift_and_flip(images, augmentation.batch_seed(42, 7)).numpy()
    again = augmentation.shift_and_flip(images, augmentation.batch_seed(42, 7)).numpy()
    other = augmentation.shift_and_flip(images, augmentation.batch_seed(42, 8)).numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_pixels_shifted_in_are_background():
    out = augmentation.shift_and_flip(tf.ones((200, 28, 28, 1)), augmentation.batch_seed(1, 0)).numpy()
    assert set(np.unique(out)) == {0.0, 1.0}
    assert (out[:, 2:-2, 2:-2] == 1.0).all(), "the centre is never shifted out"
    assert (out == 0).any(axis=(1, 2, 3)).mean() > 0.8, "most images moved"
