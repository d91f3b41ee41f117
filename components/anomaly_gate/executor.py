"""Executor of AnomalyGate, over plain functions that read and describe Anomalies protos."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tensorflow_metadata.proto.v0 import anomalies_pb2
from tfx.dsl.components.base import base_executor
from tfx.types import artifact, artifact_utils

from components.anomaly_gate import spec


class DataAnomaliesError(RuntimeError):
    """The data broke the schema. The message lists every anomaly, split by split."""


def describe(anomalies_by_split: Mapping[str, anomalies_pb2.Anomalies]) -> list[str]:
    """One line per anomaly: ``split 'train': feature 'label': <description>``."""
    lines = []
    for split, anomalies in sorted(anomalies_by_split.items()):
        for feature, info in sorted(anomalies.anomaly_info.items()):
            lines.append(f"split '{split}': feature '{feature}': {_detail(info)}")
        if anomalies.HasField("dataset_anomaly_info"):
            info = anomalies.dataset_anomaly_info
            lines.append(f"split '{split}': dataset: {info.description or info.short_description}")
    return lines


def _detail(info: anomalies_pb2.AnomalyInfo) -> str:
    # A custom validation's description is its SQL; its short description is the curated sentence.
    if any(r.type == anomalies_pb2.AnomalyInfo.CUSTOM_VALIDATION for r in info.reason):
        return info.short_description
    return info.description or info.short_description


def check(anomalies_by_split: Mapping[str, anomalies_pb2.Anomalies]) -> None:
    """Raises DataAnomaliesError when any split has an anomaly."""
    lines = describe(anomalies_by_split)
    if lines:
        raise DataAnomaliesError(
            f"the data gate stopped the run: {len(lines)} anomal{'y' if len(lines) == 1 else 'ies'}: "
            + "; ".join(lines)
        )


def read_anomalies(anomalies: artifact.Artifact) -> dict[str, anomalies_pb2.Anomalies]:
    """Reads ExampleValidator's per-split Anomalies protos from its output artifact."""
    result = {}
    for split in artifact_utils.decode_split_names(anomalies.split_names):
        path = Path(artifact_utils.get_split_uri([anomalies], split)) / spec.ANOMALIES_FILE_NAME
        result[split] = anomalies_pb2.Anomalies.FromString(path.read_bytes())
    return result


class Executor(base_executor.BaseExecutor):
    """Fails the execution, and so the run, when any split has anomalies."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        check(read_anomalies(artifact_utils.get_single_instance(input_dict[spec.ANOMALIES_KEY])))
