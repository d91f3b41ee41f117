"""The run's configuration: parsed once, at the edge, into one frozen object.

The profiles' defaults are in ``pipeline/profiles.py``; every one can be overridden by a flag,
which is checked here, before anything runs.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from components.contract.training_config import DISTRIBUTIONS, PRECISIONS, TrainingConfig, with_settings
from components.drift_gate.checks import DEFAULT_PIXEL_THRESHOLD
from pipeline import beam_options
from pipeline.flag_bounds import check_bounds
from pipeline.path_checks import not_utf8
from pipeline.profiles import PROFILES

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT_DIR = REPO_ROOT / "output"
DEFAULT_SERVING_DIR = REPO_ROOT / "serving_model"
# The on-device models' folder under the serving folder: the model name and this.
LITE_SUFFIX = "_lite"
DEFAULT_RAW_DIR = REPO_ROOT / "data" / "raw"
T = TypeVar("T")

SCHEMA_PATH = REPO_ROOT / "data" / "schema" / "schema.pbtxt"
# The SQLite ML Metadata store, in the output folder.
METADATA_FILE_NAME = "metadata.sqlite"

# DirectRunner settings; see docs/pipeline.md for how they were chosen. --setup_file names
# this project's code for runners that ship it to workers; on the DirectRunner it
# has no effect but one: without any such flag, each Beam-powered TFX executor first
# packages TFX's whole installation as a source distribution (about 1 s each here).
DEFAULT_BEAM_ARGS: tuple[str, ...] = (
    "--direct_running_mode=in_memory",
    "--direct_num_workers=1",
    f"--setup_file={REPO_ROOT / 'setup.py'}",
)


def lite_serving_dir(serving_dir: Path, model_name: str) -> Path:
    """The on-device models' folder beside the SavedModels' (TF Serving loads only the folders it is told to)."""
    return serving_dir / f"{model_name}{LITE_SUFFIX}"


def metadata_path(output_dir: Path) -> Path:
    """The ML Metadata store of the runs whose output folder is ``output_dir``."""
    return output_dir / METADATA_FILE_NAME


@dataclasses.dataclass(frozen=True)
class PipelineConfig:
    """Everything a run needs. Built by ``parse_args``; nothing below reads the environment.

    Attributes:
      profile: a key of ``PROFILES`` (pipeline/profiles.py): ``smoke``, ``full``, ``best`` or ``tune``.
      model_name: pipeline name, and the folder under ``serving_dir`` its versions go to.
      data_dir: the only data source when given; otherwise ``raw_dir`` and the usual sources.
      raw_dir: where fetched raw files are kept.
      output_dir: pipeline root, ML Metadata store and logs.
      serving_dir: pushed models go to ``serving_dir/model_name/<version>``.
      training: hyperparameters for run_fn.
      eval_fraction: the share of each span's rows held out as ``eval``.
      train_limit: keep only this many training rows of each span (stratified); None keeps all.
      test_limit: keep only this many test rows (stratified); None keeps all.
      accuracy_floor: the overall test accuracy a model needs to be blessed.
      class_accuracy_floor: the test accuracy each class needs; 0 disables the check.
      max_accuracy_drop: how far below the last blessed model's accuracy a candidate may be.
      beam_args: Beam pipeline options for every Beam-powered component.
      tune_trials: trials of the Tuner's random search; 0 runs no Tuner.
      tune_epochs: epochs of each trial.
      pipeline_name: the TFX pipeline's name; empty means ``model_name`` (Kubeflow allows no underscores).
      artifact_root: where artifacts go when not under ``output_dir`` (a gs:// URI on Vertex AI).
      schema_file: the curated schema as the executors will see it (inside the image on Kubeflow).
      span_window: train on the newest this many spans the drift gate cleared; 0: every span.
      accept_drift: let this run's drifted spans through the drift gate, which records it.
      pixel_drift_threshold: the largest pixel drift (Jensen-Shannon distance) the drift gate lets through.
      on_device: build the on-device (TFLite) model beside the SavedModel (docs/on_device.md).
    """

    profile: str
    model_name: str
    data_dir: Path | None
    raw_dir: Path
    output_dir: Path
    serving_dir: Path
    training: TrainingConfig
    eval_fraction: float
    train_limit: int | None
    test_limit: int | None
    accuracy_floor: float
    class_accuracy_floor: float
    max_accuracy_drop: float
    beam_args: tuple[str, ...]
    tune_trials: int = 0
    tune_epochs: int = 0
    pipeline_name: str = ""
    artifact_root: str | None = None
    schema_file: str = str(SCHEMA_PATH)
    span_window: int = 0
    accept_drift: bool = False
    pixel_drift_threshold: float = DEFAULT_PIXEL_THRESHOLD
    on_device: bool = True

    def __post_init__(self) -> None:
        for name in ("accuracy_floor", "class_accuracy_floor", "max_accuracy_drop"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {getattr(self, name)}")
        if not 0 < self.eval_fraction < 1:
            raise ValueError(f"eval_fraction must be within (0, 1), got {self.eval_fraction}")
        if self.span_window < 0:
            raise ValueError(f"span_window must be at least 0, got {self.span_window}")
        if self.tune_trials < 0 or (self.tune_trials and self.tune_epochs < 1):
            raise ValueError(
                f"tune_trials must be >= 0 and tune_epochs >= 1, got {self.tune_trials}, {self.tune_epochs}"
            )

    @property
    def pipeline_root(self) -> Path:
        return self.output_dir / "pipeline_root" / self.model_name

    @property
    def tfx_pipeline_name(self) -> str:
        return self.pipeline_name or self.model_name

    @property
    def artifact_root_uri(self) -> str:
        """Where the orchestrator puts artifacts: ``artifact_root`` when set, else ``pipeline_root``."""
        return self.artifact_root or str(self.pipeline_root)

    @property
    def metadata_path(self) -> Path:
        return metadata_path(self.output_dir)

    @property
    def logs_dir(self) -> Path:
        return self.output_dir / "logs"

    @property
    def model_serving_dir(self) -> Path:
        return self.serving_dir / self.model_name

    @property
    def lite_serving_dir(self) -> Path:
        """Where the on-device (TFLite) models go: ``<serving_dir>/<model_name>_lite/<version>/model.tflite``."""
        return lite_serving_dir(self.serving_dir, self.model_name)


class ConfigError(ValueError):
    """A flag's value is out of its range. The message is one sentence naming the flag."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse without prefix matching, whose errors are one line: ``error: <what is wrong>``, exit 2."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_abbrev=False, **kwargs)  # --epoch is not --epochs

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}\n")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="fashion-mnist-pipeline",
        description="Run the Fashion-MNIST TFX pipeline locally.",
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the test files and span-<n> folders (or the four IDX .gz files); the only source when given",
    )
    parser.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW_DIR)
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR)
    parser.add_argument("--serving-dir", type=Path, default=DEFAULT_SERVING_DIR)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--distribution", choices=DISTRIBUTIONS, help="training strategy (default: one device)")
    parser.add_argument("--precision", choices=PRECISIONS, help="training precision (default: auto)")
    parser.add_argument("--accuracy-floor", type=float)
    parser.add_argument("--class-accuracy-floor", type=float)
    parser.add_argument("--max-accuracy-drop", type=float)
    parser.add_argument("--tune-trials", type=int, help="run the Tuner with this many trials first (0: no Tuner)")
    parser.add_argument("--tune-epochs", type=int, help="epochs of each Tuner trial")
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any training setting (components/contract/training_config.py), after the flags above, "
        "e.g. --set network=pool_early --set stage_filters=32,64,256",
    )
    parser.add_argument(
        "--span-window", type=int, help="train on the newest this many cleared spans (default 0: every span)"
    )
    parser.add_argument(
        "--warm-start",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start training from the latest blessed model of the same architecture (default: yes)",
    )
    parser.add_argument("--warm-start-epochs", type=int, help="epochs of a warm-started training")
    parser.add_argument(
        "--accept-drift", action="store_true", help="let this run's drifted spans through the drift gate, recorded"
    )
    parser.add_argument(
        "--no-on-device",
        dest="on_device",
        action="store_false",
        help="no on-device (TFLite) model: the run converts, checks and pushes the SavedModel only",
    )
    parser.add_argument(
        "--pixel-drift-threshold", type=float, help=f"the drift gate's pixel limit (default {DEFAULT_PIXEL_THRESHOLD})"
    )
    parser.add_argument(
        "--beam-arg",
        action="append",
        dest="beam_args",
        metavar="ARG",
        help=f"a Beam pipeline option; repeatable (default: {' '.join(DEFAULT_BEAM_ARGS)})",
    )
    return parser


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def parse_args(argv: Sequence[str] | None = None) -> PipelineConfig:
    """Command-line arguments -> PipelineConfig; a flag left out takes the profile's default.

    Raises:
      ConfigError: a flag out of its range ("--epochs must be at least 1, got 0") or a folder whose name TFX
        cannot record (pipeline/path_checks.py); entry points print it as one line and exit 2, as argparse does
        (one line here too) for an unknown flag or a malformed value.
    """
    args = build_parser().parse_args(argv)
    problem = check_bounds(args)
    if problem:
        raise ConfigError(problem)
    profile = PROFILES[args.profile]
    training = dataclasses.replace(
        profile.training,
        epochs=_or(args.epochs, profile.training.epochs),
        batch_size=_or(args.batch_size, profile.training.batch_size),
        learning_rate=_or(args.learning_rate, profile.training.learning_rate),
        seed=_or(args.seed, profile.training.seed),
        distribution=_or(args.distribution, profile.training.distribution),
        precision=_or(args.precision, profile.training.precision),
        warm_start=_or(args.warm_start, profile.training.warm_start),
        warm_start_epochs=_or(args.warm_start_epochs, profile.training.warm_start_epochs),
    )
    try:
        training = with_settings(training, args.settings)
    except ValueError as e:
        raise ConfigError(f"--set: {e}") from None
    config = PipelineConfig(
        profile=profile.name,
        model_name=profile.model_name,
        data_dir=args.data_dir.resolve() if args.data_dir else None,
        raw_dir=args.raw_dir.resolve(),
        output_dir=args.output_dir.resolve(),
        serving_dir=args.serving_dir.resolve(),
        training=training,
        eval_fraction=profile.eval_fraction,
        train_limit=profile.train_limit,
        test_limit=profile.test_limit,
        accuracy_floor=_or(args.accuracy_floor, profile.accuracy_floor),
        class_accuracy_floor=_or(args.class_accuracy_floor, profile.class_accuracy_floor),
        max_accuracy_drop=_or(args.max_accuracy_drop, 0.0),
        beam_args=beam_options.for_run(args.beam_args) if args.beam_args else DEFAULT_BEAM_ARGS,
        tune_trials=_or(args.tune_trials, profile.tune_trials),
        tune_epochs=_or(args.tune_epochs, profile.tune_epochs or 1),
        span_window=_or(args.span_window, 0),
        accept_drift=args.accept_drift,
        pixel_drift_threshold=_or(args.pixel_drift_threshold, DEFAULT_PIXEL_THRESHOLD),
        on_device=args.on_device,
    )
    paths = {"--data-dir": config.data_dir, "--raw-dir": config.raw_dir, "--output-dir": config.output_dir}
    problem = not_utf8(paths | {"--serving-dir": config.serving_dir})
    if problem:
        raise ConfigError(problem)
    return config
