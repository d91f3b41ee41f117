"""train(): the run_fn's body on a few real-format examples, through the real Transform graph."""

import dataclasses
import logging
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from components.contract import features, files, progress
from components.contract.training_config import TrainingConfig
from components.training import trainer, warm_start_weights
from tests.support.example_records import fixture_images, write_examples


def test_trains_logs_and_exports(transform_output, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger=progress.LOGGER_NAME)
    images, labels = fixture_images(60, seed=1)
    train_file = write_examples(tmp_path / "train.tfrecord", images[:40], labels[:40])
    eval_file = write_examples(tmp_path / "eval.tfrecord", images[40:], labels[40:])
    history, start = trainer.train(
        train_files=[str(train_file)],
        eval_files=[str(eval_file)],
        tft_output=transform_output,
        config=TrainingConfig(epochs=2, batch_size=16, learning_rate=1e-3, seed=0),
        log_dir=str(tmp_path / "logs"),
        serving_model_dir=str(tmp_path / "model"),
    )
    assert start == {"base_model": None, "epochs": 2, "reason": "no blessed model trained on an older window"}
    assert set(history) >= {"loss", "accuracy", "val_loss", "val_accuracy", files.EPOCH_SECONDS_KEY}
    assert all(len(values) == 2 for values in history.values())
    epochs = [getattr(r, progress.RECORD_ATTRIBUTE) for r in caplog.records if r.name == progress.LOGGER_NAME]
    assert [(e.task, e.epoch, e.epochs) for e in epochs] == [("training", 1, 2), ("training", 2, 2)]
    assert [e.eval_accuracy for e in epochs] == history["val_accuracy"]
    assert epochs[-1].seconds_left == 0 and all(e.seconds > 0 for e in epochs)
    assert history[files.EPOCH_SECONDS_KEY] == [e.seconds for e in epochs]
    assert list((tmp_path / "logs").rglob("events.out.tfevents.*")), "TensorBoard logs in the run directory"
    signatures = tf.saved_model.load(str(tmp_path / "model")).signatures
    assert {features.SERVING_SIGNATURE, features.IMAGES_SIGNATURE} <= set(signatures)


def test_one_training_step_under_mirrored_strategy(transform_output, tmp_path: Path):
    images, labels = fixture_images(20, seed=2)
    data = write_examples(tmp_path / "train.tfrecord", images, labels)
    history, _ = trainer.train(
        train_files=[str(data)],
        eval_files=[str(data)],
        tft_output=transform_output,
        config=TrainingConfig(epochs=1, batch_size=20, learning_rate=1e-3, seed=0, distribution="mirrored"),
        log_dir=str(tmp_path / "logs"),
        serving_model_dir=str(tmp_path / "model"),
    )
    assert len(history["loss"]) == 1
    assert (tmp_path / "model" / "saved_model.pb").is_file()


def test_a_warm_start_begins_from_the_base_models_weights(transform_output, tmp_path: Path):
    images, labels = fixture_images(40, seed=3)
    data = write_examples(tmp_path / "d.tfrecord", images, labels)

    def train(name: str, warm_start_dir: str | None, **settings) -> dict:
        config = TrainingConfig(epochs=2, batch_size=20, learning_rate=1e-3, seed=0, warm_start_epochs=1)
        for key, value in settings.items():
            config = dataclasses.replace(config, **{key: value})
        _, start = trainer.train(
            train_files=[str(data)],
            eval_files=[str(data)],
            tft_output=transform_output,
            config=config,
            log_dir=str(tmp_path / name / "logs"),
            serving_model_dir=str(tmp_path / name / "Format-Serving"),
            warm_start_dir=warm_start_dir,
        )
        return start

    train("base", None)
    base_weights = str(tmp_path / "base" / files.WEIGHTS_DIR)
    assert (tmp_path / "base" / files.WEIGHTS_DIR / warm_start_weights.ARCHITECTURE_FILE).is_file()
    # A learning rate too small to move a weight: the warm-started model is the base model.
    start = train("warm", base_weights, learning_rate=1e-12)
    assert start == {"base_model": str(tmp_path / "base"), "epochs": 1, "reason": ""}

    # Trainable weights equal the base model's (BatchNorm's moving statistics still move a little).
    def kernels(name: str) -> dict[str, np.ndarray]:
        loaded = tf.saved_model.load(str(tmp_path / name / "Format-Serving"))
        return {v.name: v.numpy() for v in loaded.trainable_variables}

    base, warm = kernels("base"), kernels("warm")
    assert base.keys() == warm.keys() and len(base) > 4
    for name, value in base.items():
        np.testing.assert_allclose(warm[name], value, atol=1e-6, err_msg=name)
    train("scratch", None, learning_rate=1e-12)
    scratch = kernels("scratch")
    assert any(not np.allclose(scratch[name], value, atol=1e-3) for name, value in base.items())
    other = train("other", base_weights, stage_filters=(16, 32, 64))
    assert other["base_model"] is None and other["epochs"] == 2 and "architecture differs" in other["reason"]
