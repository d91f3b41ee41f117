"""Which spans a run ingests: those that arrived since the last ingestion, read from ML Metadata.

A span arrives when its folder appears, or when its files change (it is then ingested again, one
version up). Every span that arrived is ingested, however many arrived since the last run: none is
skipped. When nothing arrived, the run repeats an earlier ingestion exactly as the ExampleGen was
given it (its ``spans`` parameter, as ML Metadata recorded it), so that TFX's cache answers and an
unchanged rerun trains nothing: the newest ingestion that still stands, which is the last one unless
a span of it has gone from the data folder.

A span gone from the data folder is one of two kinds. One the drift gate never cleared is withdrawn:
it is not measured again, and an ingestion that holds it no longer stands (a drifted span removed by
the operator). One the drift gate cleared stays: its examples are in ML Metadata, where the training
window finds them, so an ingestion that holds it still stands and the run warns that its folder is
gone. A span still present that the gate never cleared is measured again until it is cleared or
withdrawn. Needs no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from components.contract import keys, properties
from data import idx, sources
from data.spans import Span, SpannedDataset
from pipeline import node_ids
from pipeline.metadata import store


@dataclasses.dataclass(frozen=True)
class Ingested:
    """One span as an ingestion output it: its version, the hashes of its files, and whether the drift gate
    cleared that Examples artifact (let it through, or accepted its drift)."""

    number: int
    version: int
    sha256: dict[str, str]
    cleared: bool = False


@dataclasses.dataclass(frozen=True)
class Ingestion:
    """One finished ExampleGen execution (it ran, or reused an earlier one's output).

    Attributes:
      spans: {span: what it output of that span}.
      records: {span: record} as the ExampleGen was given them (its ``spans`` parameter); {} when not recorded.
      run_id: the run that first output these artifacts.
    """

    spans: dict[int, Ingested]
    records: dict[int, dict[str, object]]
    run_id: str | None = None


def record(dataset: SpannedDataset, span: Span, version: int) -> dict[str, object]:
    """What the ExampleGen is told of a span: its folder relative to the data folder, hashes, size, version."""
    return {
        "folder": os.path.relpath(span.directory, dataset.root),
        "sha256": dict(span.sha256),
        "count": span.count,
        "version": version,
    }


def _spans(numbers: Sequence[int]) -> str:
    return f"span{'s' if len(numbers) > 1 else ''} {', '.join(str(n) for n in sorted(numbers))}"


@dataclasses.dataclass(frozen=True)
class Arrival:
    """The spans a run ingests: {span: its record for the ExampleGen}, and whether they are new.

    Attributes:
      again: the spans are not new but waiting for the drift gate, and no earlier ingestion holds them all.
      present: the spans in the data folder, when nothing is new.
      withdrawn: spans gone from the data folder that the drift gate never cleared (in their newest version).
      stands: the earlier ingestion the run repeats, when nothing is new.
      warnings: one line per span the gate cleared whose folder is gone (the window keeps its examples).
    """

    spans: dict[int, dict[str, object]]
    new: bool
    again: bool = False
    present: tuple[int, ...] = ()
    withdrawn: tuple[int, ...] = ()
    stands: Ingestion | None = None
    warnings: tuple[str, ...] = ()

    def describe(self) -> str:
        are = "are" if len(self.withdrawn) > 1 else "is"
        gone = f"{_spans(self.withdrawn)} {are} gone, never cleared by the drift gate: withdrawn"
        if self.new:
            again = " again" if self.again else ""
            return f"ingesting {_spans(list(self.spans))}{again}" + (f" ({gone})" if self.withdrawn else "")
        are = "are" if len(self.present) > 1 else "is"
        text = f"no new span: DATA_DIR's {_spans(self.present)} {are} as ingested before"
        text += f"; {gone}" if self.withdrawn else ""
        if self.stands is not None:
            by = f"by run {self.stands.run_id}" if self.stands.run_id else "by an earlier run"
            text += f"; the ingestion of {_spans(list(self.stands.spans))} {by} stands"
        return text


def newest(history: Sequence[Ingestion]) -> dict[int, Ingested]:
    """{span: its newest version ingested}, cleared when the gate cleared any artifact of that version."""
    found: dict[int, Ingested] = {}
    for ingestion in history:
        for number, span in ingestion.spans.items():
            current = found.get(number)
            if current is None or (span.version, span.cleared) > (current.version, current.cleared):
                found[number] = span
    return found


def _cleared_versions(history: Sequence[Ingestion]) -> dict[int, int]:
    """{span: the newest version of it the drift gate cleared}."""
    found: dict[int, int] = {}
    for span in (s for ingestion in history for s in ingestion.spans.values() if s.cleared):
        found[span.number] = max(span.version, found.get(span.number, span.version))
    return found


def _refuse_copies(dataset: SpannedDataset, records: Mapping[int, object], history: Sequence[Ingestion]) -> None:
    """Raises idx.IdxError when a span arriving under a new number has the images of a span ingested before."""
    before = {s.sha256.get(sources.TRAIN_IMAGES): s for ingestion in history for s in ingestion.spans.values()}
    before.pop(None, None)
    known = {s.number for ingestion in history for s in ingestion.spans.values()}
    for span in dataset.spans:
        copied = before.get(span.sha256.get(sources.TRAIN_IMAGES) or "no images hash")
        if span.number in records and span.number not in known and copied is not None:
            raise idx.IdxError(
                span.directory,
                f"the same images as span {copied.number} (version {copied.version}), ingested before; "
                "a span is trained on once: remove the copy",
            )


def plan(dataset: SpannedDataset, history: Sequence[Ingestion]) -> Arrival:
    """The spans to ingest: new spans and spans whose files changed since their newest ingestion, each
    with the next version; when there are none, the newest ingestion that stands, as it was recorded.

    Args:
      dataset: the data folder, verified.
      history: every finished ingestion of the pipeline, oldest first (``read_history``).

    Raises:
      idx.IdxError: a new span holds the images of a span ingested before.
    """
    last = newest(history)
    present = {span.number: span for span in dataset.spans}
    records = {}
    for span in dataset.spans:
        before = last.get(span.number)
        if before is None or before.sha256 != span.sha256:
            records[span.number] = record(dataset, span, before.version + 1 if before else 0)
    _refuse_copies(dataset, records, history)
    cleared = _cleared_versions(history)
    gone = sorted(set(last) - set(present))
    withdrawn = tuple(n for n in gone if not last[n].cleared)
    warnings = tuple(_kept(dataset, history, n, cleared[n]) for n in gone if n in cleared)
    if records:
        return Arrival(records, new=True, withdrawn=withdrawn, warnings=warnings)

    # Each span's version now: the present files' own, or for a span gone the version the window keeps.
    now = {n: last[n].version if n in present else cleared.get(n) for n in last}
    waiting = {n for n in present if not last[n].cleared}  # to be measured again by the drift gate
    standing = [
        i
        for i in reversed(history)
        if i.spans and all(now[n] == s.version for n, s in i.spans.items()) and _repeatable(i, present)
    ]
    chosen = next((i for i in standing if waiting <= set(i.spans)), None)
    if chosen is None:
        # No ingestion holds every span waiting for the gate: they are ingested again together, as they are.
        again = {n: record(dataset, present[n], last[n].version) for n in sorted(waiting or present)}
        return Arrival(again, new=True, again=True, withdrawn=withdrawn, warnings=warnings)
    repeated = _repeat(chosen, dataset, present)
    return Arrival(
        repeated, new=False, present=tuple(sorted(present)), withdrawn=withdrawn, stands=chosen, warnings=warnings
    )


def _repeatable(ingestion: Ingestion, present: Mapping[int, Span]) -> bool:
    return all(n in present or n in ingestion.records for n in ingestion.spans)


def _repeat(ingestion: Ingestion, dataset: SpannedDataset, present: Mapping[int, Span]) -> dict[int, dict[str, object]]:
    """The ExampleGen's records of ``ingestion``: a span present as its folder gives it (as before, the same
    record), a span gone as ML Metadata recorded it."""
    return {
        n: record(dataset, present[n], s.version) if n in present else dict(ingestion.records[n])
        for n, s in ingestion.spans.items()
    }


def _kept(dataset: SpannedDataset, history: Sequence[Ingestion], number: int, version: int) -> str:
    folders = [str(i.records[number]["folder"]) for i in history if number in i.records]
    folder = dataset.root / (folders[-1] if folders else f"span-{number}")
    return (
        f"{folder}: span {number} is gone from DATA_DIR; the drift gate cleared it (version {version}), so the "
        "training window keeps its examples, ingested before (ML Metadata)"
    )


def _recorded(text: object) -> dict[int, dict[str, object]]:
    """The ExampleGen's ``spans`` parameter as ML Metadata recorded it; {} when absent or unreadable."""
    try:
        return {int(n): dict(r) for n, r in json.loads(str(text)).items()} if text else {}
    except (ValueError, TypeError, AttributeError):
        return {}


