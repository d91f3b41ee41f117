"""One run as `make inspect ARGS=show` reads it, hand-made: trained, not blessed, nothing pushed."""

from components.records import evaluation_results as evaluation_lib
from pipeline.inspection import data_views, details
from pipeline.metadata import decision, outcomes, runs, spans


def not_blessed_run() -> details.RunDetails:
    """A run whose model fell below the overall threshold, with every section of the report filled in."""
    overview = runs.RunOverview(
        "fashion_mnist",
        "2026-01-01T00:00:00",
        "2026-01-01T00:00:00+00:00",
        12.0,
        outcomes.NOT_BLESSED,
        "overall: accuracy fell",
        [runs.NodeRun("Trainer", 3, "done", 10.0, None), runs.NodeRun("Transform", 2, "cached", 0.0, None)],
    )
    split = data_views.SplitData("train", 10, 0, 255, 72.9, 90.0, [5] * 16, [1] * 10, 784.0, 784.0, span=1)
    ev = evaluation_lib.Evaluation(
        0.5,
        dict.fromkeys(range(10), 0.5),
        0.9,
        dict.fromkeys(range(10), 0.9),
        100,
        False,
        ["overall: accuracy fell"],
        [
            evaluation_lib.Threshold("overall", "SparseCategoricalAccuracy", evaluation_lib.LOWER_BOUND, 0.9),
            evaluation_lib.Threshold("each label slice", "SparseCategoricalAccuracy", evaluation_lib.LOWER_BOUND, 0.5),
        ],
        [[10 if i == j else 0 for j in range(10)] for i in range(10)],
    )
    return details.RunDetails(
        overview=overview,
        artifacts=[details.ArtifactRow("Trainer", "model", "Model", 3, "/m", "done")],
        splits=[split, data_views.SplitData("test", 10, 0, 250, 73.0, 89.0, [5] * 16, [1] * 10, 784.0, 784.0)],
        spans=spans.RunSpans(
            ingestion=spans.Ingestion([spans.SpanRef(1, 0, 5, {"train": 10})], new=True),
            drift=[],
            drift_measured=True,
            drift_stopped=False,
            trained=[spans.SpanRef(1, 0, 5, {"train": 10})],
            warm_start=None,
        ),
        schema=["image: BYTES"],
        anomalies=[],
        evaluation=ev,
        decision=decision.Decision(False, "overall: accuracy fell", "/baseline", True, None, None),
        training_history={
            "loss": [1.0, 0.5],
            "val_loss": [1.1, 0.6],
            "accuracy": [0.5, 0.7],
            "val_accuracy": [0.4, 0.6],
        },
        model_run_dir="/logs",
    )
