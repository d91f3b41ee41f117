"""Which spans a run ingests: those that arrived since the last ingestion, read from ML Metadata.

A span arrives when its folder appears, or when its files change (it is then ingested again, one
version up). Every span that arrived is ingested, however many arrived since the last run: none is
skipped. When nothing arrived, the run ingests what the last ingestion did, with the same
properties, so that TFX's cache answers and an unchanged rerun trains nothing. Needs no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from components.contract import keys, properties
from data.spans import Span, SpannedDataset
from pipeline import node_ids
from pipeline.metadata import store


@dataclasses.dataclass(frozen=True)
class Ingested:
    """The newest ingestion of one span: its version and the hashes of the files it came from."""

    number: int
    version: int
    sha256: dict[str, str]


def record(dataset: SpannedDataset, span: Span, version: int) -> dict[str, object]:
    """What the ExampleGen is told of a span: its folder relative to the data folder, hashes, size, version."""
    return {
        "folder": os.path.relpath(span.directory, dataset.root),
        "sha256": dict(span.sha256),
        "count": span.count,
        "version": version,
    }


@dataclasses.dataclass(frozen=True)
class Arrival:
    """The spans a run ingests: {span: its record for the ExampleGen}, and whether they are new."""

    spans: dict[int, dict[str, object]]
    new: bool

    def describe(self) -> str:
        numbers = ", ".join(str(n) for n in sorted(self.spans))
        if self.new:
            return f"ingesting span{'s' if len(self.spans) > 1 else ''} {numbers}"
        return f"no new span: the last ingestion (span {numbers}) stands"


def plan(dataset: SpannedDataset, ingested: Mapping[int, Ingested], last_ingestion: Sequence[int]) -> Arrival:
    """The spans to ingest: new spans and spans whose files changed since their newest ingestion, each
    with the next version; when there are none, the spans of the last ingestion as it recorded them."""
    records = {}
    for span in dataset.spans:
        before = ingested.get(span.number)
        if before is None or before.sha256 != span.sha256:
            records[span.number] = record(dataset, span, before.version + 1 if before else 0)
    if records:
        return Arrival(records, new=True)
    present = {span.number: span for span in dataset.spans}
    last = {
        n: record(dataset, present[n], ingested[n].version) for n in last_ingestion if n in present and n in ingested
    }
    return Arrival(last, new=False)


def read_ingested(metadata_path: Path, pipeline_name: str) -> tuple[dict[int, Ingested], list[int]]:
    """({span: its newest ingestion}, the spans of the last ingestion) of the pipeline; empty without a store."""
    if not Path(metadata_path).is_file():
        return {}, []
    records = store.Store.open(metadata_path)
    ingested: dict[int, Ingested] = {}
    last: list[int] = []
    for execution in records.records(records.node_executions(pipeline_name, node_ids.EXAMPLE_GEN)):
        if execution.state not in (store.DONE, store.CACHED):
            continue
        spans = [a for a in execution.outputs if a.key == keys.EXAMPLES_KEY and properties.SPAN_SHA256 in a.properties]
        if spans:
            last = sorted(int(a.properties["span"]) for a in spans)
        for artifact in spans:
            entry = Ingested(
                number=int(artifact.properties["span"]),
                version=int(artifact.properties.get("version", 0)),
                sha256=json.loads(str(artifact.properties[properties.SPAN_SHA256])),
            )
            current = ingested.get(entry.number)
            if current is None or entry.version >= current.version:
                ingested[entry.number] = entry
    return ingested, last


def spans_to_ingest(dataset: SpannedDataset, metadata_path: Path, pipeline_name: str) -> Arrival:
    """``plan`` for ``dataset`` against what the pipeline's store says was ingested."""
    ingested, last = read_ingested(metadata_path, pipeline_name)
    return plan(dataset, ingested, last)
