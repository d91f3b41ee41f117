"""The runs in a store: each one's overview (when, how long, how it ended, per component), listed or found by id."""

from __future__ import annotations

import dataclasses
import datetime

from ml_metadata.proto import metadata_store_pb2

from components.records import evaluation_results as evaluation_lib
from pipeline.metadata import outcomes, spans
from pipeline.metadata.store import ExecutionRecord, Store


class UnknownRunError(LookupError):
    """No run, or no pushed version, matches what was asked for."""


@dataclasses.dataclass(frozen=True)
class NodeRun:
    node_id: str
    execution_id: int
    state: str
    seconds: float
    error: str | None


@dataclasses.dataclass(frozen=True)
class RunOverview:
    pipeline: str
    run_id: str
    started: str  # ISO 8601, UTC
    seconds: float
    outcome: str
    reason: str
    nodes: list[NodeRun]
    ingestion: spans.Ingestion | None = None  # the spans its ExampleGen output; None when it did not finish


def _iso(ms: int) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc).isoformat(timespec="seconds")


def overview(
    pipeline: str,
    run_id: str,
    executions: list[ExecutionRecord],
    evaluation: evaluation_lib.Evaluation | None = None,
) -> RunOverview:
    """One run at a glance; ``evaluation``, when already read, is not read again to say why it was not blessed."""
    if executions:
        start = min(e.started_ms for e in executions)
        end = max(e.ended_ms for e in executions)
    else:
        start = end = 0
    result, reason = outcomes.outcome(executions, evaluation)
    node_runs = [NodeRun(e.node_id, e.id, e.state, e.seconds, e.error) for e in executions]
    return RunOverview(
        pipeline, run_id, _iso(start), (end - start) / 1000, result, reason, node_runs, spans.ingestion(executions)
    )


def list_runs(store: Store, pipeline: str | None = None) -> list[RunOverview]:
    """Every run, newest first."""
    return [overview(name, Store.run_id(run), store.executions(run)) for name, run in reversed(store.runs(pipeline))]


def find_run(store: Store, run_id: str | None, pipeline: str | None = None) -> tuple[str, metadata_store_pb2.Context]:
    """(pipeline, run context) of ``run_id`` (an exact id or a unique prefix), or of the latest run."""
    runs = store.runs(pipeline)
    if not runs:
        raise UnknownRunError("no run recorded yet: run the pipeline first (make run-pipeline)")
    if run_id in (None, "", "latest"):
        return runs[-1]
    exact = [r for r in runs if Store.run_id(r[1]) == run_id]
    matches = exact or [r for r in runs if Store.run_id(r[1]).startswith(run_id)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UnknownRunError(f"no run {run_id!r}; `inspect runs` lists them")
    raise UnknownRunError(f"{run_id!r} matches {len(matches)} runs; give more of the run id")
