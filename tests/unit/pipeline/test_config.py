"""Command line -> PipelineConfig."""

import dataclasses
from pathlib import Path

import pytest

from pipeline import config, flag_bounds


def test_full_profile_defaults():
    cfg = config.parse_args([])
    assert cfg.profile == "full" and cfg.model_name == "fashion_mnist"
    assert cfg.train_limit is None and cfg.eval_fraction * 60_000 == 5000
    assert cfg.accuracy_floor == 0.90
    assert cfg.training.epochs >= 1
    assert cfg.output_dir == config.DEFAULT_OUTPUT_DIR
    assert cfg.model_serving_dir == config.DEFAULT_SERVING_DIR / "fashion_mnist"
    assert cfg.beam_args == config.DEFAULT_BEAM_ARGS
    assert cfg.on_device and not config.parse_args(["--no-on-device"]).on_device


def test_smoke_profile_is_small_and_separate():
    cfg = config.parse_args(["--profile", "smoke"])
    assert cfg.training.epochs == 2
    assert cfg.train_limit and cfg.train_limit < 10000
    assert cfg.model_name != config.PROFILES["full"].model_name


def test_best_profile_is_the_full_recipe_wider_and_longer_for_the_same_served_model():
    full, best = config.parse_args([]), config.parse_args(["--profile=best"])
    assert best.model_name == full.model_name and best.train_limit is None
    assert best.training.epochs > full.training.epochs
    assert best.training.stage_filters[-1] > full.training.stage_filters[-1]
    same = {"epochs": full.training.epochs, "stage_filters": full.training.stage_filters}
    assert dataclasses.replace(best.training, **same) == full.training


def test_overrides_and_paths(tmp_path: Path):
    cfg = config.parse_args(
        [
            "--profile=smoke",
            f"--output-dir={tmp_path}/out",
            f"--data-dir={tmp_path}",
            "--epochs=3",
            "--learning-rate=0.01",
            "--accuracy-floor=0.8",
            "--beam-arg=--direct_num_workers=2",
        ]
    )
    assert cfg.training.epochs == 3 and cfg.training.learning_rate == 0.01
    assert cfg.training.batch_size == config.PROFILES["smoke"].training.batch_size
    assert cfg.accuracy_floor == 0.8
    assert cfg.data_dir == tmp_path
    assert cfg.metadata_path == tmp_path / "out" / "metadata.sqlite"
    assert cfg.pipeline_root == tmp_path / "out" / "pipeline_root" / "fashion_mnist_smoke"
    assert cfg.beam_args == ("--direct_num_workers=2",)


def test_config_is_frozen():
    cfg = config.parse_args([])
    with pytest.raises(AttributeError):
        cfg.profile = "smoke"


def test_the_tune_profile_is_full_with_a_tuner():
    tune, full = config.parse_args(["--profile=tune"]), config.parse_args([])
    assert tune.model_name == full.model_name and tune.training == full.training
    assert tune.tune_trials > 0 and tune.tune_epochs > 0 and full.tune_trials == 0
    smoke = config.parse_args(["--profile=smoke", "--tune-trials=2"])
    assert (smoke.tune_trials, smoke.tune_epochs) == (2, 1)


def test_the_default_beam_args_name_the_project_setup_file():
    assert f"--setup_file={config.REPO_ROOT / 'setup.py'}" in config.DEFAULT_BEAM_ARGS
    assert (config.REPO_ROOT / "setup.py").is_file()


@pytest.mark.parametrize(
    "argv",
    [["--epochs=0"], ["--accuracy-floor=1.5"], ["--batch-size=0"], ["--learning-rate=0"], ["--tune-trials=-1"]],
)
def test_bad_values_are_rejected(argv):
    with pytest.raises(ValueError):
        config.parse_args(argv)


def test_unknown_profile_exits():
    with pytest.raises(SystemExit):
        config.parse_args(["--profile=huge"])


def test_distribution_strategy_is_configurable():
    assert config.parse_args([]).training.distribution == "default"
    assert config.parse_args(["--distribution=mirrored"]).training.distribution == "mirrored"
    with pytest.raises(SystemExit):
        config.parse_args(["--distribution=tpu"])


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--epochs", "0"], "--epochs must be at least 1, got 0"),
        (["--batch-size", "-1"], "--batch-size must be at least 1, got -1"),
        (["--accuracy-floor", "2"], "--accuracy-floor must be at most 1.0, got 2.0"),
        (["--learning-rate", "-1"], "--learning-rate must be positive, got -1.0"),
        (["--learning-rate", "nan"], "--learning-rate must be a number, got nan"),
        (["--tune-trials", "-3"], "--tune-trials must be at least 0, got -3"),
        (["--epochs", "99999999999999999999"], "--epochs must be at most 10000, got 99999999999999999999"),
        (["--seed", "-1"], "--seed must be at least 0, got -1"),
    ],
)
def test_a_flag_out_of_range_names_itself(flags: list[str], message: str):
    with pytest.raises(config.ConfigError) as raised:
        config.parse_args(flags)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--epoch", "3"], "unrecognized arguments: --epoch 3"),
        (["--epochs", "abc"], "argument --epochs: invalid int value: 'abc'"),
    ],
)
def test_a_malformed_command_line_is_one_line_and_exit_2(capsys, flags: list[str], message: str):
    with pytest.raises(SystemExit) as stopped:
        config.parse_args(flags)
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"error: {message}\n")


def test_every_bounded_flag_exists():
    flags = {a for action in config.build_parser()._actions for a in action.option_strings}
    assert {flag for flag, _, _ in flag_bounds.FLAG_BOUNDS} <= flags


def test_any_training_setting_can_be_set_after_the_flags():
    cfg = config.parse_args(["--epochs", "3", "--set", "network=double_conv", "--set", "stage_filters=32,64,256"])
    assert (cfg.training.network, cfg.training.stage_filters, cfg.training.epochs) == ("double_conv", (32, 64, 256), 3)
    assert config.parse_args(["--epochs", "3", "--set", "epochs=5"]).training.epochs == 5, "--set comes last"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("network=resnet", "--set: network must be one of double_conv, pool_early, got 'resnet'"),
        ("stage_filters=32,x", "--set: 'stage_filters=32,x': stage_filters takes whole numbers separated by commas"),
        ("width=3", "--set: 'width=3' is not NAME=VALUE"),
    ],
)
def test_a_bad_setting_is_one_config_error(setting: str, message: str):
    with pytest.raises(config.ConfigError, match="^" + message.replace("(", r"\(")):
        config.parse_args(["--set", setting])


def test_relative_folders_are_relative_to_the_working_directory(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = config.parse_args(["--output-dir=runs/out", "--serving-dir=models", "--data-dir=data"])
    assert (cfg.output_dir, cfg.serving_dir, cfg.data_dir) == (
        tmp_path / "runs/out",
        tmp_path / "models",
        tmp_path / "data",
    )
