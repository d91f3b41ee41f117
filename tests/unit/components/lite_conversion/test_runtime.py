"""The interpreter wrapper every reader of the on-device model uses."""

import numpy as np
import pytest
import tensorflow as tf

from components.lite_conversion import runtime


@pytest.fixture(scope="module")
def flatbuffer() -> bytes:
    """A float model: probabilities from the mean pixel, so answers are easy to predict."""

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28], tf.float32, name="images")])
    def classify(pixels):
        mean = tf.reduce_mean(pixels, axis=[1, 2], keepdims=False)[:, None]  # [N, 1]
        return {"probabilities": tf.nn.softmax(mean * tf.range(10, dtype=tf.float32)[None, :] / 255.0)}

    return tf.lite.TFLiteConverter.from_concrete_functions([classify.get_concrete_function()]).convert()


def test_predict_takes_uint8_images_in_batches_of_any_size(flatbuffer):
    model = runtime.OnDeviceModel(flatbuffer)
    images = np.full((runtime.BATCH + 3, 28, 28), 255, np.uint8)
    images[-1] = 0
    probabilities = model.predict(images)
    assert probabilities.shape == (runtime.BATCH + 3, 10) and probabilities.dtype == np.float32
    assert probabilities[0].argmax() == 9 and probabilities[-1].argmax() == 0  # mean 0: all equal, first wins
    np.testing.assert_allclose(probabilities[-1], 0.1, atol=1e-6)


def test_predict_refuses_images_of_another_shape(flatbuffer):
    with pytest.raises(ValueError, match=r"expected images of shape \[N, 28, 28\], got \[2, 784\]"):
        runtime.OnDeviceModel(flatbuffer).predict(np.zeros((2, 784), np.uint8))


def test_a_model_of_another_input_shape_is_refused():
    @tf.function(input_signature=[tf.TensorSpec([None, 784], tf.float32)])
    def flat(pixels):
        return pixels[:, :10]

    other = tf.lite.TFLiteConverter.from_concrete_functions([flat.get_concrete_function()]).convert()
    with pytest.raises(ValueError, match=r"expected an input of \[N, 28, 28\] pixels, found \[N, 784\]"):
        runtime.OnDeviceModel(other)
