"""What AnomalyGate decides, as plain functions over TFDV's protos.

No TFX here: ``make inspect`` calls the same functions to say why a gate
stopped a run (an in-process executor's exception message is not recorded in
ML Metadata, but the gate's inputs are).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from pathlib import Path

from tensorflow_metadata.proto.v0 import anomalies_pb2, statistics_pb2

from components.contract import features
from components.records import split_files


class DataAnomaliesError(RuntimeError):
    """The data broke the schema or the record contract. The message lists every problem, split by split."""


def _detail(info: anomalies_pb2.AnomalyInfo) -> str:
    return info.description or "; ".join(r.description for r in info.reason) or info.short_description


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


def problems(
    anomalies_by_split: Mapping[str, anomalies_pb2.Anomalies],
    statistics_by_split: Mapping[str, statistics_pb2.DatasetFeatureStatisticsList] | None = None,
) -> list[str]:
    """Every anomaly and broken contract, one line each."""
    return describe(anomalies_by_split) + contract_problems(statistics_by_split or {})


def stop_message(lines: list[str]) -> str:
    """The gate's error message for ``problems``."""
    return f"the data gate stopped the run: {len(lines)} anomal{'y' if len(lines) == 1 else 'ies'}: " + "; ".join(lines)


def split_label(uri: str, split: str) -> str:
    """How a problem names where it is: ``span-2/train`` for a span's split (its artifact's folder), ``test``
    for the test set's."""
    folder = posixpath.basename(uri.rstrip("/"))
    return split if folder == split else f"{folder}/{split}"


def read_anomalies(uri: str | Path, splits: Iterable[str] | None = None) -> dict[str, anomalies_pb2.Anomalies]:
    """ExampleValidator's per-split Anomalies protos (``splits``: those that must be there)."""
    return split_files.read_split_files(uri, split_files.ANOMALIES_FILE_NAME, anomalies_pb2.Anomalies, splits)


def read_statistics(
    uri: str | Path, splits: Iterable[str] | None = None
) -> dict[str, statistics_pb2.DatasetFeatureStatisticsList]:
    """StatisticsGen's per-split statistics protos (``splits``: those that must be there)."""
    return split_files.read_split_files(
        uri, split_files.STATISTICS_FILE_NAME, statistics_pb2.DatasetFeatureStatisticsList, splits
    )


def check(
    anomalies_by_split: Mapping[str, anomalies_pb2.Anomalies],
    statistics_by_split: Mapping[str, statistics_pb2.DatasetFeatureStatisticsList] | None = None,
) -> None:
    """Raises DataAnomaliesError when any split has an anomaly or breaks the record contract."""
    lines = problems(anomalies_by_split, statistics_by_split)
    if lines:
        raise DataAnomaliesError(stop_message(lines))
