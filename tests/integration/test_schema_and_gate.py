"""The curated schema, TFDV's validation and the gate together, on real TFDV statistics."""

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_data_validation as tfdv

from components.anomaly_gate import checks as gate
from components.contract import features
from components.ingestion import examples
from pipeline.config import SCHEMA_PATH


def _schema():
    return tfdv.load_schema_text(str(SCHEMA_PATH))


def _stats_for(records: list[bytes], tmp_path: Path):
    path = tmp_path / "records.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as writer:
        for record in records:
            writer.write(record)
    # As StatisticsGen does when given the schema.
    return tfdv.generate_statistics_from_tfrecord(str(path), stats_options=tfdv.StatsOptions(schema=_schema()))


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


def _gate(records: list[bytes], tmp_path: Path) -> None:
    """What StatisticsGen, ExampleValidator and AnomalyGate do with one split of records."""
    statistics = _stats_for(records, tmp_path)
    gate.check({"eval": tfdv.validate_statistics(statistics, _schema())}, {"eval": statistics})


def test_the_real_data_shape_passes_the_gate(tmp_path: Path):
    _gate(_good(), tmp_path)


@pytest.mark.parametrize(
    ("bad_record", "feature"),
    [
        (_example(image=bytes(784)), features.LABEL_KEY),  # label missing
        (_example(image=bytes(784), label=12), features.LABEL_KEY),  # label outside 0..9
        (_example(label=3), features.IMAGE_KEY),  # image missing
        (_example(image=bytes(700), label=3), features.IMAGE_KEY),  # image too short
        (_example(image=bytes(785), label=3), features.IMAGE_KEY),  # image too long
    ],
)
def test_schema_breaking_records_stop_the_run(tmp_path: Path, bad_record: bytes, feature: str):
    with pytest.raises(gate.DataAnomaliesError, match=f"split 'eval': feature '{feature}'"):
        _gate([*_good(), bad_record], tmp_path)


def test_a_wrong_length_image_is_named_in_words(tmp_path: Path):
    statistics = _stats_for([*_good(), _example(image=bytes(700), label=3)], tmp_path)
    assert gate.contract_problems({"train": statistics}) == [
        "split 'train': feature 'image': values of 700 to 784 bytes, every image must be exactly 784 bytes "
        "(28x28 uint8 pixels)"
    ]
