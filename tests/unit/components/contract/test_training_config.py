"""TrainingConfig's round trip through custom_config, and the Tuner's values merged into it."""

import pytest

from components.contract import training_config
from components.contract.training_config import TrainingConfig


def test_round_trip_through_json():
    """custom_config travels as JSON, where a tuple becomes a list."""
    import json

    config = TrainingConfig(
        epochs=3, batch_size=16, learning_rate=1e-3, seed=7, network="pool_early", stage_filters=(16, 32, 64)
    )
    assert TrainingConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


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
    assert (tuned.epochs, tuned.batch_size, tuned.seed, tuned.stage_filters) == (3, 16, 0, config.stage_filters)


def test_settings_from_the_command_line_take_their_field_types():
    config = TrainingConfig(epochs=3, batch_size=16, learning_rate=1e-3, seed=0)
    changed = training_config.with_settings(
        config, ["stage_filters=32,64,256", "network=double_conv", "learning_rate=4e-3", "augment=false", "dropout=0.1"]
    )
    assert (changed.stage_filters, changed.network, changed.learning_rate) == ((32, 64, 256), "double_conv", 4e-3)
    assert (changed.augment, changed.dropout) == (False, 0.1)
    assert changed.epochs == 3
    with pytest.raises(ValueError, match="not NAME=VALUE"):
        training_config.with_settings(config, ["width=24"])
    with pytest.raises(ValueError, match="stage_filters must be one or more numbers of at least 1"):
        training_config.with_settings(config, ["stage_filters=32,0"])
    with pytest.raises(ValueError, match="network must be one of double_conv, pool_early"):
        training_config.with_settings(config, ["network=resnet"])
    with pytest.raises(ValueError, match="'stage_filters=32,x': stage_filters takes whole numbers separated by commas"):
        training_config.with_settings(config, ["stage_filters=32,x"])
    with pytest.raises(ValueError, match="'epochs=many': epochs takes a whole number"):
        training_config.with_settings(config, ["epochs=many"])
    with pytest.raises(ValueError, match=r"ema_momentum must be within \[0, 1\)"):
        training_config.with_settings(config, ["ema_momentum=1"])
