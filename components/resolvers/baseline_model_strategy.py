"""The baseline the Evaluator compares a candidate with: the latest blessed model other than the candidate.

TFX's LatestBlessedModelStrategy returns the latest blessed model even when that is
the candidate itself. After a run blesses model A, an unchanged rerun trains
nothing (the Trainer is cached, the candidate is A again) but would evaluate A
against A: a new Evaluator input, so a full re-evaluation that can decide
nothing. Leaving the candidate out keeps an unchanged rerun fully cached, and a
new model is still compared with the last blessed one before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tfx.dsl.components.common import resolver
from tfx.types import artifact

from components.contract import keys, properties
from components.resolvers import this_run


def newest_blessed(
    models: Sequence[artifact.Artifact],
    blessings: Sequence[artifact.Artifact],
    eligible: Callable[[artifact.Artifact], bool],
) -> tuple[list[artifact.Artifact], list[artifact.Artifact]]:
    """([model], [its blessing]) of the newest blessed model that is ``eligible``; ([], []) if none."""
    blessing_of = {
        b.get_int_custom_property(properties.CURRENT_MODEL_ID): b
        for b in blessings
        if b.get_int_custom_property(properties.BLESSED) == 1
    }
    for model in sorted(models, key=lambda m: m.id, reverse=True):
        if model.id in blessing_of and eligible(model):
            return [model], [blessing_of[model.id]]
    return [], []


def latest_blessed_other_than(
    candidates: list[artifact.Artifact], models: list[artifact.Artifact], blessings: list[artifact.Artifact]
) -> tuple[list[artifact.Artifact], list[artifact.Artifact]]:
    """([model], [its blessing]) of the newest blessed model that is not a candidate; ([], []) if none."""
    excluded = {c.id for c in candidates}
    return newest_blessed(models, blessings, lambda model: model.id not in excluded)


class LatestBlessedOtherModelStrategy(resolver.ResolverStrategy):
    """Resolves ``model``/``model_blessing`` to the latest blessed model that is not the ``candidate``."""

    def resolve_artifacts(self, store: Any, input_dict: dict[str, list[artifact.Artifact]]) -> dict:
        candidates = this_run.this_runs(store, input_dict.get(keys.CANDIDATE_KEY, []))
        model, blessing = latest_blessed_other_than(
            candidates, input_dict.get(keys.MODEL_KEY, []), input_dict.get(keys.MODEL_BLESSING_KEY, [])
        )
        return {keys.CANDIDATE_KEY: candidates, keys.MODEL_KEY: model, keys.MODEL_BLESSING_KEY: blessing}
