"""components/resolvers/warm_start_model_strategy.py: the blessed model a Trainer warm-starts from, and its strategy."""

import pytest

from components.contract import keys
from components.resolvers import warm_start_model_strategy
from tests.support.mlmd_events import ONE_RUN, OutputEvents
from tests.support.resolver_artifacts import ids, model_blessing, span_examples, trained_model


def test_warm_start_takes_the_newest_blessed_model_created_before_the_newest_window_span():
    window = [span_examples(1, 1), span_examples(20, 2)]
    models = [trained_model(10), trained_model(15), trained_model(30)]
    blessings = [model_blessing(11, 10), model_blessing(16, 15), model_blessing(31, 30)]
    model, blessing = warm_start_model_strategy.warm_start_model(window, models, blessings)
    assert ids(model) == [15]
    assert ids(blessing) == [16]


def test_warm_start_skips_a_model_that_was_not_blessed():
    window = [span_examples(1, 1), span_examples(20, 2)]
    model, blessing = warm_start_model_strategy.warm_start_model(
        window, [trained_model(10), trained_model(15)], [model_blessing(11, 10), model_blessing(16, 15, blessed=0)]
    )
    assert (ids(model), ids(blessing)) == ([10], [11])


def test_warm_start_skips_a_model_never_evaluated():
    window = [span_examples(20, 2)]
    assert warm_start_model_strategy.warm_start_model(window, [trained_model(10)], [model_blessing(11, 9)]) == ([], [])


def test_a_rerun_with_nothing_new_resolves_no_model_when_every_model_is_newer():
    """Run 1 trained model 10 on span 1 (id 1): its rerun must not warm-start from model 10, or it retrains."""
    assert warm_start_model_strategy.warm_start_model(
        [span_examples(1, 1)], [trained_model(10)], [model_blessing(11, 10)]
    ) == ([], [])


def test_a_rerun_resolves_the_same_model_as_the_run_it_repeats():
    window = [span_examples(1, 1), span_examples(20, 2)]
    first = warm_start_model_strategy.warm_start_model(window, [trained_model(10)], [model_blessing(11, 10)])
    # The run trained model 30 from model 10; its rerun sees model 30 too.
    rerun = warm_start_model_strategy.warm_start_model(
        window, [trained_model(10), trained_model(30)], [model_blessing(11, 10), model_blessing(31, 30)]
    )
    assert ids(first[0]) == ids(rerun[0]) == [10]


def test_an_empty_window_warm_starts_from_nothing():
    assert warm_start_model_strategy.warm_start_model([], [trained_model(10)], [model_blessing(11, 10)]) == ([], [])


def test_the_warm_start_strategy_passes_the_window_through():
    window = [span_examples(1, 1), span_examples(20, 2)]
    resolved = warm_start_model_strategy.WarmStartModelStrategy().resolve_artifacts(
        ONE_RUN,
        {
            keys.EXAMPLES_KEY: window,
            keys.MODEL_KEY: [trained_model(10)],
            keys.MODEL_BLESSING_KEY: [model_blessing(11, 10)],
        },
    )
    assert set(resolved) == {keys.EXAMPLES_KEY, keys.MODEL_KEY, keys.MODEL_BLESSING_KEY}
    assert resolved[keys.EXAMPLES_KEY] == window
    assert (ids(resolved[keys.MODEL_KEY]), ids(resolved[keys.MODEL_BLESSING_KEY])) == ([10], [11])


@pytest.mark.parametrize("models", [[], [trained_model(30)]])
def test_the_warm_start_strategy_resolves_empty_lists_without_a_model(models: list):
    resolved = warm_start_model_strategy.WarmStartModelStrategy().resolve_artifacts(
        ONE_RUN, {keys.EXAMPLES_KEY: [span_examples(20, 2)], keys.MODEL_KEY: models}
    )
    assert resolved[keys.MODEL_KEY] == [] and resolved[keys.MODEL_BLESSING_KEY] == []


def test_under_airflow_the_warm_start_window_is_this_runs():
    # Run 1's window resolver (execution 30) output span 1; span 1 was ingested again (version 1, id 15) and
    # span 2 arrived, and run 2's resolver (execution 50) output both.
    store = OutputEvents({1: [30], 15: [50], 20: [50]})
    resolved = warm_start_model_strategy.WarmStartModelStrategy().resolve_artifacts(
        store,
        {
            keys.EXAMPLES_KEY: [span_examples(1, 1), span_examples(15, 1), span_examples(20, 2)],
            keys.MODEL_KEY: [trained_model(10)],
            keys.MODEL_BLESSING_KEY: [model_blessing(11, 10)],
        },
    )
    assert ids(resolved[keys.EXAMPLES_KEY]) == [15, 20]
    assert ids(resolved[keys.MODEL_KEY]) == [10]
