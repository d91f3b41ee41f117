"""Executor of AnomalyGate, over plain functions that read and describe Anomalies and statistics protos."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tensorflow_metadata.proto.v0 import anomalies_pb2, statistics_pb2
from tfx.dsl.components.base import base_executor
from tfx.types import artifact, artifact_utils

from components import features
from components.anomaly_gate import spec


class DataAnomaliesError(RuntimeError):
    """The data broke the schema or the record contract. The message lists every problem, split by split."""


def _detail(info: anomalies_pb2.AnomalyInfo) -> str:
    return info.description or info.short_description


def describe(anomalies_by_split: Mapping[str, anomalies_pb2.Anomalies]) -> list[str]:
    """One line per anomaly: ``split 'train': feature 'label': <description>``."""
    lines = []
    for split, anomalies in sorted(anomalies_by_split.items()):
        for feature, info in sorted(anomalies.anomaly_info.items()):
            lines.append(f"split '{split}': feature '{feature}': {_detail(info)}")
        if anomalies.HasField("dataset_anomaly_info"):
            lines.append(f"split '{split}': dataset: {_detail(anomalies.dataset_anomaly_info)}")
    return lines


def contract_problems(statistics_by_split: Mapping[str, statistics_pb2.DatasetFeatureStatisticsList]) -> list[str]:
    """What the schema cannot say: every ``image`` value is exactly 784 bytes (from TFDV's bytes statistics)."""
    lines = []
    for split, statistics in sorted(statistics_by_split.items()):
        for dataset in statistics.datasets:
            for feature in dataset.features:
                if list(feature.path.step) != [features.IMAGE_KEY] or not feature.HasField("bytes_stats"):
                    continue
                sizes = {int(feature.bytes_stats.min_num_bytes), int(feature.bytes_stats.max_num_bytes)}
                if sizes != {features.IMAGE_PIXELS}:
                    lines.append(
                        f"split '{split}': feature '{features.IMAGE_KEY}': values of {min(sizes)} to {max(sizes)} "
                        f"bytes, every image must be exactly {features.IMAGE_PIXELS} bytes (28x28 uint8 pixels)"
                    )
    return lines


def check(
    anomalies_by_split: Mapping[str, anomalies_pb2.Anomalies],
    statistics_by_split: Mapping[str, statistics_pb2.DatasetFeatureStatisticsList] | None = None,
) -> None:
    """Raises DataAnomaliesError when any split has an anomaly or breaks the record contract."""
    lines = describe(anomalies_by_split) + contract_problems(statistics_by_split or {})
    if lines:
        raise DataAnomaliesError(
            f"the data gate stopped the run: {len(lines)} anomal{'y' if len(lines) == 1 else 'ies'}: "
            + "; ".join(lines)
        )


def _read_per_split(artifact_: artifact.Artifact, file_name: str, proto_class: type) -> dict[str, Any]:
    result = {}
    for split in artifact_utils.decode_split_names(artifact_.split_names):
        path = Path(artifact_utils.get_split_uri([artifact_], split)) / file_name
        result[split] = proto_class.FromString(path.read_bytes())
    return result


def read_anomalies(anomalies: artifact.Artifact) -> dict[str, anomalies_pb2.Anomalies]:
    """ExampleValidator's per-split Anomalies protos."""
    return _read_per_split(anomalies, spec.ANOMALIES_FILE_NAME, anomalies_pb2.Anomalies)


def read_statistics(statistics: artifact.Artifact) -> dict[str, statistics_pb2.DatasetFeatureStatisticsList]:
    """StatisticsGen's per-split statistics protos."""
    return _read_per_split(statistics, spec.STATISTICS_FILE_NAME, statistics_pb2.DatasetFeatureStatisticsList)


class Executor(base_executor.BaseExecutor):
    """Fails the execution, and so the run, when any split has anomalies or breaks the record contract."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        check(
            read_anomalies(artifact_utils.get_single_instance(input_dict[spec.ANOMALIES_KEY])),
            read_statistics(artifact_utils.get_single_instance(input_dict[spec.STATISTICS_KEY])),
        )
