"""The typed training config: what travels to run_fn and tuner_fn in their custom_config.

With the merge of the Tuner's best values and of ``NAME=VALUE`` settings. Kept apart from the
model code so that the pipeline definition, configuration and metadata tools can use it
without importing TensorFlow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

DISTRIBUTIONS = ("default", "mirrored", "multi_worker_mirrored")
PRECISIONS = ("auto", "float32", "mixed_bfloat16")
NETWORKS = ("double_conv", "pool_early")


@dataclasses.dataclass(frozen=True)
class TrainingConfig:
    """What run_fn needs to train and export the model.

    Attributes:
      epochs: passes over the training split.
      batch_size: examples per training step, across all replicas (the global batch).
      learning_rate: peak learning rate of the cosine schedule.
      seed: seeds Python, NumPy and TensorFlow, and the shuffling.
      distribution: the tf.distribute strategy: "default" (one device), "mirrored" (all local
        devices) or "multi_worker_mirrored" (workers described by TF_CONFIG).
      network: ``pool_early`` (a stem conv, then conv -> max pool -> conv in each stage) or ``double_conv`` (two
        convs, then max pool, in each stage: the default before issue 26, about twice the compute)
        (components/training/network.py).
      stem_filters: ``pool_early``'s stem convolution filters (``double_conv`` has no stem).
      stage_filters: each stage's convolution filters; as a setting, ``32,64,128``.
      dropout: dropout rate after every stage but the last (0: none).
      label_smoothing: weight of the uniform distribution mixed into the one-hot training targets.
      warmup_epochs: epochs of linear warm-up to ``learning_rate`` before the cosine decay.
      augment: shift each training image by up to 2 pixels and mirror half of them
        (components/training/augmentation.py).
      ema_momentum: keep an exponential moving average of the weights, with this momentum per step, and
        train to it (0: none). The weights exported and warm-started from are the average.
      flip_averaging: the exported model averages its prediction of each image and of its mirror image.
      deterministic_ops: TensorFlow's op determinism (``enable_op_determinism``) for the training process.
        Off by default: on one machine runs are bit-identical without it, and here it cost 2-8 % per epoch
        and 26 s more outside the epochs (docs/pipeline.md, "Reproducible training").
      precision: "auto" (mixed_bfloat16 on CPUs with native bfloat16, else float32), "float32"
        or "mixed_bfloat16". The exported model is float32 in every case.
      warm_start: start from the weights of the model the Trainer is given as its base model
        (components/resolvers/warm_start_model_strategy.py), when its architecture is this one.
      warm_start_epochs: the epochs of a warm-started training, instead of ``epochs``.
    """

    epochs: int
    batch_size: int
    learning_rate: float
    seed: int
    distribution: str = "default"
    network: str = "pool_early"
    stem_filters: int = 16
    stage_filters: tuple[int, ...] = (32, 64, 128)
    dropout: float = 0.0
    label_smoothing: float = 0.1
    warmup_epochs: int = 1
    augment: bool = True
    ema_momentum: float = 0.0
    flip_averaging: bool = True
    deterministic_ops: bool = False
    precision: str = "auto"
    warm_start: bool = True
    warm_start_epochs: int = 5

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise ValueError(f"epochs must be at least 1, got {self.epochs}")
        if self.warm_start_epochs < 1:
            raise ValueError(f"warm_start_epochs must be at least 1, got {self.warm_start_epochs}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        if self.network not in NETWORKS:
            raise ValueError(f"network must be one of {', '.join(NETWORKS)}, got {self.network!r}")
        if self.stem_filters < 1:
            raise ValueError(f"stem_filters must be at least 1, got {self.stem_filters}")
        if not self.stage_filters or min(self.stage_filters) < 1:
            raise ValueError(f"stage_filters must be one or more numbers of at least 1, got {self.stage_filters}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be within [0, 1), got {self.dropout}")
        if not 0 <= self.label_smoothing < 1:
            raise ValueError(f"label_smoothing must be within [0, 1), got {self.label_smoothing}")
        if not 0 <= self.ema_momentum < 1:
            raise ValueError(f"ema_momentum must be within [0, 1), got {self.ema_momentum}")
        if self.warmup_epochs < 0:
            raise ValueError(f"warmup_epochs must be at least 0, got {self.warmup_epochs}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}, got {self.distribution!r}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainingConfig:
        """The inverse of ``to_dict``. An unknown key (a renamed or misspelt field) is an error, not ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"unknown training settings {unknown}; known: {sorted(names)}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def apply_best(config: TrainingConfig, hyperparameters: Mapping[str, Any]) -> TrainingConfig:
    """``config`` with the values of the Tuner's best_hyperparameters artifact.

    ``hyperparameters`` is a KerasTuner ``HyperParameters.get_config()``: its ``values`` are the
    chosen value of each searched name. Names that are not TrainingConfig fields are left out.
    """
    names = {f.name for f in dataclasses.fields(TrainingConfig)}
    values = hyperparameters["values"]
    return dataclasses.replace(config, **{k: v for k, v in values.items() if k in names})


def with_settings(config: TrainingConfig, settings: list[str]) -> TrainingConfig:
    """``config`` with ``NAME=VALUE`` settings applied, each VALUE read as its field's type."""
    fields = {f.name: f for f in dataclasses.fields(TrainingConfig)}
    values = config.to_dict()
    for setting in settings:
        name, sep, text = setting.partition("=")
        if not sep or name not in fields:
            raise ValueError(f"{setting!r} is not NAME=VALUE with NAME one of {sorted(fields)}")
        kind = type(values[name])
        try:
            if kind is bool:
                values[name] = text.lower() in ("1", "true", "yes")
            elif kind is tuple:
                values[name] = tuple(int(part) for part in text.split(","))
            else:
                values[name] = kind(text)
        except ValueError:
            wanted = {tuple: "whole numbers separated by commas", int: "a whole number"}.get(kind, "a number")
            raise ValueError(f"{setting!r}: {name} takes {wanted}") from None
    return TrainingConfig.from_dict(values)
