"""TrainingConfig's round trip through custom_config, and the Tuner's values merged into it."""

import pytest

from components import hparams
from components.hparams import TrainingConfig


def test_round_trip():
    config = TrainingConfig(epochs=3, batch_size=16, learning_rate=1e-3, seed=7, dense_units=64)
    assert TrainingConfig.from_dict(config.to_dict()) == config


def test_a_renamed_or_unknown_setting_fails_instead_of_being_dropped():
    values = TrainingConfig(epochs=3, batch_size=16, learning_rate=1e-3, seed=7).to_dict()
    values["dropout"] = values.pop("dense_dropout")  # a field renamed on one side only
    with pytest.raises(ValueError, match=r"unknown training settings \['dropout'\]"):
        TrainingConfig.from_dict(values)


def test_best_values_replace_only_the_fields_they_name():
    config = TrainingConfig(epochs=3, batch_size=16, learning_rate=1e-3, seed=0)
    best = {"space": [], "values": {"learning_rate": 4e-3, "dense_units": 256, "tuner/trial_id": "0001"}}
    tuned = hparams.apply_best(config, best)
    assert (tuned.learning_rate, tuned.dense_units) == (4e-3, 256)
    assert (tuned.epochs, tuned.batch_size, tuned.seed, tuned.dense_dropout) == (3, 16, 0, config.dense_dropout)
