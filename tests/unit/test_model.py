"""The CNN: shapes, that it is convolutional, and that one training step learns."""

import numpy as np
import tensorflow as tf

from components import features, legacy_keras, model


def test_keras_2_is_in_use():
    legacy_keras.check_legacy_keras()
    assert tf.keras.Model.__module__.startswith("tf_keras")


def test_output_is_a_probability_distribution_per_image():
    cnn = model.build_model(1e-3)
    assert cnn.input_shape == (None, 28, 28, 1)
    assert cnn.output_shape == (None, features.NUM_CLASSES)
    probabilities = cnn(np.random.default_rng(0).random((4, 28, 28, 1), np.float32), training=False).numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_it_is_a_convolutional_network():
    cnn = model.build_model(1e-3)
    assert sum(isinstance(layer, tf.keras.layers.Conv2D) for layer in cnn.layers) >= 2


def test_training_steps_reduce_the_loss_on_a_batch():
    tf.keras.utils.set_random_seed(0)
    cnn = model.build_model(1e-3)
    x = np.random.default_rng(1).random((32, 28, 28, 1), np.float32)
    y = np.arange(32) % 10
    first = cnn.train_on_batch(x, y)[0]
    for _ in range(5):
        last = cnn.train_on_batch(x, y)[0]
    assert np.isfinite(first) and last < first


def test_cosine_schedule_decays_to_zero():
    schedule = model.cosine_schedule(0.01, 100)
    assert abs(float(schedule(0)) - 0.01) < 1e-9 and float(schedule(100)) < 1e-9
