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


def is_on_device(model: artifact.Artifact) -> bool:
    """Whether a Model is an on-device (TFLite) model, LiteConverter's: it records its quantization. The Trainer and
    LiteConverter both output Models, and a resolver's channel of Models holds both kinds."""
    return bool(model.get_string_custom_property(properties.QUANTIZATION))


def of_kind(models: Sequence[artifact.Artifact], *, on_device: bool) -> list[artifact.Artifact]:
    """The on-device models among ``models``, or the others (SavedModels)."""
    return [m for m in models if is_on_device(m) == on_device]


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
    """Resolves ``model``/``model_blessing`` to the latest blessed model that is not the ``candidate``, of the
    candidate's kind: a SavedModel, or with ``on_device`` (the Resolver's config), an on-device model."""

    def __init__(self, on_device: bool = False) -> None:
        self._on_device = on_device

    def resolve_artifacts(self, store: Any, input_dict: dict[str, list[artifact.Artifact]]) -> dict:
        candidates = this_run.this_runs(store, input_dict.get(keys.CANDIDATE_KEY, []))
        models = of_kind(input_dict.get(keys.MODEL_KEY, []), on_device=self._on_device)
        model, blessing = latest_blessed_other_than(candidates, models, input_dict.get(keys.MODEL_BLESSING_KEY, []))
        return {keys.CANDIDATE_KEY: candidates, keys.MODEL_KEY: model, keys.MODEL_BLESSING_KEY: blessing}
