"""The training window: the newest ``num_spans`` spans the drift gate cleared, each in its newest version.

TFX's rolling range (RangeConfig.rolling_range, as SpanRangeStrategy reads it) over the cleared spans
(cleared_spans.py), with the drift reports that cleared them, for the model card.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tfx.dsl.components.common import resolver
from tfx.types import artifact

from components.contract import keys
from components.resolvers.cleared_spans import cleared_ids, newest_versions


def window(examples: Sequence[artifact.Artifact], cleared: set[int], num_spans: int) -> list[artifact.Artifact]:
    """The newest ``num_spans`` cleared spans (all when 0), each in its newest cleared version, ascending."""
    by_span = newest_versions([e for e in examples if e.id in cleared])
    spans = sorted(by_span)
    if num_spans:
        spans = spans[-num_spans:]
    return [by_span[s] for s in spans]


class SpanWindowStrategy(resolver.ResolverStrategy):
    """Resolves ``examples`` to the training window, the newest ``num_spans`` cleared spans (0: all), and
    ``drift_reports`` to the reports that cleared them (for the model card)."""

    def __init__(self, num_spans: int = 0) -> None:
        self._num_spans = num_spans

    def resolve_artifacts(self, store: Any, input_dict: dict[str, list[artifact.Artifact]]) -> dict:
        reports = list(input_dict.get(keys.DRIFT_REPORTS_KEY, []))
        chosen = window(input_dict.get(keys.EXAMPLES_KEY, []), cleared_ids(reports), self._num_spans)
        ids = {e.id for e in chosen}
        return {keys.EXAMPLES_KEY: chosen, keys.DRIFT_REPORTS_KEY: [r for r in reports if cleared_ids([r]) & ids]}
