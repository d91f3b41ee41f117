"""The model a Trainer warm-starts from: the latest blessed model trained before the newest span arrived.

Taking simply the latest blessed model would, on a rerun with nothing new, hand the Trainer the
model it trained last time: a new input, so a full retraining. A model created before the newest
span of the window was ingested was trained on an older window; the newest such blessed model is
the one to start from, and a rerun resolves the same one (or none), so the Trainer stays cached.
Whether its architecture matches is checked by the Trainer (components/training/trainer.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tfx.dsl.components.common import resolver
from tfx.types import artifact

from components.contract import keys
from components.resolvers import baseline_model_strategy, this_run


def warm_start_model(
    window: Sequence[artifact.Artifact], models: Sequence[artifact.Artifact], blessings: Sequence[artifact.Artifact]
) -> tuple[list[artifact.Artifact], list[artifact.Artifact]]:
    """([model], [its blessing]) of the newest blessed model created before the window's newest span was
    ingested (so trained on an older window); ([], []) if none."""
    if not window:
        return [], []
    newest_span = max(e.id for e in window)
    return baseline_model_strategy.newest_blessed(models, blessings, lambda model: model.id < newest_span)


class WarmStartModelStrategy(resolver.ResolverStrategy):
    """Resolves ``model``/``model_blessing`` to the model to warm-start from; ``examples`` passes through."""

    def resolve_artifacts(self, store: Any, input_dict: dict[str, list[artifact.Artifact]]) -> dict:
        window = this_run.this_runs(store, input_dict.get(keys.EXAMPLES_KEY, []))
        # SavedModels only: an on-device model has no Keras weights to start from.
        models = baseline_model_strategy.of_kind(input_dict.get(keys.MODEL_KEY, []), on_device=False)
        model, blessing = warm_start_model(window, models, input_dict.get(keys.MODEL_BLESSING_KEY, []))
        return {keys.EXAMPLES_KEY: window, keys.MODEL_KEY: model, keys.MODEL_BLESSING_KEY: blessing}
