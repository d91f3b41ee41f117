"""The pipeline's node ids in one valid dependency order, as the tests expect them (kept apart from the code),
and a stand-in verified dataset for building the pipeline without data."""

from pathlib import Path

from data.spans import Span, SpannedDataset

NODE_ORDER = [
    "FashionMnistExampleGen",
    "ImportSchemaGen",
    "StatisticsGen",
    "ExampleValidator",
    "AnomalyGate",
    "previous_span_resolver",
    "DriftGate",
    "span_window_resolver",
    "Transform",
    "warm_start_model_resolver",
    "Trainer",
    "latest_blessed_model_resolver",
    "Evaluator",
    "ServingCanary",
    "Pusher",
    "LiteConverter",
    "latest_blessed_lite_model_resolver",
    "LiteEvaluator",
    "LiteServingCanary",
    "LitePusher",
]
# The on-device model's, which Kubeflow's pipeline does not build (docs/on_device.md).
ON_DEVICE_NODES = NODE_ORDER[NODE_ORDER.index("LiteConverter") :]
# Everything the model depends on: cached when nothing changed (resolvers are never "cached": they resolve).
RESOLVERS = {n for n in NODE_ORDER if n.endswith("_resolver")}
UPSTREAM_OF_MODEL = set(NODE_ORDER[: NODE_ORDER.index("Trainer") + 1]) - RESOLVERS


def stand_in_dataset(root: str = "/data", spans: tuple[int, ...] = (1,)) -> SpannedDataset:
    """A verified span layout under ``root`` (nothing on disk), with made-up hashes."""
    return SpannedDataset(
        root=Path(root),
        test_sha256={"t10k-images-idx3-ubyte.gz": "1" * 64, "t10k-labels-idx1-ubyte.gz": "2" * 64},
        test_count=10_000,
        spans=tuple(
            Span(n, Path(root) / f"span-{n}", {"train-images-idx3-ubyte.gz": f"{n}" * 64}, 20_000) for n in spans
        ),
        official=False,
        source="stand-in",
    )


def build_arguments(root: str = "/data", spans: tuple[int, ...] = (1,)) -> dict:
    """create_pipeline's data arguments for ``stand_in_dataset``: every span ingested, version 0."""
    from pipeline.definition import arrivals

    dataset = stand_in_dataset(root, spans)
    return {"dataset": dataset, "spans_to_ingest": {s.number: arrivals.record(dataset, s, 0) for s in dataset.spans}}
