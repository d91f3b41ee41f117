"""Training: ``run_fn`` is Trainer's thin adapter over ``train``, which tests call directly."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import tempfile
from collections.abc import Sequence

import tensorflow as tf
import tensorflow_transform as tft
from tfx.components.trainer.fn_args_utils import FnArgs

from components import legacy_keras
from components.contract import files, keys, training_config
from components.contract.training_config import TrainingConfig
from components.training import callbacks, dataset, devices, export, network, warm_start_weights, workers


def train(
    *,
    train_files: Sequence[str],
    eval_files: Sequence[str],
    tft_output: tft.TFTransformOutput,
    config: TrainingConfig,
    log_dir: str,
    serving_model_dir: str,
    strategy: tf.distribute.Strategy | None = None,
    warm_start_dir: str | None = None,
) -> tuple[dict[str, list[float]], dict[str, object]]:
    """Trains the CNN and exports it with its serving signature.

    Under ``multi_worker_mirrored`` every worker calls this. Only the chief exports to
    ``serving_model_dir`` and keeps TensorBoard logs in ``log_dir`` (Keras sends another worker's
    to a folder of its own there and removes it); the others save to a temporary folder and remove
    it. No worker returns before every worker has exported: TFX's Trainer executor checks that
    ``serving_model_dir`` exists as soon as ``run_fn`` returns, on every worker, and without the
    wait a worker got there before the chief had begun to save (measured: "run_fn failed to
    generate model").

    Args:
      strategy: the distribution strategy to train under; by default the one ``config.distribution``
        names. ``run_fn`` passes the one it created first.
      warm_start_dir: the weights folder (``save_weights_for_warm_start``) of the model to start from;
        used, for ``config.warm_start_epochs`` epochs, when its weights fit this architecture.

    Returns:
      Keras's history (loss and accuracy per epoch, for train and eval) with each epoch's seconds, and the
      warm start made:
      ``{"base_model": its folder or None, "epochs": ..., "reason": why not, when not}``.
    """
    legacy_keras.check_legacy_keras()
    if strategy is None:
        strategy = devices.distribution_strategy(config.distribution)
    role = devices.worker_role(strategy)
    tf.keras.utils.set_random_seed(config.seed)  # the same on every worker: the same shuffles, the same start
    if config.deterministic_ops:
        tf.config.experimental.enable_op_determinism()
    data = dataset.training_data(train_files, eval_files, tft_output, config, replicas=strategy.num_replicas_in_sync)
    architecture = network.architecture_of(config).record()
    start = warm_start_weights.plan(warm_start_dir, architecture, config)
    with strategy.scope():
        schedule = network.cosine_schedule(
            config.learning_rate,
            start.epochs * data.steps_per_epoch,
            warmup_steps=config.warmup_epochs * data.steps_per_epoch,
        )
        cnn = network.from_config(config, schedule)
        start = warm_start_weights.load(cnn, start)
        # The optimizer's slots made now, not in fit's first step, where making them had tf.function trace the
        # training step a second time (the weights trained are the same bytes either way).
        cnn.optimizer.build(cnn.trainable_variables)
    logging.getLogger(__name__).info("warm start: %s", start.describe())
    epochs = callbacks.EpochLogger("training", start.epochs)
    history = cnn.fit(
        data.train_data,
        validation_data=data.eval_data,
        epochs=start.epochs,
        steps_per_epoch=data.steps_per_epoch,
        callbacks=[tf.keras.callbacks.TensorBoard(log_dir=log_dir), epochs],
        verbose=2,
    )
    curves = {k: [float(v) for v in values] for k, values in history.history.items()}
    curves[files.EPOCH_SECONDS_KEY] = epochs.seconds
    if not all(math.isfinite(v) for v in curves["loss"]):
        raise RuntimeError(f"training diverged: loss per epoch {curves['loss']}")
    with tempfile.TemporaryDirectory(prefix="serving-model-") as scratch:
        export_dir = workers.export_dir(role, serving_model_dir=serving_model_dir, scratch_dir=scratch)
        logging.getLogger(__name__).info(
            "%s of %d replicas exports to %s", role.name, strategy.num_replicas_in_sync, export_dir
        )
        trained, exported = network.for_serving(cnn, config)
        export.export_serving_model(exported, tft_output, export_dir)
        if role.is_chief:
            warm_start_weights.save_weights(trained, warm_start_weights.model_root(serving_model_dir), architecture)
    if role.in_cluster:
        devices.wait_for_all_workers(strategy)
    return curves, start.to_json()


def run_fn(fn_args: FnArgs) -> None:
    """TFX Trainer callback."""
    config = TrainingConfig.from_dict(fn_args.custom_config[keys.TRAINING_CONFIG_KEY])
    # Before any other TensorFlow work, as MultiWorkerMirroredStrategy asks.
    strategy = devices.distribution_strategy(config.distribution)
    if fn_args.hyperparameters:  # the tune profile: the Tuner's best values replace the configured ones
        config = training_config.apply_best(config, fn_args.hyperparameters)
    config = dataclasses.replace(config, precision=devices.resolve_precision(config.precision))
    history, start = train(
        train_files=fn_args.train_files,
        eval_files=fn_args.eval_files,
        tft_output=tft.TFTransformOutput(fn_args.transform_output),
        config=config,
        log_dir=fn_args.model_run_dir,
        serving_model_dir=fn_args.serving_model_dir,
        strategy=strategy,
        warm_start_dir=warm_start_weights.weights_dir(fn_args.base_model)
        if config.warm_start and fn_args.base_model
        else None,
    )
    if not devices.worker_role(strategy).is_chief:
        return  # the chief writes the run's files; every worker trained the same weights
    # Per-epoch curves and the configuration actually trained (after any Tuner values) beside the
    # TensorBoard logs, for reports that should not parse event files.
    tf.io.gfile.makedirs(fn_args.model_run_dir)
    with tf.io.gfile.GFile(f"{fn_args.model_run_dir}/{files.HISTORY_FILE}", "w") as f:
        json.dump(history, f)
    with tf.io.gfile.GFile(f"{fn_args.model_run_dir}/{files.TRAINED_CONFIG_FILE}", "w") as f:
        json.dump(config.to_dict(), f, sort_keys=True)
    with tf.io.gfile.GFile(
        f"{warm_start_weights.model_root(fn_args.serving_model_dir)}/{files.WARM_START_FILE}", "w"
    ) as f:
        json.dump(start, f, sort_keys=True)
