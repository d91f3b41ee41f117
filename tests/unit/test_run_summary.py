"""The end-of-run summary lines."""

from pipeline import run_summary


def _summary(**overrides) -> run_summary.RunSummary:
    values = {
        "run_id": "r1",
        "nodes": [run_summary.NodeRun("Trainer", "cached", 0.1), run_summary.NodeRun("Pusher", "done", 1.0)],
        "evaluation": run_summary.Evaluation(0.9168, {0: 0.86, 6: 0.74}, None, True, []),
        "pushed_path": "/serving/fashion_mnist/7",
        "already_served_version": None,
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
    evaluation = run_summary.Evaluation(0.5, {}, 0.9, False, ["overall: sparse_categorical_accuracy fell by 0.4"])
    lines = run_summary.format_summary(
        _summary(evaluation=evaluation, pushed_path=None, canary_problems="predict_images fails: boom"), wall_seconds=1
    )
    assert lines[1:] == [
        "test accuracy 0.5000 (baseline model: 0.9000)",
        "model NOT BLESSED: overall: sparse_categorical_accuracy fell by 0.4",
        "serving canary FAILED: predict_images fails: boom",
        "nothing pushed",
    ]


def test_an_already_served_model():
    lines = run_summary.format_summary(_summary(pushed_path=None, already_served_version=7), wall_seconds=1)
    assert lines[-1] == "nothing pushed: this model is already served as version 7"
