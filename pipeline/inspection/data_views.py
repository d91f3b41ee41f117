"""The data files a run's components wrote, read for people: splits, schema, anomalies, training curves.

Statistics and anomalies are read per split through the same reader as the data gate
(``components.anomaly_gate.checks``); the schema and the training history by the file
names their writers export.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, TypeVar

from components.anomaly_gate import checks
from components.contract import features, files, properties
from components.records import split_files
from pipeline.metadata import outputs
from pipeline.metadata.store import ArtifactRef

M = TypeVar("M")


@dataclasses.dataclass(frozen=True)
class SplitData:
    """One split of one span (``span`` None: the test set), as ingestion and TFDV saw it."""

    name: str
    count: int | None
    pixel_min: int | None
    pixel_max: int | None
    pixel_mean: float | None
    pixel_std: float | None
    pixel_histogram: list[int]
    label_counts: list[int]
    image_bytes_min: float | None
    image_bytes_max: float | None
    span: int | None = None

    @property
    def label(self) -> str:
        """``span 2 train``, or the split's name for the test set."""
        return self.name if self.span is None else f"span {self.span} {self.name}"


def _span_order(examples: ArtifactRef) -> tuple[bool, int, int]:
    props = examples.properties
    return (properties.SPAN not in props, int(props.get(properties.SPAN, 0)), int(props.get(properties.VERSION, 0)))


def split_data(examples: list[ArtifactRef], statistics: list[ArtifactRef]) -> list[SplitData]:
    """Each split of each Examples artifact (spans in order, then the test set), from ingestion's summary on
    the artifact and TFDV's statistics of it (the statistics artifact that names its id)."""
    described = {
        int(s.properties[properties.EXAMPLES_ID]): s for s in statistics if properties.EXAMPLES_ID in s.properties
    }
    out = []
    for artifact in sorted(examples, key=_span_order):
        # A store from before spans: one Examples artifact, one statistics artifact naming none.
        stats = described.get(artifact.id) or (statistics[0] if len(examples) == len(statistics) == 1 else None)
        span = artifact.properties.get(properties.SPAN)
        out += _splits(artifact, stats, None if span is None else int(span))
    return out


def _splits(examples: ArtifactRef, statistics: ArtifactRef | None, span: int | None) -> list[SplitData]:
    summaries: dict[str, dict[str, Any]] = {}
    if properties.SPLIT_SUMMARY in examples.properties:
        summaries = json.loads(str(examples.properties[properties.SPLIT_SUMMARY]))
    tfdv = tfdv_summary(Path(statistics.uri)) if statistics is not None else {}
    out = []
    for split in features.SPLITS:
        s, t = summaries.get(split, {}), tfdv.get(split, {})
        if not s and not t:
            continue
        out.append(
            SplitData(
                name=split,
                count=s.get("count", t.get("count")),
                pixel_min=s.get("pixel_min"),
                pixel_max=s.get("pixel_max"),
                pixel_mean=s.get("pixel_mean"),
                pixel_std=s.get("pixel_std"),
                pixel_histogram=s.get("pixel_histogram", []),
                label_counts=t.get("label_counts") or s.get("label_counts", []),
                image_bytes_min=t.get("image_bytes_min"),
                image_bytes_max=t.get("image_bytes_max"),
                span=span,
            )
        )
    return out


def tfdv_summary(statistics_uri: Path) -> dict[str, dict[str, Any]]:
    """Per split: example count, image size range in bytes and examples per class, from TFDV's statistics."""
    out: dict[str, dict[str, Any]] = {}
    for split, stats in checks.read_statistics(statistics_uri).items():
        if not stats.datasets:
            continue
        dataset = stats.datasets[0]
        summary: dict[str, Any] = {"count": int(dataset.num_examples)}
        for feature in dataset.features:
            name = ".".join(feature.path.step) or feature.name
            if name == features.IMAGE_KEY and feature.HasField("bytes_stats"):
                summary["image_bytes_min"] = feature.bytes_stats.min_num_bytes
                summary["image_bytes_max"] = feature.bytes_stats.max_num_bytes
            elif name == features.LABEL_KEY and feature.HasField("string_stats"):
                counts = [0] * features.NUM_CLASSES
                for bucket in feature.string_stats.rank_histogram.buckets:
                    if bucket.label.isdigit() and int(bucket.label) < features.NUM_CLASSES:
                        counts[int(bucket.label)] = int(bucket.sample_count)
                summary["label_counts"] = counts
        out[split] = summary
    return out


def schema_lines(schema_uri: Path) -> list[str]:
    """One line per feature of the schema in use."""
    from tensorflow_metadata.proto.v0 import schema_pb2

    if not (schema_uri / split_files.SCHEMA_FILE_NAME).is_file():
        return []
    schema = split_files.read_schema(schema_uri)
    lines = []
    for feature in schema.feature:
        kind = schema_pb2.FeatureType.Name(feature.type)
        domain = feature.WhichOneof("domain_info")
        detail = ""
        if domain == "int_domain":
            d = feature.int_domain
            detail = f" in [{d.min}, {d.max}]" + (", categorical" if d.is_categorical else "")
        elif domain == "image_domain":
            detail = f" image, at most {feature.image_domain.max_image_byte_size} bytes"
        envs = f" (not in {', '.join(feature.not_in_environment)})" if feature.not_in_environment else ""
        lines.append(
            f"{feature.name}: {kind}{detail}, required in {feature.presence.min_fraction:.0%} of examples{envs}"
        )
    return lines


def anomaly_lines(anomalies: list[ArtifactRef]) -> list[str]:
    """The anomalies ExampleValidator found, one line each, split by split, in the data gate's words."""
    return checks.describe(outputs.by_split(anomalies, checks.read_anomalies))


def training_history(model_run_uri: str | None) -> dict[str, list[float]]:
    """The per-epoch curves run_fn wrote beside its TensorBoard logs; empty when there are none."""
    if not model_run_uri:
        return {}
    path = Path(model_run_uri) / files.HISTORY_FILE
    return json.loads(path.read_text()) if path.is_file() else {}
