"""The drift gate's figures in a run, and those figures in words.

A gate that cleared its spans published them in its DriftReport. A gate that stopped the run
published nothing, so its figures are measured again from the span profiles and the schema it was
given, by the gate's own comparison (``components/drift_gate/checks.compare_arrival``). Needs neither
TensorFlow nor TFDV.
"""

from __future__ import annotations

from pathlib import Path

from components.contract import artifact_types, features, keys, properties
from components.drift_gate import checks
from components.drift_gate.checks import DriftFigures
from components.records import split_files
from pipeline.metadata.store import ArtifactRef, ExecutionRecord


def read_reports(reports: list[ArtifactRef]) -> list[DriftFigures]:
    """The figures the DriftReport artifacts ``reports`` hold, in their order."""
    return [
        figure
        for report in reports
        if properties.DRIFT_REPORT in report.properties
        for figure in checks.read_report(str(report.properties[properties.DRIFT_REPORT]))
    ]


def _arrival_inputs(gate: ExecutionRecord, key: str) -> list[tuple[int, int, checks.SpanProfile]]:
    """(span, Examples id, profile) of the gate's profiled inputs under ``key``."""
    return [
        (
            int(a.properties.get(properties.SPAN, 0)),
            a.id,
            checks.SpanProfile.from_json(str(a.properties[properties.SPAN_PROFILE])),
        )
        for a in gate.inputs
        if a.key == key and properties.SPAN_PROFILE in a.properties
    ]


def measure_again(gate: ExecutionRecord) -> list[DriftFigures]:
    """The figures the gate measured, by the gate's own comparison (``checks.compare_arrival``) on its inputs."""
    schema = gate.input(keys.SCHEMA_KEY)
    schema_file = Path(schema.uri) / split_files.SCHEMA_FILE_NAME if schema is not None else None
    previous = [(span, profile) for span, _, profile in _arrival_inputs(gate, keys.PREVIOUS_EXAMPLES_KEY)][:1]
    return checks.compare_arrival(
        _arrival_inputs(gate, keys.EXAMPLES_KEY),
        previous[0] if previous else None,
        label_threshold=checks.label_threshold(split_files.read_schema(schema.uri))
        if schema_file is not None and schema_file.is_file()
        else 0.0,
        pixel_threshold=float(gate.exec_properties.get(keys.PIXEL_THRESHOLD_KEY, checks.DEFAULT_PIXEL_THRESHOLD)),
    )


def gate_figures(gate: ExecutionRecord | None) -> list[DriftFigures]:
    """What the drift gate ``gate`` measured: its report, or the figures measured again when it failed."""
    if gate is None:
        return []
    report = gate.output(artifact_types.DRIFT_REPORT)
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
