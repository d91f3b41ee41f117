"""An Evaluator output folder written the way TFMA 0.47 writes one, for tests of what reads it."""

import json
from pathlib import Path

import tensorflow as tf
from google.protobuf import json_format
from tensorflow_model_analysis.proto import metrics_for_slice_pb2, validation_result_pb2

from components.contract import features
from components.evaluation import eval_config


def _accuracy(model: str, value: float, class_id: int | None = None) -> metrics_for_slice_pb2.MetricsForSlice:
    metrics = metrics_for_slice_pb2.MetricsForSlice()
    if class_id is not None:
        metrics.slice_key.single_slice_keys.add(column=features.LABEL_KEY, int64_value=class_id)
    kv = metrics.metric_keys_and_values.add()
    kv.key.name = features.ACCURACY_METRIC
    kv.key.model_name = model
    kv.value.double_value.value = value
    return metrics


def write_evaluation(uri: Path, *, candidate: float, baseline: float | None, failed: bool) -> None:
    """An evaluation folder as TFMA 0.47 writes one (records through TensorFlow's TFRecord writer)."""
    uri.mkdir(parents=True)
    records = [_accuracy("candidate", candidate)] + [_accuracy("candidate", 0.5 + c / 100, c) for c in range(10)]
    if baseline is not None:
        records += [_accuracy("baseline", baseline)] + [_accuracy("baseline", 0.6, c) for c in range(10)]
    count = records[0].metric_keys_and_values.add()
    count.key.name = "example_count"
    count.key.model_name = "candidate"
    count.value.double_value.value = 1000
    with tf.io.TFRecordWriter(str(uri / "metrics-00000-of-00001.tfrecord")) as writer:
        for record in records:
            writer.write(record.SerializeToString())

    plots = metrics_for_slice_pb2.PlotsForSlice()
    kv = plots.plot_keys_and_values.add()
    kv.key.name = "multi_class_confusion_matrix_plot"
    matrix = kv.value.multi_class_confusion_matrix_at_thresholds.matrices.add(threshold=0.0)
    for true in range(10):
        matrix.entries.add(actual_class_id=true, predicted_class_id=true, num_weighted_examples=90)
        matrix.entries.add(actual_class_id=true, predicted_class_id=(true + 1) % 10, num_weighted_examples=10)
    with tf.io.TFRecordWriter(str(uri / "plots-00000-of-00001.tfrecord")) as writer:
        writer.write(plots.SerializeToString())

    result = validation_result_pb2.ValidationResult(validation_ok=not failed)
    if failed:
        per_slice = result.metric_validations_per_slice.add()
        failure = per_slice.failures.add()
        failure.metric_key.name = features.ACCURACY_METRIC
        failure.metric_value.double_value.value = candidate
        failure.metric_threshold.value_threshold.lower_bound.value = 0.9
    with tf.io.TFRecordWriter(str(uri / "validations.tfrecord")) as writer:
        writer.write(result.SerializeToString())

    config = eval_config.build_eval_config(accuracy_floor=0.9, class_accuracy_floor=0.5, max_accuracy_drop=0.01)
    (uri / "eval_config.json").write_text(json.dumps({"evalConfig": json_format.MessageToDict(config)}))
