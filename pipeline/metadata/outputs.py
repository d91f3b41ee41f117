"""One node's outputs of a type in a run, by node id (the type names: components/contract/artifact_types.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from components.anomaly_gate import checks
from pipeline.metadata.store import ArtifactRef, ExecutionRecord


def by_node(executions: list[ExecutionRecord]) -> dict[str, ExecutionRecord]:
    """The last execution of each node (a node runs once per run; retries would come later)."""
    return {e.node_id: e for e in executions}


def output(executions: dict[str, ExecutionRecord], node_id: str, type_name: str) -> ArtifactRef | None:
    """The output of type ``type_name`` of node ``node_id``; None when the node did not run or output none."""
    execution = executions.get(node_id)
    return execution.output(type_name) if execution is not None else None


def outputs_of(executions: dict[str, ExecutionRecord], node_id: str, type_name: str) -> list[ArtifactRef]:
    """Every output of type ``type_name`` of node ``node_id`` (a node outputs one per span); [] when none."""
    execution = executions.get(node_id)
    return [a for a in execution.outputs if a.type == type_name] if execution is not None else []


M = TypeVar("M")


def by_split(artifacts: list[ArtifactRef], read: Callable[[str], dict[str, M]]) -> dict[str, M]:
    """The per-split protos of every artifact (one per span, and the test set's), by the gate's ``split_label``."""
    return {checks.split_label(a.uri, split): proto for a in artifacts for split, proto in read(a.uri).items()}
