"""Warm starting the CNN: the weights a Trainer keeps beside its model, and starting from them.

Every Trainer saves the exported float32 model's weights in its Model artifact, next to the
serving model (``files.WEIGHTS_DIR``), with the architecture they belong to. A later Trainer
given that model as its base model (components/resolvers/warm_start_model_strategy.py) loads them when the architecture
and every weight's shape match, and trains ``warm_start_epochs`` instead of ``epochs``; otherwise
it trains from scratch and says why.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping

import tensorflow as tf

from components.contract import files
from components.contract.training_config import TrainingConfig

WEIGHTS_PREFIX = "weights"
ARCHITECTURE_FILE = "architecture.json"


@dataclasses.dataclass(frozen=True)
class WarmStart:
    """How a training starts: from ``weights_dir`` (None: from scratch), for ``epochs`` epochs."""

    weights_dir: str | None
    epochs: int
    reason: str = ""

    def describe(self) -> str:
        if self.weights_dir:
            return f"from {self.weights_dir}, {self.epochs} epochs"
        return f"from scratch, {self.epochs} epochs" + (f" ({self.reason})" if self.reason else "")

    def to_json(self) -> dict[str, object]:
        return {"base_model": self.weights_dir and model_root(self.weights_dir),
                "epochs": self.epochs, "reason": self.reason}  # fmt: skip


def model_root(serving_model_dir: str) -> str:
    """The Model artifact's folder, whose ``Format-Serving`` sub-folder is ``serving_model_dir``."""
    return os.path.dirname(serving_model_dir.rstrip("/"))


def weights_dir(base_model_serving_dir: str) -> str:
    """The weights folder of the Model artifact whose serving model is at ``base_model_serving_dir``."""
    return f"{model_root(base_model_serving_dir)}/{files.WEIGHTS_DIR}"


def _architecture_record(cnn: tf.keras.Model, architecture: Mapping[str, object]) -> dict[str, object]:
    return {**architecture, "weight_shapes": [list(w.shape) for w in cnn.weights]}


def _shape_name(architecture: Mapping[str, object]) -> str:
    """``pool_early 16/32/64/128`` (stem, then stages): an architecture record as a console line shows it.
    A record from before networks were named (``{"filters": 32, "stages": 3}``) was ``double_conv``, each stage
    twice as wide as the one before."""
    filters = [architecture["stem_filters"]] if "stem_filters" in architecture else []
    if "stage_filters" in architecture:
        filters += list(architecture["stage_filters"])
    elif "filters" in architecture:
        filters += [architecture["filters"] * 2**i for i in range(architecture.get("stages", 3))]
    return f"{architecture.get('network', 'double_conv')} {'/'.join(map(str, filters))}"


def plan(directory: str | None, architecture: Mapping[str, object], config: TrainingConfig) -> WarmStart:
    """Warm start from ``directory`` when it holds weights of the same architecture settings; else from scratch."""
    if not directory:
        return WarmStart(
            None, config.epochs, "no blessed model trained on an older window" if config.warm_start else ""
        )
    path = f"{directory}/{ARCHITECTURE_FILE}"
    if not tf.io.gfile.exists(path):
        return WarmStart(None, config.epochs, f"the base model has no weights to start from ({directory})")
    with tf.io.gfile.GFile(path) as f:
        recorded = json.load(f)
    if any(recorded.get(k) != v for k, v in architecture.items()):
        was, now = _shape_name(recorded), _shape_name(architecture)
        return WarmStart(None, config.epochs, f"the base model's architecture differs: {was}, now {now}")
    return WarmStart(directory, config.warm_start_epochs)


def load(cnn: tf.keras.Model, start: WarmStart) -> WarmStart:
    """Loads ``start``'s weights into ``cnn`` when every shape matches; returns the start actually made."""
    if not start.weights_dir:
        return start
    with tf.io.gfile.GFile(f"{start.weights_dir}/{ARCHITECTURE_FILE}") as f:
        recorded = json.load(f)
    shapes = [list(w.shape) for w in cnn.weights]
    if recorded.get("weight_shapes") != shapes:
        return WarmStart(None, start.epochs, "the base model's layers differ")
    cnn.load_weights(f"{start.weights_dir}/{WEIGHTS_PREFIX}")
    return start


def save_weights(cnn: tf.keras.Model, model_root: str, architecture: Mapping[str, object]) -> None:
    """Keeps ``cnn``'s weights and architecture in ``model_root``'s weights folder for a later warm start."""
    directory = f"{model_root}/{files.WEIGHTS_DIR}"
    tf.io.gfile.makedirs(directory)
    cnn.save_weights(f"{directory}/{WEIGHTS_PREFIX}")
    with tf.io.gfile.GFile(f"{directory}/{ARCHITECTURE_FILE}", "w") as f:
        json.dump(_architecture_record(cnn, architecture), f)
