"""The baseline resolver: the latest blessed model, never the candidate itself."""

from tfx.types import standard_artifacts

from components.resolvers import baseline_model_strategy
from tests.support.mlmd_events import ONE_RUN, OutputEvents


def _model(model_id: int) -> standard_artifacts.Model:
    model = standard_artifacts.Model()
    model.id = model_id
    return model


def _blessing(model_id: int, blessed: int) -> standard_artifacts.ModelBlessing:
    blessing = standard_artifacts.ModelBlessing()
    blessing.set_int_custom_property("current_model_id", model_id)
    blessing.set_int_custom_property("blessed", blessed)
    return blessing


def test_the_newest_blessed_model_that_is_not_the_candidate():
    models = [_model(i) for i in (3, 7, 9)]
    blessings = [_blessing(3, 1), _blessing(7, 1), _blessing(9, 0)]
    model, blessing = baseline_model_strategy.latest_blessed_other_than([_model(9)], models, blessings)
    assert [m.id for m in model] == [7] and blessing == [blessings[1]]
    # The candidate was blessed already (an unchanged rerun): the one before it.
    model, _ = baseline_model_strategy.latest_blessed_other_than([_model(7)], models, blessings)
    assert [m.id for m in model] == [3]


def test_no_baseline_when_only_the_candidate_is_blessed():
    assert baseline_model_strategy.latest_blessed_other_than([_model(5)], [_model(5)], [_blessing(5, 1)]) == ([], [])
    assert baseline_model_strategy.latest_blessed_other_than([_model(5)], [], []) == ([], [])


def test_the_strategy_keeps_every_input_key():
    strategy = baseline_model_strategy.LatestBlessedOtherModelStrategy()
    resolved = strategy.resolve_artifacts(
        ONE_RUN, {"candidate": [_model(2)], "model": [_model(1), _model(2)], "model_blessing": [_blessing(1, 1)]}
    )
    assert [m.id for m in resolved["model"]] == [1] and [m.id for m in resolved["candidate"]] == [2]


def test_under_airflow_the_candidate_is_only_this_runs_model():
    # TFX's Airflow runner hands the resolver every model the Trainer ever output: 1 (run 1, blessed) and 2 (run 2).
    store = OutputEvents({1: [10], 2: [20]})
    resolved = baseline_model_strategy.LatestBlessedOtherModelStrategy().resolve_artifacts(
        store,
        {"candidate": [_model(1), _model(2)], "model": [_model(1), _model(2)], "model_blessing": [_blessing(1, 1)]},
    )
    assert [m.id for m in resolved["candidate"]] == [2] and [m.id for m in resolved["model"]] == [1]
