"""Which spans a step sees: the span before an arrival (for the drift gate) and the training window.

A span may be trained on once the drift gate cleared it: its Examples artifact is named in a
published DriftReport. A span ingested again (its files changed) counts in its newest cleared
version. Both selections are pure functions of what ML Metadata holds, so a rerun with nothing
new resolves the same artifacts and TFX's cache answers.

The window is TFX's rolling range (RangeConfig.rolling_range, as SpanRangeStrategy reads it) over
the cleared spans: the newest ``num_spans`` of them, each in its newest version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tfx.dsl.components.common import resolver
from tfx.types import artifact

from components import properties, resolver_inputs
from components.drift_gate import checks

EXAMPLES_KEY = "examples"
# The arrival is known by this run's statistics of it (SpanStatisticsGen's outputs name their Examples
# artifact): the ExampleGen's own output channel and the query of every span it ever produced would
# compile to the same input of the resolver, and TFX would merge them.
ARRIVAL_STATISTICS_KEY = "arrival_statistics"
DRIFT_REPORTS_KEY = "drift_reports"
NUM_SPANS_KEY = "num_spans"  # 0: every span


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


def window(examples: Sequence[artifact.Artifact], cleared: set[int], num_spans: int) -> list[artifact.Artifact]:
    """The newest ``num_spans`` cleared spans (all when 0), each in its newest cleared version, ascending."""
    by_span = newest_versions([e for e in examples if e.id in cleared])
    spans = sorted(by_span)
    if num_spans:
        spans = spans[-num_spans:]
    return [by_span[s] for s in spans]


def arrival_ids(statistics: Sequence[artifact.Artifact]) -> set[int]:
    """Ids of the span Examples this run's statistics describe (the test set's statistics are span 0)."""
    return {s.get_int_custom_property(properties.EXAMPLES_ID) for s in statistics if s.span}


def previous_span(
    arrived: set[int], examples: Sequence[artifact.Artifact], cleared: set[int]
) -> list[artifact.Artifact]:
    """[the newest cleared span below the lowest span of the arrival (ids ``arrived``)], or [] when there is none."""
    arrival = [e for e in examples if e.id in arrived]
    if not arrival:
        return []
    lowest = min(e.span for e in arrival)
    by_span = newest_versions([e for e in examples if e.id in cleared and e.id not in arrived and e.span < lowest])
    return [by_span[max(by_span)]] if by_span else []


class PreviousSpanStrategy(resolver.ResolverStrategy):
    """Resolves ``examples`` to the span the drift gate compares the arrival with."""

    def resolve_artifacts(self, store: Any, input_dict: dict[str, list[artifact.Artifact]]) -> dict:
        arrived = arrival_ids(resolver_inputs.this_runs(store, input_dict.get(ARRIVAL_STATISTICS_KEY, [])))
        cleared = cleared_ids(input_dict.get(DRIFT_REPORTS_KEY, []))
        return {
            ARRIVAL_STATISTICS_KEY: [],
            EXAMPLES_KEY: previous_span(arrived, input_dict.get(EXAMPLES_KEY, []), cleared),
            DRIFT_REPORTS_KEY: [],
        }


class SpanWindowStrategy(resolver.ResolverStrategy):
    """Resolves ``examples`` to the training window, the newest ``num_spans`` cleared spans (0: all), and
    ``drift_reports`` to the reports that cleared them (for the model card)."""

    def __init__(self, num_spans: int = 0) -> None:
        self._num_spans = num_spans

    def resolve_artifacts(self, store: Any, input_dict: dict[str, list[artifact.Artifact]]) -> dict:
        reports = list(input_dict.get(DRIFT_REPORTS_KEY, []))
        chosen = window(input_dict.get(EXAMPLES_KEY, []), cleared_ids(reports), self._num_spans)
        ids = {e.id for e in chosen}
        return {EXAMPLES_KEY: chosen, DRIFT_REPORTS_KEY: [r for r in reports if cleared_ids([r]) & ids]}
