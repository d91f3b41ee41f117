"""pipeline/metadata/store.py: what an execution recorded, read from ML Metadata."""

import json

from ml_metadata.proto import metadata_store_pb2

from pipeline.metadata import store


def test_error_message_is_the_last_line_of_the_traceback():
    execution = metadata_store_pb2.Execution()
    trace = (
        'Traceback (most recent call last):\n  File "x.py", line 1\n'
        "components.anomaly_gate.executor.GateError: the data gate stopped the run: bad\n"
    )
    execution.custom_properties["__execution_result__"].string_value = json.dumps({"code": 2, "resultMessage": trace})
    assert store.error_message(execution) == "the data gate stopped the run: bad"
    assert store.error_message(metadata_store_pb2.Execution()) is None
