"""Executor of AnomalyGate: reads the per-split protos and applies ``checks.check``."""

from __future__ import annotations

from typing import Any

from tfx.dsl.components.base import base_executor
from tfx.types import artifact, artifact_utils

from components.anomaly_gate import checks, spec


def _uri_and_splits(artifacts: list[artifact.Artifact]) -> tuple[str, list[str]]:
    single = artifact_utils.get_single_instance(artifacts)
    return single.uri, artifact_utils.decode_split_names(single.split_names)


class Executor(base_executor.BaseExecutor):
    """Fails the execution, and so the run, when any split has anomalies or breaks the record contract."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        checks.check(
            checks.read_anomalies(*_uri_and_splits(input_dict[spec.ANOMALIES_KEY])),
            checks.read_statistics(*_uri_and_splits(input_dict[spec.STATISTICS_KEY])),
        )
