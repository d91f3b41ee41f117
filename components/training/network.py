"""The Keras CNN: plain functions, no TFX.

Needs ``TF_USE_LEGACY_KERAS=1`` set before TensorFlow is imported (the entry
points do it), so that ``tf.keras`` is Keras 2 as TFT and TFMA 1.16 require.
"""

from __future__ import annotations

import dataclasses

import tensorflow as tf

from components.contract import features
from components.contract.training_config import TrainingConfig
from components.training import devices

# TrainingConfig's defaults are the network's defaults.
_DEFAULT = {f.name: f.default for f in dataclasses.fields(TrainingConfig)}


@dataclasses.dataclass(frozen=True)
class Architecture:
    """The network's shape: what decides its weights (and so what a warm start has to match), and dropout.

    Attributes:
      network: ``double_conv`` (two convs at each stage's full resolution, then pooling) or ``pool_early``
        (a stem conv, then each stage's second conv at half its first's resolution: about half the compute).
      stem_filters: ``pool_early``'s first 3x3 convolution, at full resolution; ``double_conv`` has none.
      stage_filters: each stage's convolution filters.
      dropout: dropout rate after every stage but the last (0: none).
    """

    network: str = _DEFAULT["network"]
    stem_filters: int = _DEFAULT["stem_filters"]
    stage_filters: tuple[int, ...] = _DEFAULT["stage_filters"]
    dropout: float = _DEFAULT["dropout"]

    def record(self) -> dict[str, object]:
        """The settings that decide the weights' shapes, as JSON (warm_start_weights.py compares them)."""
        stem = {"stem_filters": self.stem_filters} if self.network == "pool_early" else {}
        return {"network": self.network, **stem, "stage_filters": list(self.stage_filters)}


def architecture_of(config: TrainingConfig) -> Architecture:
    """The network ``config`` describes."""
    return Architecture(config.network, config.stem_filters, tuple(config.stage_filters), config.dropout)


def _conv_bn_relu(x: tf.Tensor, filters: int, name: str, *, pool: bool = False) -> tf.Tensor:
    """3x3 conv, then (``pool``) 2x2 max pooling, then batch norm and ReLU."""
    x = tf.keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    if pool:
        x = tf.keras.layers.MaxPooling2D(name=f"{name}_pool")(x)
    # momentum 0.9, not Keras's 0.99: the moving statistics settle within a
    # few dozen steps, so even the smoke profile's short run evaluates sensibly.
    x = tf.keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
    return tf.keras.layers.ReLU(name=f"{name}_relu")(x)


def _pool_early(x: tf.Tensor, shape: Architecture) -> tf.Tensor:
    """A stem conv at full resolution, then stages of conv -> 2x2 max pool -> BN -> ReLU -> conv -> BN -> ReLU:
    each stage's second conv runs at half its first's resolution (the layout of the fastest CIFAR-10 recipes).
    """
    x = _conv_bn_relu(x, shape.stem_filters, "stem")  # [N, 28, 28, S]
    # stage1 -> [N, 14, 14, F1]; stage2 -> [N, 7, 7, F2]; stage3 -> [N, 3, 3, F3]
    for number, filters in enumerate(shape.stage_filters, start=1):
        x = _conv_bn_relu(x, filters, f"stage{number}a", pool=True)
        x = _conv_bn_relu(x, filters, f"stage{number}b")
        if shape.dropout and number < len(shape.stage_filters):
            x = tf.keras.layers.Dropout(shape.dropout, name=f"stage{number}_dropout")(x)
    return x


def _double_conv(x: tf.Tensor, shape: Architecture) -> tf.Tensor:
    """Stages of two 3x3 conv + BN + ReLU at full stage resolution, then 2x2 max pooling after every stage but
    the last (docs/pipeline.md, "The model")."""
    # block1 -> [N, 14, 14, F1]; block2 -> [N, 7, 7, F2]; block3 (no pooling, no dropout) -> [N, 7, 7, F3]
    for number, filters in enumerate(shape.stage_filters, start=1):
        last = number == len(shape.stage_filters)
        for i in (1, 2):
            x = tf.keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"block{number}_conv{i}")(x)
            x = tf.keras.layers.BatchNormalization(momentum=0.9, name=f"block{number}_bn{i}")(x)
            x = tf.keras.layers.ReLU(name=f"block{number}_relu{i}")(x)
        if not last:
            x = tf.keras.layers.MaxPooling2D(name=f"block{number}_pool")(x)
            if shape.dropout:
                x = tf.keras.layers.Dropout(shape.dropout, name=f"block{number}_dropout")(x)
    return x


