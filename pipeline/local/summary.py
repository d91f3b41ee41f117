"""The end-of-run summary printed by the local runner, from the same reading as ``make inspect``.

It reads only what it prints: the run's executions, the Evaluator's output, the decision
(``pipeline/metadata/decision.py``) and the spans (``pipeline/metadata/spans.py``), not the
data files behind ``inspect show``.
"""

from __future__ import annotations

import dataclasses

from components.contract import features
from components.records import evaluation_results as evaluation_lib
from pipeline.config import PipelineConfig
from pipeline.metadata import drift, outcomes, runs, spans
from pipeline.metadata import on_device as on_device_lib
from pipeline.metadata.decision import Decision, decide_run
from pipeline.metadata.store import Store


@dataclasses.dataclass(frozen=True)
class RunSummary:
    run_id: str
    nodes: list[runs.NodeRun]
    evaluation: evaluation_lib.Evaluation | None
    decision: Decision
    canary_problems: str | None = None
    outcome: str = ""
    reason: str = ""
    spans: spans.RunSpans | None = None
    on_device: on_device_lib.OnDevice | None = None


def collect(config: PipelineConfig) -> RunSummary:
    """Summarizes the newest run of the configured pipeline."""
    store = Store.open(config.metadata_path)
    pipeline, run = runs.find_run(store, "latest", config.model_name)
    executions = store.executions(run)
    decided = decide_run(pipeline, run.name, executions)
    view = decided.overview
    return RunSummary(
        run_id=view.run_id,
        nodes=view.nodes,
        evaluation=decided.evaluation,
        decision=decided.decision,
        canary_problems=view.reason if view.outcome == outcomes.CANARY_FAILED else None,
        outcome=view.outcome,
        reason=view.reason,
        spans=spans.run_spans(executions),
        on_device=on_device_lib.on_device(executions),
    )


def _span_lines(run_spans: spans.RunSpans | None) -> list[str]:
    """The drift figures the run measured, the spans trained on and the warm start."""
    if run_spans is None:
        return []
    lines = []
    if run_spans.drift_measured:
        lines += [f"drift gate: {drift.describe(f, stopped=run_spans.drift_stopped)}" for f in run_spans.drift]
    if run_spans.trained:
        accepted = [s.name for s in run_spans.trained if s.drift is not None and s.drift.accepted]
        note = f" (drift accepted on {', '.join(accepted)})" if accepted else ""
        lines.append(f"trained on {', '.join(s.name for s in run_spans.trained)}{note}")
    if run_spans.warm_start is not None:
        lines.append(f"warm start: {run_spans.warm_start.describe()}")
    return lines


def format_summary(summary: RunSummary, *, wall_seconds: float) -> list[str]:
    """The lines printed after the per-component lines."""
    cached = sum(1 for n in summary.nodes if n.state == "cached")
    lines = [f"run {summary.run_id}: {len(summary.nodes)} components, {cached} cached, {wall_seconds:.1f} s wall"]
    lines += _span_lines(summary.spans)
    if summary.outcome in outcomes.STOPPED:
        lines.append(f"{summary.outcome}: {summary.reason}")
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
    if summary.on_device is not None:
        lines += summary.on_device.lines()
    return lines
