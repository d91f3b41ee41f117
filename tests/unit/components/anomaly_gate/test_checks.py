"""The data gate's decision and message, on Anomalies protos."""

import pytest
from tensorflow_metadata.proto.v0 import anomalies_pb2

from components.anomaly_gate import checks


def _anomalies(**features: str) -> anomalies_pb2.Anomalies:
    result = anomalies_pb2.Anomalies()
    for name, description in features.items():
        result.anomaly_info[name].description = description
    return result


def test_clean_splits_pass():
    checks.check({"train": _anomalies(), "test": _anomalies()})


def test_any_anomaly_stops_the_run_and_is_listed():
    with pytest.raises(checks.DataAnomaliesError) as raised:
        checks.check(
            {
                "train": _anomalies(),
                "test": _anomalies(label="Unexpectedly large value: 11.", image="Column dropped"),
            }
        )
    message = str(raised.value)
    assert "2 anomalies" in message
    assert "split 'test': feature 'label': Unexpectedly large value: 11." in message
    assert "split 'test': feature 'image': Column dropped" in message
    assert "\n" not in message


def test_dataset_level_anomalies_count():
    anomalies = anomalies_pb2.Anomalies()
    anomalies.dataset_anomaly_info.description = "Low number of examples."
    assert checks.describe({"eval": anomalies}) == ["split 'eval': dataset: Low number of examples."]
