"""The end-of-run summary printed by the local runner, from the same reading as ``make inspect``."""

from __future__ import annotations

import dataclasses

from components import features
from pipeline.config import PipelineConfig
from pipeline.inspection import details as details_lib
from pipeline.inspection import outcomes
from pipeline.inspection.store import Store


@dataclasses.dataclass(frozen=True)
class NodeRun:
    node_id: str
    state: str
    seconds: float


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """What the Evaluator decided, and why."""

    accuracy: float | None
    class_accuracy: dict[int, float]
    baseline_accuracy: float | None
    blessed: bool
    failures: list[str]


@dataclasses.dataclass(frozen=True)
class RunSummary:
    run_id: str
    nodes: list[NodeRun]
    evaluation: Evaluation | None
    pushed_path: str | None
    already_served_version: int | None
    canary_problems: str | None = None


def collect(config: PipelineConfig) -> RunSummary:
    """Summarizes the newest run of the configured pipeline."""
    details = details_lib.details(Store.open(config.metadata_path), "latest", config.model_name)
    ev, decision = details.evaluation, details.decision
    evaluation = None
    if ev is not None and decision.blessed is not None:
        evaluation = Evaluation(ev.accuracy, ev.class_accuracy, ev.baseline_accuracy, decision.blessed, ev.failures)
    canary_problems = details.overview.reason if details.overview.outcome == outcomes.CANARY_FAILED else None
    return RunSummary(
        run_id=details.overview.run_id,
        nodes=[NodeRun(n.node_id, n.state, n.seconds) for n in details.overview.nodes],
        evaluation=evaluation,
        pushed_path=decision.pushed_path,
        already_served_version=decision.pushed_version if decision.pushed_path is None else None,
        canary_problems=canary_problems,
    )


def format_summary(summary: RunSummary, *, wall_seconds: float) -> list[str]:
    """The lines printed after the per-component lines."""
    cached = sum(1 for n in summary.nodes if n.state == "cached")
    lines = [f"run {summary.run_id}: {len(summary.nodes)} components, {cached} cached, {wall_seconds:.1f} s wall"]
    ev = summary.evaluation
    if ev is not None:
        acc = f"{ev.accuracy:.4f}" if ev.accuracy is not None else "n/a"
        base = f"{ev.baseline_accuracy:.4f}" if ev.baseline_accuracy is not None else "none yet"
        lines.append(f"test accuracy {acc} (baseline model: {base})")
        if ev.class_accuracy:
            per_class = sorted(ev.class_accuracy.items())
            lines.append("per class: " + ", ".join(f"{features.CLASS_NAMES[c]} {a:.3f}" for c, a in per_class))
        if ev.blessed:
            lines.append("model BLESSED")
        else:
            lines.append("model NOT BLESSED: " + ("; ".join(ev.failures) or "see the Evaluator's output"))
    if summary.canary_problems:
        lines.append(f"serving canary FAILED: {summary.canary_problems}")
    if summary.pushed_path:
        lines.append(f"pushed: {summary.pushed_path}")
    elif summary.already_served_version is not None:
        lines.append(f"nothing pushed: this model is already served as version {summary.already_served_version}")
    else:
        lines.append("nothing pushed")
    return lines
