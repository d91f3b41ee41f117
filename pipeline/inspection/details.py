"""One run in full, as ``inspect show`` and the report present it: overview, artifacts, data, evaluation, decision."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from components.contract import artifact_types
from components.records import evaluation_results as evaluation_lib
from pipeline import node_ids
from pipeline.inspection import data_views
from pipeline.metadata import on_device as on_device_lib
from pipeline.metadata import outcomes, outputs, runs, spans
from pipeline.metadata.decision import Decision, decide_run
from pipeline.metadata.store import ExecutionRecord, Store


@dataclasses.dataclass(frozen=True)
class ArtifactRow:
    """One output of one execution of the run."""

    node: str
    key: str
    type: str
    id: int
    uri: str
    state: str  # of the execution that output it: "cached" when an earlier run produced it


@dataclasses.dataclass(frozen=True)
class RunDetails:
    overview: runs.RunOverview
    artifacts: list[ArtifactRow]
    splits: list[data_views.SplitData]  # of the spans the run's ExampleGen output, then the test set
    spans: spans.RunSpans
    schema: list[str]
    anomalies: list[str]
    evaluation: evaluation_lib.Evaluation | None
    decision: Decision
    training_history: dict[str, list[float]]
    model_run_dir: str | None
    on_device: on_device_lib.OnDevice | None = None


def artifact_rows(executions: list[ExecutionRecord]) -> list[ArtifactRow]:
    return [ArtifactRow(e.node_id, a.key, a.type, a.id, a.uri, e.state) for e in executions for a in e.outputs]


def details(store: Store, run_id: str | None = None, pipeline: str | None = None) -> RunDetails:
    """Everything ``inspect show`` prints about one run (default: the latest)."""
    name, run = runs.find_run(store, run_id, pipeline)
    executions = store.executions(run)
    decided = decide_run(name, Store.run_id(run), executions)
    view = decided.overview
    by_node = outputs.by_node(executions)

    schema = outputs.output(by_node, node_ids.SCHEMA_GEN, artifact_types.SCHEMA)
    anomalies = data_views.anomaly_lines(
        outputs.outputs_of(by_node, node_ids.EXAMPLE_VALIDATOR, artifact_types.EXAMPLE_ANOMALIES)
    )
    if view.outcome == outcomes.STOPPED_BY_GATE:  # the reason outcome() worked out, not the gate's checks run again
        anomalies.append(f"data gate: {view.reason}")
    model_run = outputs.output(by_node, node_ids.TRAINER, artifact_types.MODEL_RUN)
    return RunDetails(
        overview=view,
        artifacts=artifact_rows(executions),
        splits=data_views.split_data(
            outputs.outputs_of(by_node, node_ids.EXAMPLE_GEN, artifact_types.EXAMPLES),
            outputs.outputs_of(by_node, node_ids.STATISTICS_GEN, artifact_types.EXAMPLE_STATISTICS),
        ),
        spans=spans.run_spans(executions),
        schema=data_views.schema_lines(Path(schema.uri)) if schema else [],
        anomalies=anomalies,
        evaluation=decided.evaluation,
        decision=decided.decision,
        training_history=data_views.training_history(model_run.uri if model_run else None),
        model_run_dir=model_run.uri if model_run else None,
        on_device=on_device_lib.on_device(executions),
    )
