"""This run's artifacts among what a Resolver got for a component's output channel.

TFX's portable launcher (the local runner's, and the Airflow DAG's, pipeline/airflow/launch_node.py)
resolves a Resolver's input from another node's output channel to that node's outputs in this run.
An orchestrator that resolves the way TFX did before its intermediate representation (TFX's own
Airflow runner, which this project used until Airflow 3) hands it every artifact that node ever
output, in any run. The newest execution that output them is this run's (runs do not overlap, and
the node ran before the Resolver), so keeping that execution's outputs is the same input either way:
a guard that costs one query. A cached execution outputs the artifacts it reuses, so it counts as theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ml_metadata.proto import metadata_store_pb2
from tfx.types import artifact

_OUTPUT_EVENTS = (metadata_store_pb2.Event.OUTPUT, metadata_store_pb2.Event.DECLARED_OUTPUT)


def newest_outputs(artifacts: Sequence[artifact.Artifact], producers: Mapping[int, int]) -> list[artifact.Artifact]:
    """The ``artifacts`` whose newest producing execution (``producers``: artifact id to it) is the newest of all."""
    if not artifacts:
        return []
    newest = max(producers.get(a.id, -1) for a in artifacts)
    return [a for a in artifacts if producers.get(a.id, -1) == newest]


def newest_producers(store: Any, artifacts: Sequence[artifact.Artifact]) -> dict[int, int]:
    """{artifact id: the newest execution that output it} from ML Metadata's events."""
    if not artifacts:
        return {}
    producers: dict[int, int] = {}
    for event in store.get_events_by_artifact_ids([a.id for a in artifacts]):
        if event.type in _OUTPUT_EVENTS:
            producers[event.artifact_id] = max(producers.get(event.artifact_id, -1), event.execution_id)
    return producers


def this_runs(store: Any, artifacts: Sequence[artifact.Artifact]) -> list[artifact.Artifact]:
    """``newest_outputs`` of ``artifacts``, their producers read from ``store``."""
    return newest_outputs(artifacts, newest_producers(store, artifacts))
