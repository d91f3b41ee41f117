"""Lineage: from a served model version back through every execution that led to it, to the raw files."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from components import properties
from pipeline import nodes
from pipeline.inspection import outputs
from pipeline.inspection.runs import UnknownRunError
from pipeline.inspection.store import ArtifactRef, Store


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
    raw_files: dict[str, str]  # file name -> SHA-256 of its decompressed content
    input_base: str | None
    provenance: dict[str, Any]  # run id, code version and config, as the Pusher recorded them


def find_pushed(store: Store, version: int | str) -> ArtifactRef:
    """The PushedModel artifact of a served version."""
    for artifact in store.artifacts_of_type(outputs.PUSHED_MODEL):
        props = artifact.custom_properties
        if (
            properties.PUSHED_VERSION in props
            and props[properties.PUSHED_VERSION].string_value == str(version)
            and props[properties.PUSHED].int_value == 1
        ):
            producer = store.producer(artifact.id)
            if producer is not None:
                ref = producer.output(outputs.PUSHED_MODEL)
                if ref is not None:
                    return ref
    raise UnknownRunError(f"no pushed model version {version} in this store; `inspect runs` lists what was pushed")


def lineage(store: Store, version: int | str) -> Lineage:
    """From a pushed version back through every execution that led to it."""
    pushed = find_pushed(store, version)
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
        frontier.extend(a.id for a in producer.inputs if a.key != properties.BASELINE_MODEL_KEY)
    steps.sort(key=lambda step: -step.execution_id)
    ingestion = next((s for s in steps if s.node_id == nodes.EXAMPLE_GEN), None)
    raw_files: dict[str, str] = {}
    input_base = None
    if ingestion is not None:
        raw_files = json.loads(str(ingestion.exec_properties.get(properties.INPUT_SHA256_KEY, "{}")))
        input_base = str(ingestion.exec_properties.get(properties.INPUT_BASE_KEY, "")) or None
    pusher = steps[0]
    provenance = json.loads(str(pusher.exec_properties.get(properties.PROVENANCE_KEY, "{}")))
    provenance.setdefault("run_id", pusher.run_id)
    return Lineage(
        int(version),
        str(pushed.properties.get(properties.PUSHED_DESTINATION, "")),
        steps,
        raw_files,
        input_base,
        provenance,
    )
