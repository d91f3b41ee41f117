"""Executor of AnomalyGate: reads the per-split protos and applies ``checks.check``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tensorflow_metadata.proto.v0 import anomalies_pb2, statistics_pb2
from tfx.dsl.components.base import base_executor
from tfx.types import artifact, artifact_utils

from components.anomaly_gate import checks, spec


def _read_per_split(artifact_: artifact.Artifact, file_name: str, proto_class: type) -> dict[str, Any]:
    result = {}
    for split in artifact_utils.decode_split_names(artifact_.split_names):
        path = Path(artifact_utils.get_split_uri([artifact_], split)) / file_name
        result[split] = proto_class.FromString(path.read_bytes())
    return result


def read_anomalies(anomalies: artifact.Artifact) -> dict[str, anomalies_pb2.Anomalies]:
    """ExampleValidator's per-split Anomalies protos."""
    return _read_per_split(anomalies, checks.ANOMALIES_FILE_NAME, anomalies_pb2.Anomalies)


def read_statistics(statistics: artifact.Artifact) -> dict[str, statistics_pb2.DatasetFeatureStatisticsList]:
    """StatisticsGen's per-split statistics protos."""
    return _read_per_split(statistics, checks.STATISTICS_FILE_NAME, statistics_pb2.DatasetFeatureStatisticsList)


class Executor(base_executor.BaseExecutor):
    """Fails the execution, and so the run, when any split has anomalies or breaks the record contract."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        checks.check(
            read_anomalies(artifact_utils.get_single_instance(input_dict[spec.ANOMALIES_KEY])),
            read_statistics(artifact_utils.get_single_instance(input_dict[spec.STATISTICS_KEY])),
        )
