"""The Keras CNN: plain functions, no TFX.

Needs ``TF_USE_LEGACY_KERAS=1`` set before TensorFlow is imported (the entry
points do it), so that ``tf.keras`` is Keras 2 as TFT and TFMA 1.16 require.
"""

from __future__ import annotations

import tensorflow as tf

from components.contract import features
from components.contract.training_config import TrainingConfig
from components.training import devices

# The stages' widths, as multiples of ``filters``. Each stage is two 3x3 conv + batch norm + ReLU, then 2x2 max
# pooling after every stage but the last: 28x28 -> 14x14 -> 7x7; then global average pooling and one Dense
# softmax layer. The third stage is what lifted test accuracy past the 0.935 at which two-stage nets level
# off, at 1.6x their cost per epoch here (docs/pipeline.md, "The model").
STAGE_WIDTHS = (1, 2, 4)


def _stage(x: tf.Tensor, filters: int, name: str, *, pool: bool, dropout: float) -> tf.Tensor:
    """Two 3x3 conv + batch norm + ReLU, then (``pool``) 2x2 max pooling and dropout."""
    for i in (1, 2):
        x = tf.keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{i}")(x)
        # momentum 0.9, not Keras's 0.99: the moving statistics settle within a
        # few dozen steps, so even the smoke profile's short run evaluates sensibly.
        x = tf.keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_bn{i}")(x)
        x = tf.keras.layers.ReLU(name=f"{name}_relu{i}")(x)
    if pool:
        x = tf.keras.layers.MaxPooling2D(name=f"{name}_pool")(x)
        if dropout:
            x = tf.keras.layers.Dropout(dropout, name=f"{name}_dropout")(x)
    return x


def build_model(
    learning_rate: float | tf.keras.optimizers.schedules.LearningRateSchedule,
    *,
    filters: int = 32,
    dropout: float = 0.0,
    label_smoothing: float = 0.0,
    precision: str = "float32",
    ema_momentum: float = 0.0,
) -> tf.keras.Model:
    """Builds and compiles the CNN: transformed image in, class probabilities out.

    With ``label_smoothing`` the model is compiled for one-hot labels (``one_hot_labels``), since
    Keras 2's sparse cross-entropy has no smoothing; without, for the class ids themselves.
    ``precision`` is the Keras dtype policy of the layers (``float32`` or ``mixed_bfloat16``);
    variables and the output probabilities are float32 either way. With ``ema_momentum`` the optimizer
    keeps a moving average of the weights, and ``fit`` leaves the model with the average at its end.
    """
    previous = tf.keras.mixed_precision.global_policy()
    tf.keras.mixed_precision.set_global_policy(precision)
    try:
        cnn = _network(filters=filters, dropout=dropout)
    finally:
        tf.keras.mixed_precision.set_global_policy(previous)
    _compile(cnn, learning_rate, label_smoothing, ema_momentum)
    return cnn


def from_config(
    config: TrainingConfig, learning_rate: float | tf.keras.optimizers.schedules.LearningRateSchedule
) -> tf.keras.Model:
    """``build_model`` with ``config``'s network, label smoothing and precision: the model every trainer fits."""
    return build_model(
        learning_rate,
        filters=config.filters,
        dropout=config.dropout,
        label_smoothing=config.label_smoothing,
        precision=devices.resolve_precision(config.precision),
        ema_momentum=config.ema_momentum,
    )


def for_serving(trained: tf.keras.Model, config: TrainingConfig) -> tuple[tf.keras.Model, tf.keras.Model]:
    """The float32 copy of ``trained`` (whose weights a warm start reuses) and the model to serve: the
    copy itself, or the copy with flip averaging when ``config.flip_averaging``."""
    copy = float32_copy(trained, filters=config.filters, dropout=config.dropout)
    return copy, with_flip_averaging(copy) if config.flip_averaging else copy


def one_hot_targets(label_smoothing: float) -> bool:
    """Whether a model compiled with ``label_smoothing`` trains on one-hot labels (``one_hot_labels``)."""
    return label_smoothing > 0


def architecture(filters: int) -> dict[str, int]:
    """The settings that decide the weights' shapes: what a warm start has to match."""
    return {"filters": filters, "stages": len(STAGE_WIDTHS)}


