"""components/span_resolvers.py and components/warm_start.py on real TFX artifacts, as ML Metadata hands them over.

Artifact ids come from one sequence in ML Metadata, so an id says which of two artifacts was created first.
"""

import pytest
from tfx.types import standard_artifacts

from components import properties, span_resolvers, warm_start
from components.artifact_types import DriftReport
from components.drift_gate import checks
from components.span_resolvers import (
    ARRIVAL_STATISTICS_KEY,
    DRIFT_REPORTS_KEY,
    EXAMPLES_KEY,
    PreviousSpanStrategy,
    SpanWindowStrategy,
)
from tests.mlmd_events import ONE_RUN, OutputEvents


def _examples(artifact_id: int, span: int, version: int = 0) -> standard_artifacts.Examples:
    examples = standard_artifacts.Examples()
    examples.id = artifact_id
    examples.span = span
    examples.version = version
    return examples


def _report(artifact_id: int, *cleared: standard_artifacts.Examples) -> DriftReport:
    """A DriftReport as the drift gate publishes it, clearing ``cleared``."""
    report = DriftReport()
    report.id = artifact_id
    figures = [checks.DriftFigures(span=e.span, examples_id=e.id, compared_with=None) for e in cleared]
    report.set_string_custom_property(properties.DRIFT_REPORT, checks.report_json(figures))
    return report


def _statistics(artifact_id: int, of: standard_artifacts.Examples | None) -> standard_artifacts.ExampleStatistics:
    """SpanStatisticsGen's statistics of ``of``; of the test set (span 0) when None."""
    statistics = standard_artifacts.ExampleStatistics()
    statistics.id = artifact_id
    statistics.span = of.span if of else 0
    statistics.set_int_custom_property(properties.EXAMPLES_ID, of.id if of else 2)
    return statistics


def _ids(artifacts: list) -> list[int]:
    return [a.id for a in artifacts]


# --- newest_versions, cleared_ids -----------------------------------------------------------------


def test_newest_versions_keeps_each_span_at_its_highest_version():
    chosen = span_resolvers.newest_versions(
        [_examples(30, 1, version=2), _examples(10, 1), _examples(20, 1, version=1), _examples(11, 2)]
    )
    assert {span: e.id for span, e in chosen.items()} == {1: 30, 2: 11}


def test_newest_versions_go_by_version_before_id():
    chosen = span_resolvers.newest_versions([_examples(20, 1, version=2), _examples(30, 1, version=1)])
    assert chosen[1].id == 20


def test_newest_versions_breaks_a_tie_by_the_newer_artifact():
    chosen = span_resolvers.newest_versions([_examples(40, 3, version=1), _examples(25, 3, version=1)])
    assert chosen[3].id == 40


def test_cleared_ids_are_the_examples_named_by_any_report():
    reports = [_report(100, _examples(1, 1)), _report(101, _examples(5, 2), _examples(6, 3)), DriftReport()]
    assert span_resolvers.cleared_ids(reports) == {1, 5, 6}


def test_no_report_clears_nothing():
    assert span_resolvers.cleared_ids([]) == set()


# --- window ---------------------------------------------------------------------------------------


SPANS = [_examples(1, 1), _examples(5, 2), _examples(9, 3), _examples(13, 4)]


def test_the_window_holds_only_cleared_spans_in_ascending_order():
    shuffled = [SPANS[2], SPANS[0], SPANS[3], SPANS[1]]
    assert _ids(span_resolvers.window(shuffled, {13, 1, 9}, 0)) == [1, 9, 13]


def test_the_window_keeps_the_newest_num_spans_cleared_spans():
    assert _ids(span_resolvers.window(SPANS, {1, 5, 9, 13}, 2)) == [9, 13]
    assert _ids(span_resolvers.window(SPANS, {1, 5, 9}, 2)) == [5, 9], "an uncleared span 4 takes no place"
    assert _ids(span_resolvers.window(SPANS, {1, 5, 9, 13}, 10)) == [1, 5, 9, 13]


def test_num_spans_0_keeps_every_cleared_span():
    assert _ids(span_resolvers.window(SPANS, {1, 5, 9, 13}, 0)) == [1, 5, 9, 13]


def test_a_reingested_span_counts_in_its_newest_cleared_version():
    span2_v1, span2_v2 = _examples(20, 2, version=1), _examples(30, 2, version=2)
    examples = [*SPANS, span2_v1, span2_v2]
    assert _ids(span_resolvers.window(examples, {1, 5, 20, 30}, 0)) == [1, 30]
    # Version 2 not cleared (the gate refused it): version 1 stands in for span 2.
    assert _ids(span_resolvers.window(examples, {1, 5, 20}, 0)) == [1, 20]


def test_nothing_cleared_is_an_empty_window():
    assert span_resolvers.window(SPANS, set(), 0) == []


# --- arrival_ids, previous_span -------------------------------------------------------------------


def test_arrival_ids_leave_out_the_test_sets_statistics():
    statistics = [_statistics(50, None), _statistics(51, SPANS[2]), _statistics(52, SPANS[3])]
    assert span_resolvers.arrival_ids(statistics) == {9, 13}


