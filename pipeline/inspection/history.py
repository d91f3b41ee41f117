"""The pipeline's history across runs: each run's outcome, spans and test accuracy, each version it
pushed, the drift figures the gate measured for every span, and the runs that stopped and why."""

from __future__ import annotations

import dataclasses

from components.drift_gate.checks import DriftFigures
from pipeline import node_ids
from pipeline.metadata import outcomes, outputs, spans
from pipeline.metadata.decision import decide_run
from pipeline.metadata.store import DONE, ExecutionRecord, Store


@dataclasses.dataclass(frozen=True)
class RunRow:
    """One run, as the history shows it.

    Attributes:
      accuracy: the test accuracy of the model this run evaluated; None when its Evaluator did not
        run (or reused an earlier run's evaluation, which the history already holds).
      pushed_version: the version this run pushed; None when it pushed none (or found it served).
      spans: the run's ingestion, drift figures, training window and warm start.
    """

    run_id: str
    started: str  # ISO 8601, UTC
    outcome: str
    reason: str
    accuracy: float | None
    pushed_version: int | None
    spans: spans.RunSpans


@dataclasses.dataclass(frozen=True)
class DriftRow:
    """One measurement of the drift gate: ``stopped``, the gate stopped run ``run_id`` on it."""

    run_id: str
    started: str
    figures: DriftFigures
    stopped: bool


@dataclasses.dataclass(frozen=True)
class History:
    """Every run of ``pipeline``, oldest first, and every drift measurement (a cached gate measured nothing)."""

    pipeline: str
    runs: list[RunRow]
    drift: list[DriftRow]

    @property
    def versions(self) -> list[RunRow]:
        """The runs that pushed a version, oldest first."""
        return [r for r in self.runs if r.pushed_version is not None]

    @property
    def stopped(self) -> list[RunRow]:
        """The runs that stopped before their Pusher: a gate, a failure, an interruption."""
        return [r for r in self.runs if r.outcome in outcomes.STOPPED]


def run_row(pipeline: str, run_id: str, executions: list[ExecutionRecord]) -> tuple[RunRow, list[DriftRow]]:
    """The history's row of one run, and the drift gate's measurements in it."""
    decided = decide_run(pipeline, run_id, executions)
    view, evaluation = decided.overview, decided.evaluation
    by_node = outputs.by_node(executions)
    evaluator = by_node.get(node_ids.EVALUATOR)
    evaluated = evaluator is not None and evaluator.state == DONE and evaluation is not None
    run_spans = spans.run_spans(executions)
    row = RunRow(
        run_id=run_id,
        started=view.started,
        outcome=view.outcome,
        reason=view.reason,
        accuracy=evaluation.accuracy if evaluated and evaluation is not None else None,
        pushed_version=decided.decision.pushed_version if view.outcome == outcomes.PUSHED else None,
        spans=run_spans,
    )
    measured = run_spans.drift if run_spans.drift_measured else []
    return row, [DriftRow(run_id, view.started, f, run_spans.drift_stopped) for f in measured]


def history(store: Store, pipeline: str) -> History:
    """The history of ``pipeline`` in ``store``."""
    rows, drift = [], []
    for name, run in store.runs(pipeline):
        row, measurements = run_row(name, Store.run_id(run), store.executions(run))
        rows.append(row)
        drift += measurements
    return History(pipeline, rows, drift)
