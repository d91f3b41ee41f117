"""components/records/protos.py: the protos inspection parses, from private copies of their classes."""

from pathlib import Path

import pytest

from components.contract import features
from components.records import protos


def test_private_proto_classes_parse_what_the_real_ones_would():
    example_class = protos.message_class("tensorflow.Example")
    example = example_class()
    example.features.feature[features.LABEL_KEY].int64_list.value.append(7)
    parsed = protos.parse("tensorflow.Example", example.SerializeToString())
    assert list(parsed.features.feature[features.LABEL_KEY].int64_list.value) == [7]
    metrics = protos.message_class("tensorflow_model_analysis.MetricsForSlice")()
    assert {"slice_key", "metric_keys_and_values"} <= {f.name for f in metrics.DESCRIPTOR.fields}


def test_serialized_descriptor_names_a_file_without_one(tmp_path: Path):
    module = tmp_path / "empty_pb2.py"
    module.write_text("x = 1\n")
    with pytest.raises(protos.ProtoLoadError, match="no serialized file descriptor"):
        protos.serialized_descriptor(module)
