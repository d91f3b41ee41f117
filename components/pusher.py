"""A Pusher that never shows a half-written model and never pushes the same model twice.

TFX's filesystem Pusher copies straight into ``<base>/<version>``, where
TensorFlow Serving may load a partial copy. Here the model is copied into a
hidden staging folder beside it (TF Serving only loads folders named by an
integer) and renamed into place in one step. A model whose content is already
served under some version is not pushed again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from tfx.components.pusher import executor as tfx_pusher_executor
from tfx.dsl.components.base import base_component, executor_spec
from tfx.proto import pusher_pb2
from tfx.types import (
    artifact,
    artifact_utils,
    channel,
    component_spec,
    standard_artifacts,
    standard_component_specs,
    system_executions,
)
from tfx.utils import proto_utils

from components import artifact_properties, features

# The model card: provenance, metrics and the push itself. TF Serving loads only
# the SavedModel and ignores assets.extra/, which exists for files like this.
MODEL_CARD_PATH = Path("assets.extra") / "model_card.json"
_STAGING_PREFIX = ".incoming-"


@dataclasses.dataclass(frozen=True)
class PushResult:
    """Where the model is served, and whether this push put it there."""

    version: int
    path: Path
    pushed: bool


def model_digest(model_dir: Path) -> str:
    """SHA-256 over the relative paths and contents of every file of a SavedModel."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(model_dir).rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(model_dir)).encode() + b"\0")
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def served_versions(base_dir: Path) -> list[int]:
    """The integer-named version folders under ``base_dir``, ascending."""
    if not base_dir.is_dir():
        return []
    return sorted(int(p.name) for p in base_dir.iterdir() if p.is_dir() and p.name.isdigit())


def find_served(base_dir: Path, digest: str) -> int | None:
    """The version already serving a model with this digest, if any."""
    for version in reversed(served_versions(base_dir)):
        info_path = base_dir / str(version) / MODEL_CARD_PATH
        try:
            if json.loads(info_path.read_text()).get("model_digest") == digest:
                return version
        except (OSError, ValueError):
            continue
    return None


