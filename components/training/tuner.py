"""``tuner_fn``: TFX Tuner's callback, a small random search with KerasTuner (the ``tune`` profile only).

KerasTuner 1.4's Keras tuners accept only Keras 3 models and reject this
project's tf_keras (Keras 2) model (keras-team/keras-tuner#1039), so the search
runs on KerasTuner's ``BaseTuner`` with its random-search oracle and a
``run_trial`` that trains with the Trainer's own dataset and model code.
"""

from __future__ import annotations

from typing import Any

import keras_tuner
import tensorflow_transform as tft
from tfx.components.trainer.fn_args_utils import FnArgs
from tfx.components.tuner.component import TunerFnResult

from components.contract import keys, training_config
from components.contract.training_config import TrainingConfig
from components.training import callbacks, dataset, network

OBJECTIVE = "val_accuracy"


def search_space() -> keras_tuner.HyperParameters:
    """Peak learning rate and dropout: the knobs that leave an epoch's cost as it is.

    Width (``stage_filters``) is left out: 48 or 64 first-stage filters cost 2-4x per epoch on two CPU cores.
    """
    hp = keras_tuner.HyperParameters()
    hp.Choice("learning_rate", [1e-3, 2e-3, 4e-3])
    hp.Choice("dropout", [0.0, 0.1, 0.2])
    return hp


class SearchTuner(keras_tuner.engine.base_tuner.BaseTuner):
    """Trains one tf_keras model per trial and reports its best validation accuracy."""

    config: TrainingConfig | None = None  # tuner_fn sets the run's; a trial changes the searched values only

    def run_trial(
        self, trial: Any, *, train_data: Any, eval_data: Any, epochs: int, steps_per_epoch: int, verbose: int = 2
    ) -> dict:
        hp = trial.hyperparameters
        config = training_config.apply_best(self.config, hp.get_config())  # this trial's learning rate and dropout
        cnn = network.from_config(config, config.learning_rate)
        number = len(self.oracle.trials)  # this trial is registered with the oracle by now
        history = cnn.fit(
            train_data,
            validation_data=eval_data,
            epochs=epochs,
            steps_per_epoch=steps_per_epoch,
            callbacks=[callbacks.EpochLogger(f"trial {number}/{self.oracle.max_trials}", epochs)],
            verbose=verbose,
        )
        return {OBJECTIVE: max(history.history[OBJECTIVE])}

    def save_model(self, trial_id: str, model: Any, step: int = 0) -> None:
        """Trial models are not kept: the Trainer retrains the best configuration for the full schedule."""

    def load_model(self, trial: Any) -> None:
        raise NotImplementedError("trial models are not kept; train with the best hyperparameters instead")


def tuner_fn(fn_args: FnArgs) -> TunerFnResult:
    """TFX Tuner callback."""
    config = TrainingConfig.from_dict(fn_args.custom_config[keys.TRAINING_CONFIG_KEY])
    tft_output = tft.TFTransformOutput(fn_args.transform_graph_path)
    oracle = keras_tuner.oracles.RandomSearchOracle(
        objective=keras_tuner.Objective(OBJECTIVE, "max"),
        max_trials=fn_args.custom_config[keys.TUNE_TRIALS_KEY],
        hyperparameters=search_space(),
        seed=config.seed,
    )
    tuner = SearchTuner(oracle, directory=fn_args.working_dir, project_name="fashion_mnist_search", overwrite=True)
    tuner.config = config
    data = dataset.training_data(fn_args.train_files, fn_args.eval_files, tft_output, config)
    return TunerFnResult(
        tuner=tuner,
        fit_kwargs={
            "train_data": data.train_data,
            "eval_data": data.eval_data,
            "steps_per_epoch": data.steps_per_epoch,
            "epochs": fn_args.custom_config[keys.TUNE_EPOCHS_KEY],
        },
    )