def read_history(metadata_path: Path, pipeline_name: str) -> list[Ingestion]:
    """Every finished ingestion of the pipeline, oldest first, with the drift gate's verdicts; [] without a store."""
    if not Path(metadata_path).is_file():
        return []
    records = store.Store.open(metadata_path)
    gates = records.records(records.node_executions(pipeline_name, node_ids.DRIFT_GATE))
    cleared = {
        a.id for g in gates if g.state in (store.DONE, store.CACHED) for a in g.inputs if a.key == keys.EXAMPLES_KEY
    }
    history, first_runs = [], {}
    for execution in records.records(records.node_executions(pipeline_name, node_ids.EXAMPLE_GEN)):
        outputs = [
            a for a in execution.outputs if a.key == keys.EXAMPLES_KEY and properties.SPAN_SHA256 in a.properties
        ]
        if execution.state not in (store.DONE, store.CACHED) or not outputs:
            continue
        ids = tuple(sorted(a.id for a in outputs))
        first_runs.setdefault(ids, records.run_of(execution.id))
        spans = {
            int(a.properties[properties.SPAN]): Ingested(
                number=int(a.properties[properties.SPAN]),
                version=int(a.properties.get(properties.VERSION, 0)),
                sha256=json.loads(str(a.properties[properties.SPAN_SHA256])),
                cleared=a.id in cleared,
            )
            for a in outputs
        }
        history.append(Ingestion(spans, _recorded(execution.exec_properties.get(keys.SPANS_KEY)), first_runs[ids]))
    return history


def spans_to_ingest(dataset: SpannedDataset, metadata_path: Path, pipeline_name: str) -> Arrival:
    """``plan`` for ``dataset`` against what the pipeline's store says was ingested."""
    return plan(dataset, read_history(metadata_path, pipeline_name))