_BODIES = {"pool_early": _pool_early, "double_conv": _double_conv}


def build_model(
    learning_rate: float | tf.keras.optimizers.schedules.LearningRateSchedule,
    shape: Architecture = Architecture(),
    *,
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
        cnn = _network(shape)
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
        architecture_of(config),
        label_smoothing=config.label_smoothing,
        precision=devices.resolve_precision(config.precision),
        ema_momentum=config.ema_momentum,
    )


def for_serving(trained: tf.keras.Model, config: TrainingConfig) -> tuple[tf.keras.Model, tf.keras.Model]:
    """The float32 copy of ``trained`` (whose weights a warm start reuses) and the model to serve: the
    copy itself, or the copy with flip averaging when ``config.flip_averaging``."""
    copy = float32_copy(trained, architecture_of(config))
    return copy, with_flip_averaging(copy) if config.flip_averaging else copy


def one_hot_targets(label_smoothing: float) -> bool:
    """Whether a model compiled with ``label_smoothing`` trains on one-hot labels (``one_hot_labels``)."""
    return label_smoothing > 0


def float32_copy(trained: tf.keras.Model, shape: Architecture) -> tf.keras.Model:
    """The same network in float32 with ``trained``'s weights, compiled for class ids.

    A model trained in mixed precision runs its layers in bfloat16; the served model should
    not depend on bfloat16 support of whatever machine serves it.
    """
    copy = build_model(1e-3, shape, precision="float32")
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


def _network(shape: Architecture) -> tf.keras.Model:
    if shape.network not in _BODIES:
        raise ValueError(f"network must be one of {', '.join(_BODIES)}, got {shape.network!r}")
    inputs = tf.keras.Input(
        shape=(features.IMAGE_HEIGHT, features.IMAGE_WIDTH, features.IMAGE_CHANNELS),
        name=features.transformed_name(features.IMAGE_KEY),
    )  # [N, 28, 28, 1]
    x = _BODIES[shape.network](inputs, shape)
    x = tf.keras.layers.GlobalAveragePooling2D(name="pool")(x)  # [N, F3]
    outputs = tf.keras.layers.Dense(
        features.NUM_CLASSES, activation="softmax", dtype="float32", name=features.PROBABILITIES_KEY
    )(x)  # float32 softmax under any policy
    return tf.keras.Model(inputs, outputs, name="fashion_mnist_cnn")


def multiply_adds(cnn: tf.keras.Model) -> int:
    """Multiply-adds of one image's forward pass through ``cnn``'s convolutions and dense layers (what the
    compute is; batch norm, pooling and activations are left out). Of the network itself: a flip-averaged
    model runs it twice per image."""
    total = 0
    for layer in cnn.layers:
        if isinstance(layer, tf.keras.layers.Conv2D):
            height, width, out_channels = layer.output_shape[1:]
            kernel_h, kernel_w = layer.kernel_size
            total += height * width * kernel_h * kernel_w * layer.input_shape[-1] * out_channels
        elif isinstance(layer, tf.keras.layers.Dense):
            total += layer.input_shape[-1] * layer.units
    return total


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
    _trace_without_autograph(cnn)


# The steps fit, evaluate and predict trace: Keras traces each through autograph, which then rewrites every
# layer, loss, metric and optimizer method the step reaches (about 3,800 conversions for this net's training step),
# most of a small run's first epoch. Nothing on that path branches or loops in Python on a tensor's value (Keras's
# own layers use tf.cond where they must), so traced as written they build the same graph.
_STEPS = ("train_step", "test_step", "predict_step")


def _trace_without_autograph(cnn: tf.keras.Model) -> None:
    """Has ``cnn``'s compiled steps traced without autograph (``tf.autograph.experimental.do_not_convert``:
    nothing they call is converted either)."""
    for step in _STEPS:
        setattr(cnn, step, tf.autograph.experimental.do_not_convert(getattr(cnn, step)))


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
