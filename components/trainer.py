"""Training: ``run_fn`` is Trainer's thin adapter over ``train``, which tests call directly."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence

import tensorflow as tf
import tensorflow_transform as tft
from tfx.components.trainer.fn_args_utils import FnArgs

from components import features, legacy_keras, model, serving
from components.hparams import TrainingConfig

# Key of Trainer's custom_config that holds TrainingConfig.to_dict().
TRAINING_CONFIG_KEY = "training"
# Written beside the TensorBoard logs: the TrainingConfig the model was trained with.
TRAINED_CONFIG_FILE = "training_config.json"
# Records parsed and transformed per call; independent of the training batch size.
_PARSE_BATCH = 1024


def _compression(files: Sequence[str]) -> str:
    return "GZIP" if files and all(f.endswith(".gz") for f in files) else ""


def make_dataset(
    file_patterns: Sequence[str],
    tft_output: tft.TFTransformOutput,
    *,
    batch_size: int,
    shuffle: bool,
    seed: int,
    repeat: bool = False,
) -> tf.data.Dataset:
    """Raw tf.Example files -> batches of (transformed image [B, 28, 28, 1], label [B]).

    The Transform graph is applied here (Transform does not materialize its
    output), the same graph the serving signature embeds. Transformed examples
    are cached in memory, so only the first epoch parses.

    ``repeat`` makes the batches endless, one pass after another (reshuffled
    each pass, each pass ending with its partial batch), for ``fit`` with
    ``steps_per_epoch``: see ``train`` for why.
    """
    files = sorted(f for pattern in file_patterns for f in tf.io.gfile.glob(pattern))
    if not files:
        raise FileNotFoundError(f"no example files match {list(file_patterns)}")
    raw_spec = tft_output.raw_feature_spec()
    tft_layer = tft_output.transform_features_layer()
    image_key = features.transformed_name(features.IMAGE_KEY)
    label_key = features.transformed_name(features.LABEL_KEY)

    def transform(serialized: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        transformed = tft_layer(tf.io.parse_example(serialized, raw_spec))
        return transformed[image_key], transformed[label_key]

    dataset = (
        tf.data.TFRecordDataset(files, compression_type=_compression(files))
        .batch(_PARSE_BATCH)
        .map(transform, num_parallel_calls=tf.data.AUTOTUNE)
        .unbatch()
        .cache()
    )
    if shuffle:
        dataset = dataset.shuffle(16384, seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size)
    if repeat:
        dataset = dataset.repeat()
    # No autotuning thread, the likely one that destroying an iterator waited for while training kept
    # both cores busy (see train and README). The parallel map and the prefetch still size themselves
    # (to the cores, and by the prefetch's own buffer tuning).
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.prefetch(tf.data.AUTOTUNE).with_options(options)


def batches_per_pass(file_patterns: Sequence[str], tft_output: tft.TFTransformOutput, *, batch_size: int) -> int:
    """Batches in one pass over the examples: ``steps_per_epoch`` for a ``repeat`` dataset.

    Reads the examples once, through a dataset of its own that is then dropped.
    """
    dataset = make_dataset(file_patterns, tft_output, batch_size=batch_size, shuffle=False, seed=0)
    return int(dataset.reduce(0, lambda count, _: count + 1))


@dataclasses.dataclass(frozen=True)
class TrainingData:
    """What the Trainer and the Tuner's trials fit on."""

    train_data: tf.data.Dataset  # endless: pass steps_per_epoch to fit
    eval_data: tf.data.Dataset
    steps_per_epoch: int


def training_data(
    train_files: Sequence[str], eval_files: Sequence[str], tft_output: tft.TFTransformOutput, config: TrainingConfig
) -> TrainingData:
    """The training and eval datasets of ``config``'s batch size and seed, and the batches in one pass.

    One endless training iterator for the whole fit, as Keras itself does for NumPy arrays. Given a
    finite dataset, Keras makes a new iterator every epoch, and destroying the spent one waited for a
    tf.data thread: 20 s at 3 of 14 epoch boundaries here. One run also lost 50 s after its last
    epoch, where this iterator ends; make_dataset turns tf.data's autotuning thread off (README).
    """
    batching = {"batch_size": config.batch_size, "seed": config.seed}
    return TrainingData(
        train_data=make_dataset(train_files, tft_output, shuffle=True, repeat=True, **batching),
        eval_data=make_dataset(eval_files, tft_output, shuffle=False, **batching),
        steps_per_epoch=batches_per_pass(train_files, tft_output, batch_size=config.batch_size),
    )


def train(
    *,
    train_files: Sequence[str],
    eval_files: Sequence[str],
    tft_output: tft.TFTransformOutput,
    config: TrainingConfig,
    log_dir: str,
    serving_model_dir: str,
) -> dict[str, list[float]]:
    """Trains the CNN and exports it with its serving signature.

    Returns:
      Keras's history: loss and accuracy per epoch, for train and eval.
    """
    legacy_keras.check_legacy_keras()
    tf.keras.utils.set_random_seed(config.seed)
    data = training_data(train_files, eval_files, tft_output, config)
    architecture = {"dense_units": config.dense_units, "dense_dropout": config.dense_dropout}
    with model.distribution_strategy(config.distribution).scope():
        cnn = model.build_model(
            model.cosine_schedule(config.learning_rate, config.epochs * data.steps_per_epoch),
            precision=model.resolve_precision(config.precision),
            **architecture,
        )
    history = cnn.fit(
        data.train_data,
        validation_data=data.eval_data,
        epochs=config.epochs,
        steps_per_epoch=data.steps_per_epoch,
        callbacks=[tf.keras.callbacks.TensorBoard(log_dir=log_dir)],
        verbose=2,
    )
    curves = {k: [float(v) for v in values] for k, values in history.history.items()}
    if not all(math.isfinite(v) for v in curves["loss"]):
        raise RuntimeError(f"training diverged: loss per epoch {curves['loss']}")
    serving.export_serving_model(model.float32_copy(cnn, **architecture), tft_output, serving_model_dir)
    return curves


def run_fn(fn_args: FnArgs) -> None:
    """TFX Trainer callback."""
    config = TrainingConfig.from_dict(fn_args.custom_config[TRAINING_CONFIG_KEY])
    if fn_args.hyperparameters:  # the tune profile: the Tuner's best values replace the configured ones
        from components import tuning

        config = tuning.apply_best(config, fn_args.hyperparameters)
    config = dataclasses.replace(config, precision=model.resolve_precision(config.precision))
    history = train(
        train_files=fn_args.train_files,
        eval_files=fn_args.eval_files,
        tft_output=tft.TFTransformOutput(fn_args.transform_output),
        config=config,
        log_dir=fn_args.model_run_dir,
        serving_model_dir=fn_args.serving_model_dir,
    )
    # Per-epoch curves and the configuration actually trained (after any Tuner values) beside the
    # TensorBoard logs, for reports that should not parse event files.
    tf.io.gfile.makedirs(fn_args.model_run_dir)
    with tf.io.gfile.GFile(f"{fn_args.model_run_dir}/history.json", "w") as f:
        json.dump(history, f)
    with tf.io.gfile.GFile(f"{fn_args.model_run_dir}/{TRAINED_CONFIG_FILE}", "w") as f:
        json.dump(config.to_dict(), f, sort_keys=True)
