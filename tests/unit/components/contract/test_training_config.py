"""TrainingConfig's round trip through custom_config, and the Tuner's values merged into it."""

import pytest

from components.contract import training_config
from components.contract.training_config import TrainingConfig


def test_round_trip():
    config = TrainingConfig(epochs=3, batch_size=16, learning_rate=1e-3, seed=7, filters=16)
    assert TrainingConfig.from_dict(config.to_dict()) == config


def test_a_renamed_or_unknown_setting_fails_instead_of_being_dropped():
    values = TrainingConfig(epochs=3, batch_size=16, learning_rate=1e-3, seed=7).to_dict()
    values["dense_dropout"] = values.pop("dropout")  # a field renamed on one side only
    with pytest.raises(ValueError, match=r"unknown training settings \['dense_dropout'\]"):
        TrainingConfig.from_dict(values)


def test_best_values_replace_only_the_fields_they_name():
    config = TrainingConfig(epochs=3, batch_size=16, learning_rate=1e-3, seed=0)
    best = {"space": [], "values": {"learning_rate": 4e-3, "dropout": 0.2, "tuner/trial_id": "0001"}}
    tuned = training_config.apply_best(config, best)
    assert (tuned.learning_rate, tuned.dropout) == (4e-3, 0.2)
    assert (tuned.epochs, tuned.batch_size, tuned.seed, tuned.filters) == (3, 16, 0, config.filters)


def test_settings_from_the_command_line_take_their_field_types():
    config = TrainingConfig(epochs=3, batch_size=16, learning_rate=1e-3, seed=0)
    changed = training_config.with_settings(
        config, ["filters=24", "learning_rate=4e-3", "augment=false", "dropout=0.1"]
    )
    assert (changed.filters, changed.learning_rate, changed.augment, changed.dropout) == (24, 4e-3, False, 0.1)
    assert changed.epochs == 3
    with pytest.raises(ValueError, match="not NAME=VALUE"):
        training_config.with_settings(config, ["width=24"])
    with pytest.raises(ValueError, match="filters must be at least 1"):
        training_config.with_settings(config, ["filters=0"])
    with pytest.raises(ValueError, match=r"ema_momentum must be within \[0, 1\)"):
        training_config.with_settings(config, ["ema_momentum=1"])
