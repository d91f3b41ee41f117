"""Lineage: from a served model version back through every execution that led to it, to the raw files."""

from __future__ import annotations

import dataclasses
import json
import posixpath
from typing import Any

from components.contract import artifact_types, keys, properties
from pipeline import node_ids
from pipeline.metadata import drift, spans
from pipeline.metadata.runs import UnknownRunError
from pipeline.metadata.store import ArtifactRef, Store


@dataclasses.dataclass(frozen=True)
class LineageStep:
    node_id: str
    execution_id: int
    run_id: str | None
    state: str
    inputs: list[ArtifactRef]
    outputs: list[ArtifactRef]
    exec_properties: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Lineage:
    version: int
    path: str
    steps: list[LineageStep]  # from the Pusher back to ingestion
    raw_files: dict[str, str]  # path under input_base (span-2/train-...) -> SHA-256 of its decompressed content
    input_base: str | None
    provenance: dict[str, Any]  # run id, code version and config, as the Pusher recorded them
    spans: list[spans.SpanRef]  # what the model was trained on, each span with the figures that cleared it
    warm_start: spans.WarmStart | None


def find_pushed(store: Store, version: int | str, pusher: str = node_ids.PUSHER) -> ArtifactRef:
    """The PushedModel artifact of a served version, pushed by ``pusher`` (the SavedModel's or the on-device
    model's Pusher: the two may push the same version number in the same second)."""
    for artifact in store.artifacts_of_type(artifact_types.PUSHED_MODEL):
        props = artifact.custom_properties
        if (
            properties.PUSHED_VERSION in props
            and props[properties.PUSHED_VERSION].string_value == str(version)
            and props[properties.PUSHED].int_value == 1
        ):
            producer = store.producer(artifact.id)
            if producer is not None and producer.node_id == pusher:
                ref = producer.output(artifact_types.PUSHED_MODEL)
                if ref is not None:
                    return ref
    raise UnknownRunError(f"no pushed model version {version} in this store; `inspect runs` lists what was pushed")


def lineage(store: Store, version: int | str, *, on_device: bool = False) -> Lineage:
    """From a pushed version (of the on-device model, with ``on_device``) back through every execution that led
    to it."""
    pushed = find_pushed(store, version, node_ids.LITE_PUSHER if on_device else node_ids.PUSHER)
    steps: list[LineageStep] = []
    seen_executions: set[int] = set()
    frontier = [pushed.id]
    seen_artifacts: set[int] = set()
    while frontier:
        artifact_id = frontier.pop(0)
        if artifact_id in seen_artifacts:
            continue
        seen_artifacts.add(artifact_id)
        producer = store.producer(artifact_id)
        if producer is None or producer.id in seen_executions:
            continue
        seen_executions.add(producer.id)
        steps.append(
            LineageStep(
                producer.node_id,
                producer.id,
                store.run_of(producer.id),
                producer.state,
                producer.inputs,
                producer.outputs,
                producer.exec_properties,
            )
        )
        # The baseline model is an input of the Evaluator, not an ancestor of this model.
        frontier.extend(a.id for a in producer.inputs if a.key != keys.BASELINE_MODEL_KEY)
    steps.sort(key=lambda step: -step.execution_id)
    raw_files, input_base = _raw_files(steps, seen_artifacts)
    pusher = steps[0]
    provenance = json.loads(str(pusher.exec_properties.get(keys.PROVENANCE_KEY, "{}")))
    provenance.setdefault("run_id", pusher.run_id)
    figures = drift.read_reports([a for a in pusher.inputs if a.type == artifact_types.DRIFT_REPORT])
    model_ids = {a.id for a in pusher.inputs if a.type == artifact_types.MODEL}
    trainer = next((s for s in steps if any(a.id in model_ids for a in s.outputs)), None)
    model = next((a for a in trainer.outputs if a.type == artifact_types.MODEL), None) if trainer else None
    return Lineage(
        int(version),
        str(pushed.properties.get(properties.PUSHED_DESTINATION, "")),
        steps,
        raw_files,
        input_base,
        provenance,
        spans.span_refs(trainer.inputs, {f.examples_id: f for f in figures}) if trainer else [],
        spans.warm_start(model.uri) if model else None,
    )


def _raw_files(steps: list[LineageStep], ancestors: set[int]) -> tuple[dict[str, str], str | None]:
    """The raw files behind the ingestions among ``steps``: the test set's, and each ancestor span's."""
    raw_files: dict[str, str] = {}
    input_base = None
    for step in steps:
        if step.node_id != node_ids.EXAMPLE_GEN:
            continue
        raw_files.update(json.loads(str(step.exec_properties.get(keys.INPUT_SHA256_KEY, "{}"))))
        input_base = input_base or str(step.exec_properties.get(keys.INPUT_BASE_KEY, "")) or None
        used = {
            int(a.properties[properties.SPAN])
            for a in step.outputs
            if a.id in ancestors and properties.SPAN in a.properties
        }
        for number, record in json.loads(str(step.exec_properties.get(keys.SPANS_KEY, "{}"))).items():
            if int(number) in used:
                for name, digest in record.get("sha256", {}).items():
                    raw_files[posixpath.normpath(posixpath.join(record.get("folder", "."), name))] = digest
    return raw_files, input_base
