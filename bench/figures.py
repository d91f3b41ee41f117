"""What the bench reads after a run: the pipeline's figures from ML Metadata and the Trainer's history, and the
independent test score (serving speed: bench/serving.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import summary
from components.contract import artifact_types, keys
from pipeline.config import metadata_path


def tensorflow() -> Any:
    from components import legacy_keras

    legacy_keras.use_legacy_keras()
    import tensorflow as tf

    return tf


def client_records(images: Any) -> list[bytes]:
    """The images as a client sends them to ``serving_default``: tf.Examples in the record contract, no label."""
    tf = tensorflow()

    from components.contract import features
    from components.ingestion import examples

    records = []
    for image in images:
        example = tf.train.Example.FromString(examples.to_example(image, 0))
        del example.features.feature[features.LABEL_KEY]
        records.append(example.SerializeToString())
    return records


def scored_accuracy(model_dir: Path, data_dir: Path, batch_size: int = 1000) -> float:
    """Accuracy on the official test files (all 10,000), through the SavedModel's ``serving_default``: no
    TFMA, no pipeline code but the record encoding a client uses."""
    tf = tensorflow()
    import numpy as np

    from components.contract import features
    from data import sources

    contents = sources.read_all(str(data_dir))
    images, labels = contents[sources.TEST_IMAGES].array, contents[sources.TEST_LABELS].array
    serve = tf.saved_model.load(str(model_dir)).signatures[features.SERVING_SIGNATURE]
    predicted = []
    for start in range(0, len(images), batch_size):
        batch = tf.constant(client_records(images[start : start + batch_size]))
        predicted.append(serve(**{features.SERVING_EXAMPLES_KEY: batch})[features.CLASS_IDS_KEY].numpy())
    return float(np.mean(np.concatenate(predicted) == labels))


def scored_lite_accuracy(flatbuffer_path: Path, data_dir: Path) -> float:
    """Accuracy of the on-device model on the official test files (all 10,000), run by TFLite's interpreter on
    their pixels: no TFMA, no Transform graph."""
    import numpy as np

    from components.lite_conversion import runtime
    from data import sources

    contents = sources.read_all(str(data_dir))
    images, labels = contents[sources.TEST_IMAGES].array, contents[sources.TEST_LABELS].array
    predicted = runtime.OnDeviceModel(flatbuffer_path.read_bytes()).predict(images).argmax(axis=1)
    return float(np.mean(predicted == labels))


def lite_model(details: Any) -> dict[str, Any] | None:
    """The run's on-device model: its flatbuffer's path, quantization and size, and the float model's size."""
    from components.contract import files
    from pipeline import node_ids

    found = next(
        (a for a in details.artifacts if a.node == node_ids.LITE_CONVERTER and a.type == artifact_types.MODEL), None
    )
    if found is None:
        return None
    report = json.loads((Path(found.uri) / files.CONVERSION_REPORT_FILE).read_text())
    chosen = next(c for c in report["candidates"] if c["quantization"] == report["chosen"])
    return {
        "file": str(Path(found.uri) / "Format-Serving" / files.TFLITE_FILE),
        "quantization": report["chosen"],
        "size_bytes": chosen["size_bytes"],
        "float_size_bytes": report["float"]["size_bytes"],
        "candidates": [report["float"], *report["candidates"]],
    }


def pipeline_figures(output_dir: Path, model_name: str) -> dict[str, Any]:
    """The first run of a pipeline, from ML Metadata: per-component times, ingestion throughput, TFMA's test
    accuracy, the Trainer's model and its history (time to each accuracy mark)."""
    from pipeline import node_ids
    from pipeline.inspection import details as details_lib
    from pipeline.metadata import runs as runs_lib
    from pipeline.metadata.store import Store

    store = Store.open(metadata_path(output_dir))
    first = runs_lib.list_runs(store, model_name)[-1]
    details = details_lib.details(store, first.run_id, model_name)
    seconds = {n.node_id: round(n.seconds, 2) for n in first.nodes}
    examples_written = sum(s.count or 0 for s in details.splits)
    ingestion = seconds.get(node_ids.EXAMPLE_GEN)
    model = next(a.uri for a in details.artifacts if a.node == node_ids.TRAINER and a.type == artifact_types.MODEL)
    transform_graph = next(
        a.uri for a in details.artifacts if a.node == node_ids.TRANSFORM and a.key == keys.TRANSFORM_GRAPH_KEY
    )
    return {
        "run_id": first.run_id,
        "component_seconds": seconds,
        "examples_written": examples_written,
        "ingestion_examples_per_second": examples_written / ingestion if ingestion else None,
        "tfma_accuracy": details.evaluation.accuracy if details.evaluation else None,
        "model_dir": str(Path(model) / "Format-Serving"),
        "transform_graph_dir": transform_graph,
        "seconds_per_epoch": summary.seconds_per_epoch(details.training_history),
        "time_to_accuracy": {
            str(mark): summary.time_to_accuracy(details.training_history, mark) for mark in summary.ACCURACY_MARKS
        },
        "outcome": first.outcome,
        "pushed_version": details.decision.pushed_version,
        "lite_model": lite_model(details),
    }