def push_model(model_dir: Path, base_dir: Path, *, info: dict[str, Any], now: float | None = None) -> PushResult:
    """Publishes ``model_dir`` as a new version under ``base_dir``, atomically.

    The version is the Unix time, or one more than the newest version if that is
    not later. ``info`` (the model card) is written beside the model as
    ``assets.extra/model_card.json``, together with the version and the model's
    digest. On any failure nothing new is left visible.
    """
    digest = model_digest(model_dir)
    existing = find_served(base_dir, digest)
    if existing is not None:
        return PushResult(existing, base_dir / str(existing), pushed=False)
    try:
        base_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PushError(f"{base_dir}: cannot create the serving folder: {e.strerror}") from None
    versions = served_versions(base_dir)
    version = max(int(now if now is not None else time.time()), versions[-1] + 1 if versions else 0)
    staging = base_dir / f"{_STAGING_PREFIX}{version}-{os.getpid()}"
    target = base_dir / str(version)
    try:
        shutil.copytree(model_dir, staging)
        (staging / MODEL_CARD_PATH).parent.mkdir(parents=True, exist_ok=True)
        (staging / MODEL_CARD_PATH).write_text(
            json.dumps({**info, "version": version, "model_digest": digest}, indent=2, sort_keys=True)
        )
        os.rename(staging, target)
    except OSError as e:
        raise PushError(f"{base_dir}: cannot publish version {version}: {e.strerror or e}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PushResult(version, target, pushed=True)


class PushError(RuntimeError):
    """The model could not be published. Nothing new is visible, the served versions are untouched."""


def model_card(
    *,
    run_id: str | None,
    model: artifact.Artifact,
    blessing: artifact.Artifact | None,
    evaluation_uri: str | None,
    provenance: dict[str, Any],
) -> dict[str, Any]:
    """The card pushed beside a model: where it came from and how it scored.

    ``provenance`` (data hashes, code version, configuration) is fixed when the
    pipeline is built; the metrics and thresholds are the Evaluator's.
    """
    from pipeline.inspection import evaluation as evaluation_lib

    card: dict[str, Any] = {
        "run_id": run_id,
        "model": {"uri": model.uri, "artifact_id": model.id},
        **provenance,
    }
    if evaluation_uri:
        ev = evaluation_lib.read_evaluation(evaluation_uri)
        card["evaluation"] = {
            "split": features.TEST_SPLIT,
            "examples": ev.example_count,
            "accuracy": ev.accuracy,
            "class_accuracy": {features.CLASS_NAMES[c]: a for c, a in ev.class_accuracy.items()},
            "thresholds": [f"{t.where}: {t.rule}" for t in ev.thresholds],
            "baseline_model": (
                blessing.get_string_custom_property("baseline_model") or None if blessing is not None else None
            ),
            "baseline_accuracy": ev.baseline_accuracy,
        }
    return card


class Executor(tfx_pusher_executor.Executor):
    """TFX Pusher executor publishing with ``push_model``; filesystem destinations only."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        model_push = artifact_utils.get_single_instance(output_dict[standard_component_specs.PUSHED_MODEL_KEY])
        if not self.CheckBlessing(input_dict):
            self._MarkNotPushed(model_push)
            return
        destination = pusher_pb2.PushDestination()
        proto_utils.json_to_proto(exec_properties[standard_component_specs.PUSH_DESTINATION_KEY], destination)
        if destination.WhichOneof("destination") != "filesystem":
            raise NotImplementedError("only filesystem push destinations are supported")
        model = artifact_utils.get_single_instance(input_dict[standard_component_specs.MODEL_KEY])
        blessings = input_dict.get(standard_component_specs.MODEL_BLESSING_KEY) or []
        evaluations = input_dict.get(MODEL_EVALUATION_KEY) or []
        card = model_card(
            run_id=self._context.pipeline_run_id if self._context else None,
            model=model,
            blessing=blessings[0] if blessings else None,
            evaluation_uri=evaluations[0].uri if evaluations else None,
            provenance=json.loads(exec_properties.get(PROVENANCE_KEY) or "{}"),
        )
        result = push_model(Path(self.GetModelPath(input_dict)), Path(destination.filesystem.base_directory), info=card)
        if not result.pushed:
            self._MarkNotPushed(model_push)
            model_push.set_int_custom_property(artifact_properties.ALREADY_SERVED_VERSION, result.version)
            return
        shutil.copytree(result.path, model_push.uri, dirs_exist_ok=True)
        self._MarkPushed(model_push, pushed_destination=str(result.path), pushed_version=str(result.version))
        model_push.set_string_custom_property(
            artifact_properties.MODEL_CARD, (result.path / MODEL_CARD_PATH).read_text()
        )


MODEL_EVALUATION_KEY = "model_evaluation"
# JSON: data hashes, code version and configuration, recorded in the model card.
PROVENANCE_KEY = "provenance"
CODE_FINGERPRINT_KEY = "code_fingerprint"


class AtomicPusherSpec(component_spec.ComponentSpec):
    """TFX's PusherSpec, plus the evaluation and provenance that go into the model card."""

    PARAMETERS = {
        standard_component_specs.PUSH_DESTINATION_KEY: component_spec.ExecutionParameter(
            type=pusher_pb2.PushDestination
        ),
        PROVENANCE_KEY: component_spec.ExecutionParameter(type=str),
        CODE_FINGERPRINT_KEY: component_spec.ExecutionParameter(type=str),
    }
    INPUTS = {
        standard_component_specs.MODEL_KEY: component_spec.ChannelParameter(type=standard_artifacts.Model),
        standard_component_specs.MODEL_BLESSING_KEY: component_spec.ChannelParameter(
            type=standard_artifacts.ModelBlessing
        ),
        standard_component_specs.INFRA_BLESSING_KEY: component_spec.ChannelParameter(
            type=standard_artifacts.InfraBlessing
        ),
        MODEL_EVALUATION_KEY: component_spec.ChannelParameter(type=standard_artifacts.ModelEvaluation),
    }
    OUTPUTS = {
        standard_component_specs.PUSHED_MODEL_KEY: component_spec.ChannelParameter(type=standard_artifacts.PushedModel),
    }
    TYPE_ANNOTATION = system_executions.Deploy


class AtomicPusher(base_component.BaseComponent):
    """Pushes a model blessed by the Evaluator and the serving canary: atomic, never the same model twice,
    with a model card beside it."""

    SPEC_CLASS = AtomicPusherSpec
    EXECUTOR_SPEC = executor_spec.ExecutorClassSpec(Executor)

    def __init__(
        self,
        *,
        model: channel.BaseChannel,
        model_blessing: channel.BaseChannel,
        infra_blessing: channel.BaseChannel,
        model_evaluation: channel.BaseChannel,
        base_directory: str,
        provenance: dict[str, Any],
        code_fingerprint: str = "",
    ) -> None:
        super().__init__(
            AtomicPusherSpec(
                model=model,
                model_blessing=model_blessing,
                infra_blessing=infra_blessing,
                model_evaluation=model_evaluation,
                push_destination=pusher_pb2.PushDestination(
                    filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=base_directory)
                ),
                provenance=json.dumps(provenance, sort_keys=True),
                code_fingerprint=code_fingerprint,
                pushed_model=channel.Channel(type=standard_artifacts.PushedModel),
            )
        )
