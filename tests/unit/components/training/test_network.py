"""The CNN: shapes, that it is convolutional, and that one training step learns."""

import dataclasses

import numpy as np
import tensorflow as tf

from components.contract import features
from components.training import network
from components.training.network import Architecture

SMALL = Architecture(stage_filters=(8, 16, 32))
SMALL_DOUBLE_CONV = Architecture(network="double_conv", stage_filters=(8, 16, 32))


def test_output_is_a_probability_distribution_per_image():
    cnn = network.build_model(1e-3)
    assert cnn.input_shape == (None, 28, 28, 1)
    assert cnn.output_shape == (None, features.NUM_CLASSES)
    probabilities = cnn(np.random.default_rng(0).random((4, 28, 28, 1), np.float32), training=False).numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_it_is_a_convolutional_network():
    cnn = network.build_model(1e-3)
    assert sum(isinstance(layer, tf.keras.layers.Conv2D) for layer in cnn.layers) >= 2


def test_training_steps_reduce_the_loss_on_a_batch():
    tf.keras.utils.set_random_seed(0)
    cnn = network.build_model(1e-3)
    x = np.random.default_rng(1).random((32, 28, 28, 1), np.float32)
    y = np.arange(32) % 10
    first = cnn.train_on_batch(x, y)[0]
    for _ in range(5):
        last = cnn.train_on_batch(x, y)[0]
    assert np.isfinite(first) and last < first


def test_cosine_schedule_decays_to_zero():
    schedule = network.cosine_schedule(0.01, 100)
    assert abs(float(schedule(0)) - 0.01) < 1e-9 and float(schedule(100)) < 1e-9


def test_warm_up_rises_linearly_to_the_peak_then_decays_to_zero():
    schedule = network.cosine_schedule(0.01, 100, warmup_steps=10)
    assert float(schedule(0)) == 0.0
    np.testing.assert_allclose([float(schedule(s)) for s in (5, 10)], [0.005, 0.01], rtol=1e-6)
    assert float(schedule(55)) < 0.01 * 0.51 and float(schedule(100)) < 1e-9
    # A run shorter than its warm-up (a one-epoch smoke run) still reaches a learning rate above zero.
    assert float(network.cosine_schedule(0.01, 5, warmup_steps=10)(2)) > 0


