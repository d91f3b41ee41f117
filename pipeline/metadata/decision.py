"""What a run decided about its model: the Evaluator's verdict and its reasons, the canary's, and the push."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from components.contract import artifact_types, properties
from components.records import evaluation_results as evaluation_lib
from pipeline import node_ids
from pipeline.metadata import outcomes, outputs
from pipeline.metadata.runs import RunOverview, overview
from pipeline.metadata.store import ExecutionRecord


@dataclasses.dataclass(frozen=True)
class Decision:
    """The Evaluator's and the canary's verdicts and what the Pusher did."""

    blessed: bool | None
    reason: str
    baseline_model_uri: str | None
    canary_ok: bool | None
    pushed_version: int | None
    pushed_path: str | None


@dataclasses.dataclass(frozen=True)
class DecidedRun:
    """A run's overview, the Evaluator's output and the decision: read from ML Metadata and the evaluation only."""

    overview: RunOverview
    evaluation: evaluation_lib.Evaluation | None
    decision: Decision


def decide_run(pipeline: str, run_id: str, executions: list[ExecutionRecord]) -> DecidedRun:
    """How the run ``run_id`` of ``pipeline``, whose executions are ``executions``, ended and what it decided."""
    by_node = outputs.by_node(executions)
    evaluation = _run_evaluation(by_node)
    view = overview(pipeline, run_id, executions, evaluation)
    return DecidedRun(view, evaluation, _decision(by_node, evaluation, view))


def _run_evaluation(by_node: dict[str, ExecutionRecord]) -> evaluation_lib.Evaluation | None:
    """The Evaluator's output in this run; None when it did not run or wrote no metrics."""
    evaluation_ref = outputs.output(by_node, node_ids.EVALUATOR, artifact_types.MODEL_EVALUATION)
    if evaluation_ref is None or not Path(evaluation_ref.uri).is_dir():
        return None
    try:
        return evaluation_lib.read_evaluation(evaluation_ref.uri)
    except FileNotFoundError:
        return None


def _decision(
    by_node: dict[str, ExecutionRecord], evaluation: evaluation_lib.Evaluation | None, view: RunOverview
) -> Decision:
    blessing = outputs.output(by_node, node_ids.EVALUATOR, artifact_types.MODEL_BLESSING)
    blessed = None if not blessing else blessing.properties.get(properties.BLESSED) == 1
    if blessed is None:
        reason = view.reason if view.outcome in outcomes.STOPPED else "no evaluation"
    elif blessed:
        reason = "every threshold held" + (
            ""
            if evaluation is None or evaluation.baseline_accuracy is not None
            else " (no baseline model yet: first blessed model)"
        )
    else:
        reason = "; ".join(evaluation.failures) if evaluation and evaluation.failures else "a threshold failed"
    canary = outputs.output(by_node, node_ids.CANARY, artifact_types.INFRA_BLESSING)
    pushed = outputs.output(by_node, node_ids.PUSHER, artifact_types.PUSHED_MODEL)
    props = pushed.properties if pushed else {}
    version = props.get(properties.PUSHED_VERSION) or props.get(properties.ALREADY_SERVED_VERSION)
    return Decision(
        blessed=blessed,
        reason=reason,
        baseline_model_uri=str(blessing.properties[properties.BASELINE_MODEL])
        if blessing and properties.BASELINE_MODEL in blessing.properties
        else None,
        canary_ok=None if not canary else canary.properties.get(properties.BLESSED) == 1,
        pushed_version=int(version) if version else None,
        pushed_path=str(props[properties.PUSHED_DESTINATION]) if view.outcome == outcomes.PUSHED else None,
    )
