"""The run profiles: the defaults each sets, every one overridable on the command line.

* ``full`` (default): the whole dataset, the production model.
* ``smoke``: a small stratified real subset and two short epochs (one left the
  three-stage double_conv net's batch-norm statistics behind: 0.29 test accuracy, two: 0.80; pool_early,
  the default since, 0.80 in two), for quick
  end-to-end checks. It has its own pipeline and model name, so its models are
  never compared with, or served in place of, full ones.
* ``best``: ``full`` with a wider last stage, trained for longer (docs/pipeline.md, "The best profile"), for
  the best accuracy within 30 minutes here. Same model name as ``full``: it replaces the served model only by
  beating it.
* ``tune``: ``full`` with TFX's Tuner first (a small KerasTuner random search);
  the Trainer then uses the best hyperparameters. Same model name as ``full``:
  a tuned model has to beat the served one to be pushed.
"""

from __future__ import annotations

import dataclasses

from components.contract.training_config import TrainingConfig

# The best profile: pool_early with a last stage twice as wide, for as many epochs as fit 30 minutes of
# `make run-pipeline` here with room for a busier machine (docs/pipeline.md, "The best profile").
BEST_STAGE_FILTERS = (32, 64, 256)
BEST_EPOCHS = 40


@dataclasses.dataclass(frozen=True)
class Profile:
    """The defaults a profile sets; every one can be overridden on the command line."""

    name: str
    model_name: str
    training: TrainingConfig
    eval_fraction: float
    train_limit: int | None
    test_limit: int | None
    accuracy_floor: float
    class_accuracy_floor: float
    tune_trials: int = 0  # 0: no Tuner
    tune_epochs: int = 0


PROFILES: dict[str, Profile] = {
    "full": Profile(
        name="full",
        model_name="fashion_mnist",
        # pool_early (TrainingConfig's default network), 18 epochs: one of warm-up, then cosine decay
        # (docs/pipeline.md, "The model").
        training=TrainingConfig(epochs=18, batch_size=128, learning_rate=2e-3, seed=42, warm_start_epochs=5),
        eval_fraction=1 / 12,  # 5,000 of the official 60,000
        train_limit=None,
        test_limit=None,
        accuracy_floor=0.90,
        class_accuracy_floor=0.50,
    ),
    "smoke": Profile(
        name="smoke",
        model_name="fashion_mnist_smoke",
        training=TrainingConfig(
            epochs=2, batch_size=64, learning_rate=2e-3, seed=42, warm_start_epochs=1, warmup_epochs=0
        ),
        eval_fraction=1 / 120,  # 500 of the official 60,000
        train_limit=3000,
        test_limit=1000,
        accuracy_floor=0.50,
        class_accuracy_floor=0.0,
    ),
}
PROFILES["tune"] = dataclasses.replace(PROFILES["full"], name="tune", tune_trials=4, tune_epochs=2)
PROFILES["best"] = dataclasses.replace(
    PROFILES["full"],
    name="best",
    training=dataclasses.replace(PROFILES["full"].training, stage_filters=BEST_STAGE_FILTERS, epochs=BEST_EPOCHS),
)
