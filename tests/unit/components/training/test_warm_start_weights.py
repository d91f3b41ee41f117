"""Whether a Trainer warm-starts from its base model's weights, and what it says when it does not."""

import json

from components.contract.training_config import TrainingConfig
from components.training import warm_start_weights

CONFIG = TrainingConfig(
    epochs=18, batch_size=128, learning_rate=2e-3, seed=42, network="pool_early", warm_start_epochs=5
)
POOL_EARLY = {"network": "pool_early", "stem_filters": 16, "stage_filters": [32, 64, 128]}


def _weights_dir(tmp_path, record: dict) -> str:
    (tmp_path / warm_start_weights.ARCHITECTURE_FILE).write_text(json.dumps({**record, "weight_shapes": [[3, 3]]}))
    return str(tmp_path)


def test_the_same_architecture_warm_starts_for_the_warm_start_epochs(tmp_path):
    start = warm_start_weights.plan(_weights_dir(tmp_path, POOL_EARLY), POOL_EARLY, CONFIG)
    assert (start.weights_dir, start.epochs, start.reason) == (str(tmp_path), 5, "")


def test_the_first_run_after_a_change_of_network_says_both_and_trains_from_scratch(tmp_path):
    # What a model trained before networks were named recorded: the first stage's filters, three stages.
    start = warm_start_weights.plan(_weights_dir(tmp_path, {"filters": 32, "stages": 3}), POOL_EARLY, CONFIG)
    assert (start.weights_dir, start.epochs) == (None, 18)
    assert start.reason == "the base model's architecture differs: double_conv 32/64/128, now pool_early 16/32/64/128"
    assert start.describe() == f"from scratch, 18 epochs ({start.reason})"
    double_conv = {"network": "double_conv", "stage_filters": [32, 64, 128]}
    start = warm_start_weights.plan(_weights_dir(tmp_path, double_conv), POOL_EARLY, CONFIG)
    assert start.reason.endswith("double_conv 32/64/128, now pool_early 16/32/64/128")
    wider = {**POOL_EARLY, "stage_filters": [32, 64, 256]}
    start = warm_start_weights.plan(_weights_dir(tmp_path, POOL_EARLY), wider, CONFIG)
    assert start.reason.endswith("pool_early 16/32/64/128, now pool_early 16/32/64/256")


def test_no_base_model_or_no_weights_trains_from_scratch_and_says_why(tmp_path):
    assert warm_start_weights.plan(None, POOL_EARLY, CONFIG).reason == "no blessed model trained on an older window"
    start = warm_start_weights.plan(str(tmp_path / "missing"), POOL_EARLY, CONFIG)
    assert start.weights_dir is None and "has no weights to start from" in start.reason
