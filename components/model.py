"""The Keras CNN: plain functions, no TFX.

Needs ``TF_USE_LEGACY_KERAS=1`` set before TensorFlow is imported (the entry
points do it), so that ``tf.keras`` is Keras 2 as TFT and TFMA 1.16 require.
"""

from __future__ import annotations

import tensorflow as tf

from components import features


def _conv_block(x: tf.Tensor, filters: int, name: str) -> tf.Tensor:
    """Two 3x3 conv + batch norm + ReLU, then 2x2 max pooling and dropout."""
    for i in (1, 2):
        x = tf.keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{i}")(x)
        # momentum 0.9, not Keras's 0.99: the moving statistics settle within a
        # few dozen steps, so even the smoke profile's short run evaluates sensibly.
        x = tf.keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_bn{i}")(x)
        x = tf.keras.layers.ReLU(name=f"{name}_relu{i}")(x)
    x = tf.keras.layers.MaxPooling2D(name=f"{name}_pool")(x)
    return tf.keras.layers.Dropout(0.25, name=f"{name}_dropout")(x)


def build_model(
    learning_rate: float | tf.keras.optimizers.schedules.LearningRateSchedule,
    *,
    dense_units: int = 128,
    dense_dropout: float = 0.4,
) -> tf.keras.Model:
    """Builds and compiles the CNN: transformed image in, class probabilities out."""
    inputs = tf.keras.Input(
        shape=(features.IMAGE_HEIGHT, features.IMAGE_WIDTH, features.IMAGE_CHANNELS),
        name=features.transformed_name(features.IMAGE_KEY),
    )  # [N, 28, 28, 1]
    x = _conv_block(inputs, 32, "block1")  # [N, 14, 14, 32]
    x = _conv_block(x, 64, "block2")  # [N, 7, 7, 64]
    x = tf.keras.layers.Flatten(name="flatten")(x)  # [N, 3136]
    x = tf.keras.layers.Dense(dense_units, activation="relu", name="dense")(x)
    x = tf.keras.layers.Dropout(dense_dropout, name="dense_dropout")(x)
    outputs = tf.keras.layers.Dense(features.NUM_CLASSES, activation="softmax", name=features.PROBABILITIES_KEY)(x)
    model = tf.keras.Model(inputs, outputs, name="fashion_mnist_cnn")
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(),
        metrics=[tf.keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return model


def distribution_strategy(name: str) -> tf.distribute.Strategy:
    """The strategy a TrainingConfig.distribution names."""
    strategies = {
        "default": tf.distribute.get_strategy,
        "mirrored": tf.distribute.MirroredStrategy,
        "multi_worker_mirrored": tf.distribute.MultiWorkerMirroredStrategy,
    }
    return strategies[name]()


def cosine_schedule(learning_rate: float, total_steps: int) -> tf.keras.optimizers.schedules.LearningRateSchedule:
    """Cosine decay from ``learning_rate`` to zero over the whole run."""
    return tf.keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=max(total_steps, 1))
