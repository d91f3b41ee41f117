"""The span the drift gate compares an arrival with: the newest cleared span below the arrival's lowest span."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tfx.dsl.components.common import resolver
from tfx.types import artifact

from components.contract import keys, properties
from components.resolvers import this_run
from components.resolvers.cleared_spans import cleared_ids, newest_versions


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
        arrived = arrival_ids(this_run.this_runs(store, input_dict.get(keys.ARRIVAL_STATISTICS_KEY, [])))
        cleared = cleared_ids(input_dict.get(keys.DRIFT_REPORTS_KEY, []))
        return {
            keys.ARRIVAL_STATISTICS_KEY: [],
            keys.EXAMPLES_KEY: previous_span(arrived, input_dict.get(keys.EXAMPLES_KEY, []), cleared),
            keys.DRIFT_REPORTS_KEY: [],
        }
