"""Artifact types of this project's own: what no TFX standard artifact describes."""

from tfx.types import artifact

from components.contract import artifact_types


class DriftReport(artifact.Artifact):
    """What the drift gate cleared: the spans of one arrival, each with its drift figures.

    Published only when the gate lets the arrival through, so a span is in a DriftReport exactly
    when it may be trained on (properties.DRIFT_REPORT holds the JSON, drift_gate/checks.py its shape).
    """

    TYPE_NAME = artifact_types.DRIFT_REPORT
