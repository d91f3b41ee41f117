"""Executor of AnomalyGate: reads the per-split protos of every span and the test set, and applies ``checks.check``."""

from __future__ import annotations

from typing import Any

from tfx.dsl.components.base import base_executor
from tfx.types import artifact, artifact_utils

from components.anomaly_gate import checks
from components.contract import keys


def _by_split(artifacts: list[artifact.Artifact], read: Any) -> dict[str, Any]:
    merged = {}
    for item in artifacts:
        for split, proto in read(item.uri, artifact_utils.decode_split_names(item.split_names)).items():
            merged[checks.split_label(item.uri, split)] = proto
    return merged


class Executor(base_executor.BaseExecutor):
    """Fails the execution, and so the run, when any split has anomalies or breaks the record contract."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        checks.check(
            _by_split(input_dict[keys.ANOMALIES_KEY], checks.read_anomalies),
            _by_split(input_dict[keys.STATISTICS_KEY], checks.read_statistics),
        )
