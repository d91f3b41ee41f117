"""Spans the drift gate cleared: a span may be trained on once its Examples artifact is named in a
published DriftReport. A span ingested again (its files changed) counts in its newest cleared version.

Shared by the two span strategies (previous_span_strategy.py, span_window_strategy.py). Both are pure
functions of what ML Metadata holds, so a rerun with nothing new resolves the same artifacts and TFX's
cache answers.
"""

from __future__ import annotations

from collections.abc import Sequence

from tfx.types import artifact

from components.contract import properties
from components.drift_gate import checks


def cleared_ids(reports: Sequence[artifact.Artifact]) -> set[int]:
    """Ids of the Examples artifacts that some DriftReport cleared."""
    ids = set()
    for report in reports:
        text = report.get_string_custom_property(properties.DRIFT_REPORT)
        if text:
            ids.update(f.examples_id for f in checks.read_report(text))
    return ids


def newest_versions(examples: Sequence[artifact.Artifact]) -> dict[int, artifact.Artifact]:
    """{span: its artifact of the highest version (the newest, among equals)}."""
    chosen: dict[int, artifact.Artifact] = {}
    for candidate in sorted(examples, key=lambda e: (e.version, e.id)):
        chosen[candidate.span] = candidate
    return chosen