def test_double_conv_is_three_stages_of_two_convs_then_global_pooling_and_one_dense_classifier():
    cnn = network.build_model(1e-3, SMALL_DOUBLE_CONV)
    convs = [layer for layer in cnn.layers if isinstance(layer, tf.keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [8, 8, 16, 16, 32, 32]
    assert [layer.name for layer in cnn.layers if isinstance(layer, tf.keras.layers.Dense)] == [
        features.PROBABILITIES_KEY
    ]
    assert any(isinstance(layer, tf.keras.layers.GlobalAveragePooling2D) for layer in cnn.layers)


def test_label_smoothing_trains_on_one_hot_targets():
    tf.keras.utils.set_random_seed(0)
    cnn = network.build_model(1e-3, SMALL, label_smoothing=0.1)
    x = np.random.default_rng(1).random((16, 28, 28, 1), np.float32)
    targets = network.one_hot_labels(tf.constant(np.arange(16) % 10))
    assert targets.shape == (16, features.NUM_CLASSES)
    loss = cnn.evaluate(x, targets, verbose=0)[0]
    # Smoothed targets keep 0.01 on each wrong class: the loss of even a perfect prediction stays above 0.
    assert loss > 0 and np.isfinite(cnn.train_on_batch(x, targets)[0])


def test_flip_averaging_is_the_mean_over_each_image_and_its_mirror():
    tf.keras.utils.set_random_seed(0)
    cnn = network.build_model(1e-3, SMALL)
    x = np.random.default_rng(3).random((4, 28, 28, 1), np.float32)
    cnn.train_on_batch(x, np.arange(4))  # weights no longer symmetric in any way
    averaged = network.with_flip_averaging(cnn)
    expected = (cnn(x).numpy() + cnn(x[:, :, ::-1]).numpy()) / 2
    np.testing.assert_allclose(averaged(x).numpy(), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(averaged(x[:, :, ::-1]).numpy(), averaged(x).numpy(), rtol=1e-5, atol=1e-7)
    assert not np.allclose(cnn(x).numpy(), cnn(x[:, :, ::-1]).numpy(), atol=1e-4)
    assert averaged.count_params() == cnn.count_params(), "the same weights, shared"


def test_mixed_precision_trains_in_bfloat16_and_exports_float32():
    tf.keras.utils.set_random_seed(0)
    mixed = network.build_model(1e-3, precision="mixed_bfloat16")
    conv = next(layer for layer in mixed.layers if isinstance(layer, tf.keras.layers.Conv2D))
    assert conv.compute_dtype == "bfloat16" and conv.variable_dtype == "float32"
    assert mixed.output.dtype == tf.float32, "the softmax stays in float32"
    assert tf.keras.mixed_precision.global_policy().name == "float32", "the global policy is restored"
    x = np.random.default_rng(2).random((16, 28, 28, 1), np.float32)
    mixed.train_on_batch(x, np.arange(16) % 10)

    served = network.float32_copy(mixed, Architecture())
    assert all(layer.compute_dtype == "float32" for layer in served.layers if layer.weights)
    np.testing.assert_allclose(served(x).numpy(), mixed(x).numpy(), atol=0.02)  # bfloat16 keeps 8 bits


def test_with_ema_fit_leaves_the_moving_average_of_the_weights():
    x = np.random.default_rng(2).random((64, 28, 28, 1), np.float32)
    y = np.arange(64) % 10
    moved = {}
    for momentum in (0.0, 0.999999):
        tf.keras.utils.set_random_seed(0)
        cnn = network.build_model(1e-2, Architecture(stage_filters=(4, 8, 16)), ema_momentum=momentum)
        before = cnn.get_layer("stage1a_conv").get_weights()[0].copy()
        cnn.fit(x, y, batch_size=16, epochs=2, verbose=0)
        moved[momentum] = np.abs(cnn.get_layer("stage1a_conv").get_weights()[0] - before).max()
    # Eight steps at 1e-2 move the last weights; an average that keeps 0.999999 of itself each step barely moves.
    assert moved[0.0] > 1e-3 and moved[0.999999] < 1e-4


POOL_EARLY = Architecture(network="pool_early", stem_filters=16, stage_filters=(32, 64, 128))


def test_pool_early_runs_each_stages_second_conv_at_half_resolution():
    cnn = network.build_model(1e-3, POOL_EARLY)
    convs = [layer for layer in cnn.layers if isinstance(layer, tf.keras.layers.Conv2D)]
    assert [(c.output_shape[1], c.filters) for c in convs] == [
        (28, 16),  # the stem
        (28, 32),  # stage 1: conv, then pool
        (14, 32),
        (14, 64),  # stage 2
        (7, 64),
        (7, 128),  # stage 3
        (3, 128),
    ]
    assert cnn.output_shape == (None, features.NUM_CLASSES)


def test_multiply_adds_count_every_conv_and_the_classifier():
    # The pool-early net of issue 26: 15.9 M multiply-adds per image forward, about 294 k parameters.
    pool_early = network.build_model(1e-3, POOL_EARLY)
    expected = 28 * 28 * 9 * 1 * 16 + 28 * 28 * 9 * 16 * 32 + 14 * 14 * 9 * 32 * 32 + 14 * 14 * 9 * 32 * 64
    expected += 7 * 7 * 9 * 64 * 64 + 7 * 7 * 9 * 64 * 128 + 3 * 3 * 9 * 128 * 128 + 128 * 10
    assert network.multiply_adds(pool_early) == expected
    assert round(expected / 1e6, 1) == 15.9 and 290_000 < pool_early.count_params() < 300_000
    assert network.multiply_adds(network.build_model(1e-3)) == expected, "the default network"
    double_conv = network.build_model(1e-3, Architecture(network="double_conv"))
    assert round(network.multiply_adds(double_conv) / 1e6, 1) == 29.1, "the net before issue 26, as it counts it"


def test_the_architecture_record_names_what_decides_the_weights():
    double_conv = Architecture(network="double_conv")
    assert double_conv.record() == {"network": "double_conv", "stage_filters": [32, 64, 128]}
    assert POOL_EARLY.record() == {"network": "pool_early", "stem_filters": 16, "stage_filters": [32, 64, 128]}
    assert Architecture() == POOL_EARLY, "the default network"
    assert Architecture(dropout=0.2).record() == Architecture().record(), "dropout has no weights"


def test_an_unknown_network_is_refused():
    import pytest

    with pytest.raises(ValueError, match="network must be one of"):
        network.build_model(1e-3, Architecture(network="resnet"))


def test_the_float32_copy_of_a_pool_early_net_predicts_as_it_does():
    tf.keras.utils.set_random_seed(0)
    mixed = network.build_model(1e-3, POOL_EARLY, precision="mixed_bfloat16")
    x = np.random.default_rng(2).random((8, 28, 28, 1), np.float32)
    mixed.train_on_batch(x, np.arange(8) % 10)
    served = network.float32_copy(mixed, POOL_EARLY)
    np.testing.assert_allclose(served(x).numpy(), mixed(x).numpy(), atol=0.02)


def test_the_steps_traced_without_autograph_train_the_same_weights_as_keras_own():
    """The compiled steps skip autograph (network._trace_without_autograph); Keras's own, autograph-converted
    steps must train the same bytes: the full profile's net, bfloat16, label smoothing, warm-up, weight average."""
    x = np.random.default_rng(2).random((32, 28, 28, 1), np.float32)
    y = network.one_hot_labels(np.arange(32) % 10)

    def trained(with_autograph: bool) -> list[np.ndarray]:
        tf.keras.utils.set_random_seed(0)
        cnn = network.build_model(
            network.cosine_schedule(1e-3, total_steps=6, warmup_steps=2),
            dataclasses.replace(POOL_EARLY, dropout=0.1),
            label_smoothing=0.1,
            precision="mixed_bfloat16",
            ema_momentum=0.9,
        )
        if with_autograph:
            for step in network._STEPS:
                delattr(cnn, step)  # the class's own method again, which Keras traces through autograph
        cnn.fit(x, y, batch_size=8, epochs=2, steps_per_epoch=3, validation_data=(x, y), verbose=0)
        return cnn.get_weights()

    ours, keras_own = trained(with_autograph=False), trained(with_autograph=True)
    assert len(ours) == len(keras_own)
    for a, b in zip(ours, keras_own, strict=True):
        np.testing.assert_array_equal(a, b)
