"""pipeline/local/summary.py: the end-of-run summary lines."""

from pathlib import Path

import pytest

from components.drift_gate.checks import DriftFigures
from components.records import evaluation_results as evaluation_lib
from pipeline.inspection import details
from pipeline.local import summary
from pipeline.metadata import outcomes, spans
from pipeline.metadata.decision import Decision
from pipeline.metadata.runs import NodeRun
from tests.support.span_runs import FakeStore, five_runs


def _evaluation(accuracy, class_accuracy, baseline_accuracy, failures) -> evaluation_lib.Evaluation:
    return evaluation_lib.Evaluation(accuracy, class_accuracy, baseline_accuracy, {}, None, None, failures, [], [])


def _decision(blessed=True, pushed_version=7, pushed_path="/serving/fashion_mnist/7") -> Decision:
    return Decision(blessed, "", None, True, pushed_version, pushed_path)


def _summary(**overrides) -> summary.RunSummary:
    values = {
        "run_id": "r1",
        "nodes": [NodeRun("Trainer", 1, "cached", 0.1, None), NodeRun("Pusher", 2, "done", 1.0, None)],
        "evaluation": _evaluation(0.9168, {0: 0.86, 6: 0.74}, None, []),
        "decision": _decision(),
    }
    return summary.RunSummary(**{**values, **overrides})


def test_a_pushed_run():
    assert summary.format_summary(_summary(), wall_seconds=12.34) == [
        "run r1: 2 components, 1 cached, 12.3 s wall",
        "test accuracy 0.9168 (baseline model: none yet)",
        "per class: T-shirt/top 0.860, Shirt 0.740",
        "model BLESSED",
        "pushed: /serving/fashion_mnist/7",
    ]


def test_a_run_that_pushed_nothing_says_why():
    evaluation = _evaluation(0.5, {}, 0.9, ["overall: sparse_categorical_accuracy fell by 0.4"])
    lines = summary.format_summary(
        _summary(
            evaluation=evaluation,
            decision=_decision(blessed=False, pushed_version=None, pushed_path=None),
            canary_problems="predict_images fails: boom",
        ),
        wall_seconds=1,
    )
    assert lines[1:] == [
        "test accuracy 0.5000 (baseline model: 0.9000)",
        "model NOT BLESSED: overall: sparse_categorical_accuracy fell by 0.4",
        "serving canary FAILED: predict_images fails: boom",
        "nothing pushed",
    ]


def test_an_already_served_model():
    lines = summary.format_summary(_summary(decision=_decision(pushed_path=None)), wall_seconds=1)
    assert lines[-1] == "nothing pushed: this model is already served as version 7"


def _figures(span: int, compared_with: int | None, pixel: float, *, accepted: bool = False) -> DriftFigures:
    return DriftFigures(span, 10 + span, compared_with, 0.01, 0, 0.05, pixel, 0.1, accepted)


def _spans(*, trained=(), drift=(), measured=True, stopped=False, warm=None) -> spans.RunSpans:
    ingestion = spans.Ingestion([spans.SpanRef(3, 0, 13, {"train": 10})], new=True)
    return spans.RunSpans(ingestion, list(drift), measured, stopped, list(trained), warm)


def test_a_run_stopped_by_the_drift_gate_says_which_span_measure_and_amount():
    reason = "span 3 drifted from span 2: pixel distribution Jensen-Shannon 0.670 > 0.1 (rerun with --accept-drift ...)"
    lines = summary.format_summary(
        _summary(
            evaluation=None,
            decision=Decision(None, reason, None, None, None, None),
            outcome=outcomes.STOPPED_BY_DRIFT,
            reason=reason,
            spans=_spans(drift=[_figures(3, 2, 0.67)], stopped=True),
        ),
        wall_seconds=1,
    )
    assert lines[1:] == [
        "drift gate: span 3 against span 2: label L-infinity 0.010 <= 0.05, pixel Jensen-Shannon 0.670 > 0.1: "
        "drifted: stopped the run",
        f"stopped by the drift gate: {reason}",
        "nothing pushed",
    ]


def test_a_trained_run_names_its_spans_the_accepted_drift_and_the_warm_start():
    trained = [
        spans.SpanRef(2, 0, 12, {"train": 10}, _figures(2, 1, 0.01)),
        spans.SpanRef(3, 0, 13, {"train": 10}, _figures(3, 2, 0.67, accepted=True)),
    ]
    warm = spans.WarmStart("/models/26", 1, "")
    lines = summary.format_summary(
        _summary(outcome=outcomes.PUSHED, spans=_spans(trained=trained, measured=False, warm=warm)), wall_seconds=1
    )
    assert lines[1:3] == [
        "trained on span 2, span 3 (drift accepted on span 3)",
        "warm start: from /models/26, 1 epoch",
    ]
    assert lines[3] == "test accuracy 0.9168 (baseline model: none yet)", "no drift line: the gate was cached"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    return five_runs(tmp_path, monkeypatch)


def test_the_decision_and_the_run_summary_carry_the_drift_stop(store: FakeStore):
    shown = details.details(store, "r4")
    assert shown.decision.blessed is None and shown.decision.reason == shown.overview.reason
    assert shown.spans.drift_stopped and shown.spans.trained == []
    run = summary.RunSummary(
        "r4",
        shown.overview.nodes,
        None,
        shown.decision,
        None,
        shown.overview.outcome,
        shown.overview.reason,
        shown.spans,
    )
    assert summary.format_summary(run, wall_seconds=1)[1:] == [
        "drift gate: span 3 against span 2: label L-infinity 0.000 <= 0.05, pixel Jensen-Shannon "
        f"{shown.spans.drift[0].pixel_distance:.3f} > 0.1: drifted: stopped the run",
        f"stopped by the drift gate: {shown.overview.reason}",
        "nothing pushed",
    ]