def test_the_previous_span_is_the_newest_cleared_span_below_the_arrival():
    assert _ids(span_resolvers.previous_span({13}, SPANS, {1, 5, 9})) == [9]
    assert _ids(span_resolvers.previous_span({13}, SPANS, {1, 5})) == [5], "span 3 was not cleared"


def test_the_previous_span_of_a_several_span_arrival_is_below_its_lowest():
    assert _ids(span_resolvers.previous_span({9, 13}, SPANS, {1, 5})) == [5]


def test_the_previous_span_is_never_part_of_the_arrival():
    # An arrival's spans cleared earlier (a retried run) are not compared with themselves.
    assert _ids(span_resolvers.previous_span({9, 13}, SPANS, {1, 5, 9, 13})) == [5]


def test_the_previous_span_is_in_its_newest_cleared_version():
    span1_v1 = _examples(7, 1, version=1)
    assert _ids(span_resolvers.previous_span({9}, [*SPANS, span1_v1], {1, 5, 7})) == [5]
    assert _ids(span_resolvers.previous_span({5}, [*SPANS, span1_v1], {1, 7})) == [7]


def test_the_first_span_has_no_previous_span():
    assert span_resolvers.previous_span({1}, SPANS, set()) == []
    assert span_resolvers.previous_span({1, 5}, SPANS, {1, 5}) == []


def test_a_span_below_every_cleared_span_has_no_previous_span():
    late_span_1 = _examples(40, 1, version=1)  # span 1 ingested again after spans 2..4
    assert span_resolvers.previous_span({40}, [*SPANS, late_span_1], {1, 5, 9, 13}) == []


def test_no_arrival_has_no_previous_span():
    assert span_resolvers.previous_span(set(), SPANS, {1, 5}) == []


# --- the strategies -------------------------------------------------------------------------------


def test_the_previous_span_strategy_resolves_only_examples():
    resolved = PreviousSpanStrategy().resolve_artifacts(
        ONE_RUN,
        {
            ARRIVAL_STATISTICS_KEY: [_statistics(50, None), _statistics(51, SPANS[3])],
            EXAMPLES_KEY: SPANS,
            DRIFT_REPORTS_KEY: [_report(100, *SPANS[:2]), _report(101, SPANS[2])],
        },
    )
    assert set(resolved) == {ARRIVAL_STATISTICS_KEY, EXAMPLES_KEY, DRIFT_REPORTS_KEY}
    assert _ids(resolved[EXAMPLES_KEY]) == [9]
    assert resolved[ARRIVAL_STATISTICS_KEY] == [] and resolved[DRIFT_REPORTS_KEY] == []


def test_the_previous_span_strategy_of_the_first_run_resolves_nothing():
    resolved = PreviousSpanStrategy().resolve_artifacts(
        ONE_RUN, {ARRIVAL_STATISTICS_KEY: [_statistics(50, None), _statistics(51, SPANS[0])], EXAMPLES_KEY: SPANS[:1]}
    )
    assert resolved[EXAMPLES_KEY] == []


def test_the_window_strategy_resolves_the_window_and_the_reports_that_cleared_it():
    reports = [_report(100, SPANS[0]), _report(101, SPANS[1]), _report(102, SPANS[2], SPANS[3])]
    resolved = SpanWindowStrategy(num_spans=2).resolve_artifacts(
        ONE_RUN, {EXAMPLES_KEY: SPANS, DRIFT_REPORTS_KEY: reports}
    )
    assert set(resolved) == {EXAMPLES_KEY, DRIFT_REPORTS_KEY}
    assert _ids(resolved[EXAMPLES_KEY]) == [9, 13]
    assert _ids(resolved[DRIFT_REPORTS_KEY]) == [102]


def test_the_window_strategy_keeps_every_span_by_default():
    reports = [_report(100, SPANS[0]), _report(101, SPANS[1], SPANS[2])]
    resolved = SpanWindowStrategy().resolve_artifacts(ONE_RUN, {EXAMPLES_KEY: SPANS, DRIFT_REPORTS_KEY: reports})
    assert _ids(resolved[EXAMPLES_KEY]) == [1, 5, 9]
    assert _ids(resolved[DRIFT_REPORTS_KEY]) == [100, 101]


# --- warm_start_model -----------------------------------------------------------------------------


def _model(artifact_id: int) -> standard_artifacts.Model:
    model = standard_artifacts.Model()
    model.id = artifact_id
    return model


def _blessing(artifact_id: int, model_id: int, blessed: int = 1) -> standard_artifacts.ModelBlessing:
    blessing = standard_artifacts.ModelBlessing()
    blessing.id = artifact_id
    blessing.set_int_custom_property(properties.CURRENT_MODEL_ID, model_id)
    blessing.set_int_custom_property(properties.BLESSED, blessed)
    return blessing


