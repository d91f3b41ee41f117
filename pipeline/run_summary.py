"""The end-of-run summary printed by the local runner, from the same reading as ``make inspect``.

It reads only what it prints: the run's executions, the Evaluator's output and the decision
(``pipeline/inspection/decision.py``), not the data files behind ``inspect show``.
"""

from __future__ import annotations

import dataclasses

from components import features
from components.records import evaluation_results as evaluation_lib
from pipeline.config import PipelineConfig
from pipeline.inspection import outcomes, runs
from pipeline.inspection.decision import Decision, decide_run
from pipeline.inspection.store import Store


@dataclasses.dataclass(frozen=True)
class RunSummary:
    run_id: str
    nodes: list[runs.NodeRun]
    evaluation: evaluation_lib.Evaluation | None
    decision: Decision
    canary_problems: str | None = None


def collect(config: PipelineConfig) -> RunSummary:
    """Summarizes the newest run of the configured pipeline."""
    store = Store.open(config.metadata_path)
    pipeline, run = runs.find_run(store, "latest", config.model_name)
    decided = decide_run(pipeline, run.name, store.executions(run))
    view = decided.overview
    return RunSummary(
        run_id=view.run_id,
        nodes=view.nodes,
        evaluation=decided.evaluation,
        decision=decided.decision,
        canary_problems=view.reason if view.outcome == outcomes.CANARY_FAILED else None,
    )


def format_summary(summary: RunSummary, *, wall_seconds: float) -> list[str]:
    """The lines printed after the per-component lines."""
    cached = sum(1 for n in summary.nodes if n.state == "cached")
    lines = [f"run {summary.run_id}: {len(summary.nodes)} components, {cached} cached, {wall_seconds:.1f} s wall"]
    ev, decision = summary.evaluation, summary.decision
    if ev is not None and decision.blessed is not None:
        acc = f"{ev.accuracy:.4f}" if ev.accuracy is not None else "n/a"
        base = f"{ev.baseline_accuracy:.4f}" if ev.baseline_accuracy is not None else "none yet"
        lines.append(f"test accuracy {acc} (baseline model: {base})")
        if ev.class_accuracy:
            per_class = sorted(ev.class_accuracy.items())
            lines.append("per class: " + ", ".join(f"{features.CLASS_NAMES[c]} {a:.3f}" for c, a in per_class))
        if decision.blessed:
            lines.append("model BLESSED")
        else:
            lines.append("model NOT BLESSED: " + ("; ".join(ev.failures) or "see the Evaluator's output"))
    if summary.canary_problems:
        lines.append(f"serving canary FAILED: {summary.canary_problems}")
    if decision.pushed_path:
        lines.append(f"pushed: {decision.pushed_path}")
    elif decision.pushed_path is None and decision.pushed_version is not None:
        # Not pushed by this run: the version that already serves this model.
        lines.append(f"nothing pushed: this model is already served as version {decision.pushed_version}")
    else:
        lines.append("nothing pushed")
    return lines
