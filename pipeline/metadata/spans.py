"""The spans of a run: what its ExampleGen ingested, what its Trainer trained on, the drift figures of
each, and the warm start, from ML Metadata and the file the Trainer writes beside its model."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path

from components.contract import artifact_types, features, files, keys, properties
from components.drift_gate.checks import DriftFigures
from pipeline import node_ids
from pipeline.metadata import drift, outputs
from pipeline.metadata.store import CACHED, DATA_WARNINGS, DONE, ArtifactRef, ExecutionRecord


@dataclasses.dataclass(frozen=True)
class SpanRef:
    """One span's Examples artifact.

    Attributes:
      span: the span number; ``version``: how many times it was ingested again (files changed) before.
      examples_id: the Examples artifact's id in ML Metadata.
      examples: examples per split (train, eval), from ingestion's split summary.
      drift: the figures that cleared (or stopped) the span, where the run's records hold them.
    """

    span: int
    version: int
    examples_id: int
    examples: dict[str, int]
    drift: DriftFigures | None = None

    @property
    def name(self) -> str:
        return f"span {self.span}" + (f" version {self.version}" if self.version else "")


def _names(spans: list[SpanRef]) -> str:
    return ", ".join(s.name for s in spans)


@dataclasses.dataclass(frozen=True)
class Ingestion:
    """The span Examples a run's ExampleGen output; ``new``: it ingested them (False: cached, reused);
    ``warnings``: about the data, as the runner printed them when the run started (a skipped folder, a gone span)."""

    spans: list[SpanRef]
    new: bool
    warnings: tuple[str, ...] = ()

    def describe(self) -> str:
        if not self.spans:
            return "no span recorded"
        if self.new:
            return f"ingested {_names(self.spans)}"
        return f"no new span (reused {_names(self.spans)}, ingested by an earlier run)"


@dataclasses.dataclass(frozen=True)
class WarmStart:
    """Where the Trainer started from, as it recorded beside the model (``files.WARM_START_FILE``)."""

    base_model: str | None
    epochs: int | None
    reason: str

    def describe(self) -> str:
        if not self.base_model:
            return f"none: {self.reason or 'trained from scratch'}"
        epochs = f", {self.epochs} epoch{'s' if self.epochs != 1 else ''}" if self.epochs is not None else ""
        return f"from {self.base_model}{epochs}"


@dataclasses.dataclass(frozen=True)
class RunSpans:
    """The spans of one run.

    Attributes:
      ingestion: what the ExampleGen output; None when it did not finish.
      drift: the drift gate's figures of the arrival (measured again when it stopped the run).
      drift_measured: the gate measured ``drift`` in this run (False: cached, an earlier run's figures).
      drift_stopped: the drift gate stopped the run on ``drift``.
      trained: the Trainer's window, each span with the figures that cleared it; [] when it trained nothing.
      warm_start: the Trainer's warm start; None when it trained no model or recorded none.
    """

    ingestion: Ingestion | None
    drift: list[DriftFigures]
    drift_measured: bool
    drift_stopped: bool
    trained: list[SpanRef]
    warm_start: WarmStart | None


def span_ref(examples: ArtifactRef, figures: Mapping[int, DriftFigures] | None = None) -> SpanRef:
    summary = json.loads(str(examples.properties.get(properties.SPLIT_SUMMARY) or "{}"))
    return SpanRef(
        span=int(examples.properties[properties.SPAN]),
        version=int(examples.properties.get(properties.VERSION, 0)),
        examples_id=examples.id,
        examples={split: int(summary[split].get("count", 0)) for split in features.SPLITS if split in summary},
        drift=(figures or {}).get(examples.id),
    )


def span_refs(artifacts: list[ArtifactRef], figures: Mapping[int, DriftFigures] | None = None) -> list[SpanRef]:
    """The span Examples among ``artifacts`` (the test set's has no span), by span and version."""
    found = [
        span_ref(a, figures) for a in artifacts if a.type == artifact_types.EXAMPLES and properties.SPAN in a.properties
    ]
    return sorted(found, key=lambda s: (s.span, s.version))


def ingestion(executions: list[ExecutionRecord]) -> Ingestion | None:
    """What the run's ExampleGen output, and whether it ingested it or reused an earlier run's ingestion."""
    example_gen = outputs.by_node(executions).get(node_ids.EXAMPLE_GEN)
    if example_gen is None or example_gen.state not in (DONE, CACHED):
        return None
    arrival = [a for a in example_gen.outputs if a.key == keys.EXAMPLES_KEY]
    warnings = tuple(json.loads(example_gen.notes.get(DATA_WARNINGS) or "[]"))
    return Ingestion(span_refs(arrival), new=example_gen.state == DONE, warnings=warnings)


def warm_start(model_uri: str | None) -> WarmStart | None:
    path = Path(model_uri) / files.WARM_START_FILE if model_uri else None
    if path is None or not path.is_file():
        return None
    record = json.loads(path.read_text())
    return WarmStart(record.get("base_model"), record.get("epochs"), str(record.get("reason") or ""))


def run_spans(executions: list[ExecutionRecord]) -> RunSpans:
    """The spans of the run whose executions are ``executions``."""
    by_node = outputs.by_node(executions)
    gate = by_node.get(node_ids.DRIFT_GATE)
    arrival = drift.gate_figures(gate)
    stopped = gate is not None and gate.state == "failed" and drift.stop_message(arrival) is not None
    pusher = by_node.get(node_ids.PUSHER)
    # The Pusher is given the reports that cleared the window's spans; the gate's own are the arrival's.
    window = drift.read_reports([a for a in pusher.inputs if a.type == artifact_types.DRIFT_REPORT]) if pusher else []
    figures = {f.examples_id: f for f in [*window, *arrival]}
    trainer = by_node.get(node_ids.TRAINER)
    trained_model = trainer is not None and trainer.state in (DONE, CACHED)
    model = trainer.output(artifact_types.MODEL) if trainer is not None and trained_model else None
    return RunSpans(
        ingestion=ingestion(executions),
        drift=arrival,
        drift_measured=gate is not None and gate.state != CACHED,
        drift_stopped=stopped,
        trained=span_refs(trainer.inputs, figures) if trainer is not None and trained_model else [],
        warm_start=warm_start(model.uri) if model is not None else None,
    )