def test_warm_start_takes_the_newest_blessed_model_created_before_the_newest_window_span():
    window = [_examples(1, 1), _examples(20, 2)]
    models = [_model(10), _model(15), _model(30)]
    blessings = [_blessing(11, 10), _blessing(16, 15), _blessing(31, 30)]
    model, blessing = warm_start.warm_start_model(window, models, blessings)
    assert _ids(model) == [15]
    assert _ids(blessing) == [16]


def test_warm_start_skips_a_model_that_was_not_blessed():
    window = [_examples(1, 1), _examples(20, 2)]
    model, blessing = warm_start.warm_start_model(
        window, [_model(10), _model(15)], [_blessing(11, 10), _blessing(16, 15, blessed=0)]
    )
    assert (_ids(model), _ids(blessing)) == ([10], [11])


def test_warm_start_skips_a_model_never_evaluated():
    window = [_examples(20, 2)]
    assert warm_start.warm_start_model(window, [_model(10)], [_blessing(11, 9)]) == ([], [])


def test_a_rerun_with_nothing_new_resolves_no_model_when_every_model_is_newer():
    """Run 1 trained model 10 on span 1 (id 1): its rerun must not warm-start from model 10, or it retrains."""
    assert warm_start.warm_start_model([_examples(1, 1)], [_model(10)], [_blessing(11, 10)]) == ([], [])


def test_a_rerun_resolves_the_same_model_as_the_run_it_repeats():
    window = [_examples(1, 1), _examples(20, 2)]
    first = warm_start.warm_start_model(window, [_model(10)], [_blessing(11, 10)])
    # The run trained model 30 from model 10; its rerun sees model 30 too.
    rerun = warm_start.warm_start_model(window, [_model(10), _model(30)], [_blessing(11, 10), _blessing(31, 30)])
    assert _ids(first[0]) == _ids(rerun[0]) == [10]


def test_an_empty_window_warm_starts_from_nothing():
    assert warm_start.warm_start_model([], [_model(10)], [_blessing(11, 10)]) == ([], [])


def test_the_warm_start_strategy_passes_the_window_through():
    window = [_examples(1, 1), _examples(20, 2)]
    resolved = warm_start.WarmStartModelStrategy().resolve_artifacts(
        ONE_RUN,
        {
            warm_start.EXAMPLES_KEY: window,
            warm_start.MODEL_KEY: [_model(10)],
            warm_start.MODEL_BLESSING_KEY: [_blessing(11, 10)],
        },
    )
    assert set(resolved) == {warm_start.EXAMPLES_KEY, warm_start.MODEL_KEY, warm_start.MODEL_BLESSING_KEY}
    assert resolved[warm_start.EXAMPLES_KEY] == window
    assert (_ids(resolved[warm_start.MODEL_KEY]), _ids(resolved[warm_start.MODEL_BLESSING_KEY])) == ([10], [11])


@pytest.mark.parametrize("models", [[], [_model(30)]])
def test_the_warm_start_strategy_resolves_empty_lists_without_a_model(models: list):
    resolved = warm_start.WarmStartModelStrategy().resolve_artifacts(
        ONE_RUN, {warm_start.EXAMPLES_KEY: [_examples(20, 2)], warm_start.MODEL_KEY: models}
    )
    assert resolved[warm_start.MODEL_KEY] == [] and resolved[warm_start.MODEL_BLESSING_KEY] == []


# --- under TFX's Airflow runner, a Resolver gets every run's outputs of a node ----------------------


def test_under_airflow_the_arrival_is_the_newest_statistics_execution_s():
    # Run 1's StatisticsGen (execution 20) described span 1; run 2's (execution 40) describes span 3.
    statistics = [_statistics(50, None), _statistics(51, SPANS[0]), _statistics(60, None), _statistics(61, SPANS[2])]
    store = OutputEvents({50: [20], 51: [20], 60: [40], 61: [40]})
    resolved = PreviousSpanStrategy().resolve_artifacts(
        store,
        {
            ARRIVAL_STATISTICS_KEY: statistics,
            EXAMPLES_KEY: SPANS,
            DRIFT_REPORTS_KEY: [_report(100, *SPANS[:2])],
        },
    )
    assert _ids(resolved[EXAMPLES_KEY]) == [5], "span 2, the newest cleared span before span 3"


def test_under_airflow_the_warm_start_window_is_this_runs():
    # Run 1's window resolver (execution 30) output span 1; span 1 was ingested again (version 1, id 15) and
    # span 2 arrived, and run 2's resolver (execution 50) output both.
    store = OutputEvents({1: [30], 15: [50], 20: [50]})
    resolved = warm_start.WarmStartModelStrategy().resolve_artifacts(
        store,
        {
            warm_start.EXAMPLES_KEY: [_examples(1, 1), _examples(15, 1), _examples(20, 2)],
            warm_start.MODEL_KEY: [_model(10)],
            warm_start.MODEL_BLESSING_KEY: [_blessing(11, 10)],
        },
    )
    assert _ids(resolved[warm_start.EXAMPLES_KEY]) == [15, 20]
    assert _ids(resolved[warm_start.MODEL_KEY]) == [10]
