"""The end-of-run summary lines."""

from components.records import evaluation_results as evaluation_lib
from pipeline import run_summary
from pipeline.inspection.decision import Decision
from pipeline.inspection.runs import NodeRun


def _evaluation(accuracy, class_accuracy, baseline_accuracy, failures) -> evaluation_lib.Evaluation:
    return evaluation_lib.Evaluation(accuracy, class_accuracy, baseline_accuracy, {}, None, None, failures, [], [])


def _decision(blessed=True, pushed_version=7, pushed_path="/serving/fashion_mnist/7") -> Decision:
    return Decision(blessed, "", None, True, pushed_version, pushed_path)


def _summary(**overrides) -> run_summary.RunSummary:
    values = {
        "run_id": "r1",
        "nodes": [NodeRun("Trainer", 1, "cached", 0.1, None), NodeRun("Pusher", 2, "done", 1.0, None)],
        "evaluation": _evaluation(0.9168, {0: 0.86, 6: 0.74}, None, []),
        "decision": _decision(),
    }
    return run_summary.RunSummary(**{**values, **overrides})


def test_a_pushed_run():
    assert run_summary.format_summary(_summary(), wall_seconds=12.34) == [
        "run r1: 2 components, 1 cached, 12.3 s wall",
        "test accuracy 0.9168 (baseline model: none yet)",
        "per class: T-shirt/top 0.860, Shirt 0.740",
        "model BLESSED",
        "pushed: /serving/fashion_mnist/7",
    ]


def test_a_run_that_pushed_nothing_says_why():
    evaluation = _evaluation(0.5, {}, 0.9, ["overall: sparse_categorical_accuracy fell by 0.4"])
    lines = run_summary.format_summary(
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
    lines = run_summary.format_summary(_summary(decision=_decision(pushed_path=None)), wall_seconds=1)
    assert lines[-1] == "nothing pushed: this model is already served as version 7"
