"""The curated schema, TFDV's validation and the gate together, on real TFDV statistics."""

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_data_validation as tfdv
from tensorflow_metadata.proto.v0 import anomalies_pb2

from components import examples, features
from components.anomaly_gate import executor as gate
from pipeline.config import SCHEMA_PATH


def _stats_for(records: list[bytes], tmp_path: Path):
    path = tmp_path / "records.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as writer:
        for record in records:
            writer.write(record)
    return tfdv.generate_statistics_from_tfrecord(str(path), pipeline_options=None)


def _good(n: int = 20) -> list[bytes]:
    rng = np.random.default_rng(0)
    return [examples.to_example(rng.integers(0, 256, (28, 28), dtype=np.uint8), i % 10) for i in range(n)]


def _example(**feature_values) -> bytes:
    example = tf.train.Example()
    for key, value in feature_values.items():
        if isinstance(value, bytes):
            example.features.feature[key].bytes_list.value.append(value)
        else:
            example.features.feature[key].int64_list.value.append(value)
    return example.SerializeToString()


def _anomalies(records: list[bytes], tmp_path: Path):
    schema = tfdv.load_schema_text(str(SCHEMA_PATH))
    return tfdv.validate_statistics(_stats_for(records, tmp_path), schema)


def test_the_real_data_shape_passes_the_gate(tmp_path: Path):
    gate.check({"train": _anomalies(_good(), tmp_path)})


@pytest.mark.parametrize(
    ("bad_record", "feature"),
    [
        (_example(image=bytes(784)), features.LABEL_KEY),  # label missing
        (_example(image=bytes(784), label=12), features.LABEL_KEY),  # label outside 0..9
        (_example(label=3), features.IMAGE_KEY),  # image missing
    ],
)
def test_schema_breaking_records_stop_the_run(tmp_path: Path, bad_record: bytes, feature: str):
    anomalies = _anomalies([*_good(), bad_record], tmp_path)
    with pytest.raises(gate.DataAnomaliesError, match=f"split 'eval': feature '{feature}'"):
        gate.check({"train": anomalies_pb2.Anomalies(), "eval": anomalies})
