"""The drift gate's figures in a run, and those figures in words.

A gate that cleared its spans published them in its DriftReport. A gate that stopped the run
published nothing, so its figures are measured again from the span profiles it was given, with
its own functions (``components/drift_gate/checks.py``); the label figure is ``checks.label_linf``,
the figure TFDV's L-infinity comparator reports, against the threshold in the schema it was given.
Needs neither TensorFlow nor TFDV.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from components import features, properties
from components.drift_gate import checks
from components.drift_gate.checks import DriftFigures
from components.records import split_files
from pipeline.inspection import outputs
from pipeline.inspection.store import ArtifactRef, ExecutionRecord

PREVIOUS_EXAMPLES_KEY = properties.PREVIOUS_EXAMPLES_KEY
SCHEMA_KEY = properties.SCHEMA_KEY
PIXEL_THRESHOLD_KEY = properties.PIXEL_THRESHOLD_KEY


def read_reports(reports: list[ArtifactRef]) -> list[DriftFigures]:
    """The figures the DriftReport artifacts ``reports`` hold, in their order."""
    return [
        figure
        for report in reports
        if properties.DRIFT_REPORT in report.properties
        for figure in checks.read_report(str(report.properties[properties.DRIFT_REPORT]))
    ]


def label_threshold(schema_uri: str) -> float:
    """The schema's L-infinity drift threshold on ``label``; 0 when it sets none."""
    from google.protobuf import text_format
    from tensorflow_metadata.proto.v0 import schema_pb2

    path = Path(schema_uri) / split_files.SCHEMA_FILE_NAME
    if not path.is_file():
        return 0.0
    schema = text_format.Parse(path.read_text(), schema_pb2.Schema())
    label = next((f for f in schema.feature if f.name == features.LABEL_KEY), None)
    return float(label.drift_comparator.infinity_norm.threshold) if label is not None else 0.0


def _profiled(gate: ExecutionRecord, key: str) -> list[ArtifactRef]:
    found = [a for a in gate.inputs if a.key == key and properties.SPAN_PROFILE in a.properties]
    return sorted(found, key=lambda a: int(a.properties.get(outputs.SPAN, 0)))


def measure_again(gate: ExecutionRecord) -> list[DriftFigures]:
    """The figures the gate measured: each span of the arrival against the one before it, as its executor does."""

    def profile(examples: ArtifactRef) -> tuple[int, checks.SpanProfile]:
        span = int(examples.properties.get(outputs.SPAN, 0))
        return span, checks.SpanProfile.from_json(str(examples.properties[properties.SPAN_PROFILE]))

    schema = gate.input(SCHEMA_KEY)
    threshold = label_threshold(schema.uri) if schema is not None else 0.0
    pixel_threshold = float(gate.exec_properties.get(PIXEL_THRESHOLD_KEY, checks.DEFAULT_PIXEL_THRESHOLD))
    previous = _profiled(gate, PREVIOUS_EXAMPLES_KEY)[:1]
    before = profile(previous[0]) if previous else None
    figures = []
    for examples in _profiled(gate, properties.SPAN_EXAMPLES_KEY):
        span, current = profile(examples)
        figure = checks.pixel_figures(span, examples.id, current, before, pixel_threshold)
        if before is not None:
            # The executor asks TFDV for the label figure only when the schema sets a threshold.
            figure = dataclasses.replace(
                figure, label_linf=figure.label_linf if threshold else 0.0, label_threshold=threshold
            )
        figures.append(figure)
        before = (span, current)
    return figures


def gate_figures(gate: ExecutionRecord | None) -> list[DriftFigures]:
    """What the drift gate ``gate`` measured: its report, or the figures measured again when it failed."""
    if gate is None:
        return []
    report = gate.output(outputs.DRIFT_REPORT)
    if report is not None:
        return read_reports([report])
    return measure_again(gate) if gate.state == "failed" else []


def stop_message(figures: list[DriftFigures]) -> str | None:
    """The gate's error message for ``figures`` when drift is not accepted; None when nothing drifted."""
    try:
        checks.decide(figures, accept_drift=False)
    except checks.DriftError as e:
        return str(e)
    return None


def _compared(value: float, threshold: float) -> str:
    return f"{value:.3f} {'>' if value > threshold else '<='} {threshold:g}"


def measured(figure: DriftFigures) -> str:
    """Both figures against their thresholds: ``label L-infinity 0.000 <= 0.05, pixel Jensen-Shannon 0.670 > 0.1``."""
    if figure.label_threshold:
        label = f"label L-infinity {_compared(figure.label_linf, figure.label_threshold)}"
        if figure.label_linf > figure.label_threshold:
            label += f" (class {features.CLASS_NAMES[figure.label_class]})"
    else:
        label = f"label L-infinity {figure.label_linf:.3f} (no threshold)"
    return f"{label}, pixel Jensen-Shannon {_compared(figure.pixel_distance, figure.pixel_threshold)}"


def verdict(figure: DriftFigures, *, stopped: bool = False) -> str:
    """What the gate made of ``figure``; ``stopped``: the gate stopped the run on it."""
    if not figure.drifted:
        return "first span" if figure.compared_with is None else "within the thresholds"
    if figure.accepted:
        return "drifted, accepted (--accept-drift)"
    return "drifted: stopped the run" if stopped else "drifted"


def against(figure: DriftFigures, *, stopped: bool = False) -> str:
    """``against span 2: <measured>: <verdict>``, or that it is the first span."""
    if figure.compared_with is None:
        return "the first span, nothing to compare with"
    return f"against span {figure.compared_with}: {measured(figure)}: {verdict(figure, stopped=stopped)}"


def describe(figure: DriftFigures, *, stopped: bool = False) -> str:
    """``span 3 against span 2: <measured>: <verdict>``."""
    joint = ": " if figure.compared_with is None else " "
    return f"span {figure.span}{joint}{against(figure, stopped=stopped)}"