def float32_copy(trained: tf.keras.Model, *, filters: int, dropout: float = 0.0) -> tf.keras.Model:
    """The same network in float32 with ``trained``'s weights, compiled for class ids.

    A model trained in mixed precision runs its layers in bfloat16; the served model should
    not depend on bfloat16 support of whatever machine serves it.
    """
    copy = build_model(1e-3, filters=filters, dropout=dropout, precision="float32")
    copy.set_weights(trained.get_weights())
    return copy


def with_flip_averaging(cnn: tf.keras.Model) -> tf.keras.Model:
    """``cnn`` predicting the mean of its probabilities for each image and for its mirror image.

    Built from stock layers only, so ``tf.keras.models.load_model`` needs no custom objects; it
    shares ``cnn``'s weights and costs two passes per image.
    """
    inputs = tf.keras.Input(shape=cnn.input_shape[1:], name=cnn.input_names[0])
    mirrored = tf.reverse(inputs, axis=[2])  # [N, 28, 28, 1], left and right swapped
    outputs = tf.keras.layers.Average(name=features.PROBABILITIES_KEY)([cnn(inputs), cnn(mirrored)])
    averaged = tf.keras.Model(inputs, outputs, name=f"{cnn.name}_flip_averaged")
    _compile(averaged, 1e-3, 0.0)
    return averaged


def one_hot_labels(labels: tf.Tensor) -> tf.Tensor:
    """Class ids [B] -> float32 one-hot [B, 10]: the targets of a model compiled with label smoothing."""
    return tf.one_hot(tf.cast(tf.reshape(labels, [-1]), tf.int32), features.NUM_CLASSES)


def _network(*, filters: int, dropout: float) -> tf.keras.Model:
    inputs = tf.keras.Input(
        shape=(features.IMAGE_HEIGHT, features.IMAGE_WIDTH, features.IMAGE_CHANNELS),
        name=features.transformed_name(features.IMAGE_KEY),
    )  # [N, 28, 28, 1]
    x = inputs
    # block1 -> [N, 14, 14, F]; block2 -> [N, 7, 7, 2F]; block3 (no pooling, no dropout) -> [N, 7, 7, 4F]
    for number, width in enumerate(STAGE_WIDTHS, start=1):
        last = number == len(STAGE_WIDTHS)
        x = _stage(x, width * filters, f"block{number}", pool=not last, dropout=0.0 if last else dropout)
    x = tf.keras.layers.GlobalAveragePooling2D(name="pool")(x)  # [N, 4F]
    outputs = tf.keras.layers.Dense(
        features.NUM_CLASSES, activation="softmax", dtype="float32", name=features.PROBABILITIES_KEY
    )(x)  # float32 softmax under any policy
    return tf.keras.Model(inputs, outputs, name="fashion_mnist_cnn")


def _compile(
    cnn: tf.keras.Model,
    learning_rate: float | tf.keras.optimizers.schedules.LearningRateSchedule,
    label_smoothing: float,
    ema_momentum: float = 0.0,
) -> None:
    if one_hot_targets(label_smoothing):
        loss = tf.keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing)
        accuracy = tf.keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        loss = tf.keras.losses.SparseCategoricalCrossentropy()
        accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    optimizer = tf.keras.optimizers.Adam(learning_rate, use_ema=ema_momentum > 0, ema_momentum=ema_momentum or 0.99)
    cnn.compile(optimizer=optimizer, loss=loss, metrics=[accuracy])


def cosine_schedule(
    learning_rate: float, total_steps: int, warmup_steps: int = 0
) -> tf.keras.optimizers.schedules.LearningRateSchedule:
    """Linear warm-up from zero to ``learning_rate`` over ``warmup_steps``, then cosine decay to zero
    over the rest of the run's ``total_steps``."""
    warmup_steps = min(warmup_steps, max(total_steps - 1, 0))
    if not warmup_steps:
        return tf.keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=max(total_steps, 1))
    return tf.keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=total_steps - warmup_steps, warmup_target=learning_rate, warmup_steps=warmup_steps
    )
