"""preprocessing_fn, called eagerly on plain tensors."""

import numpy as np
import pytest
import tensorflow as tf

from components.contract import features
from components.training import preprocessing

IMAGE_XF = features.transformed_name(features.IMAGE_KEY)
LABEL_XF = features.transformed_name(features.LABEL_KEY)


def test_bytes_become_scaled_images_shaped_for_the_cnn():
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    inputs = {
        features.IMAGE_KEY: tf.constant([[img.tobytes()] for img in images]),  # [N, 1], as the schema says
        features.LABEL_KEY: tf.constant([[3], [0], [9]], dtype=tf.int64),
    }
    outputs = preprocessing.preprocessing_fn(inputs)
    assert outputs[IMAGE_XF].shape == (3, 28, 28, 1) and outputs[IMAGE_XF].dtype == tf.float32
    np.testing.assert_allclose(outputs[IMAGE_XF].numpy()[..., 0], images / 255.0, rtol=1e-6)
    assert outputs[IMAGE_XF].numpy()[0, 0, 0, 0] == 0.0 and outputs[IMAGE_XF].numpy()[0, 0, 1, 0] == 1.0
    np.testing.assert_array_equal(outputs[LABEL_XF].numpy(), [3, 0, 9])


def test_serving_inputs_without_label():
    outputs = preprocessing.preprocessing_fn({features.IMAGE_KEY: tf.constant([[bytes(784)]])})
    assert set(outputs) == {IMAGE_XF}


def test_wrong_length_fails_loudly():
    with pytest.raises(tf.errors.InvalidArgumentError, match="784"):
        preprocessing.decode_images(tf.constant([bytes(392), bytes(392)]))
