"""components/resolvers/previous_span_strategy.py: the newest cleared span below an arrival, and its strategy."""

from components.contract import keys
from components.resolvers import previous_span_strategy
from tests.support.mlmd_events import ONE_RUN, OutputEvents
from tests.support.resolver_artifacts import SPANS, drift_report, ids, span_examples, span_statistics


def test_arrival_ids_leave_out_the_test_sets_statistics():
    statistics = [span_statistics(50, None), span_statistics(51, SPANS[2]), span_statistics(52, SPANS[3])]
    assert previous_span_strategy.arrival_ids(statistics) == {9, 13}


def test_the_previous_span_is_the_newest_cleared_span_below_the_arrival():
    assert ids(previous_span_strategy.previous_span({13}, SPANS, {1, 5, 9})) == [9]
    assert ids(previous_span_strategy.previous_span({13}, SPANS, {1, 5})) == [5], "span 3 was not cleared"


def test_the_previous_span_of_a_several_span_arrival_is_below_its_lowest():
    assert ids(previous_span_strategy.previous_span({9, 13}, SPANS, {1, 5})) == [5]


def test_the_previous_span_is_never_part_of_the_arrival():
    # An arrival's spans cleared earlier (a retried run) are not compared with themselves.
    assert ids(previous_span_strategy.previous_span({9, 13}, SPANS, {1, 5, 9, 13})) == [5]


def test_the_previous_span_is_in_its_newest_cleared_version():
    span1_v1 = span_examples(7, 1, version=1)
    assert ids(previous_span_strategy.previous_span({9}, [*SPANS, span1_v1], {1, 5, 7})) == [5]
    assert ids(previous_span_strategy.previous_span({5}, [*SPANS, span1_v1], {1, 7})) == [7]


def test_the_first_span_has_no_previous_span():
    assert previous_span_strategy.previous_span({1}, SPANS, set()) == []
    assert previous_span_strategy.previous_span({1, 5}, SPANS, {1, 5}) == []


def test_a_span_below_every_cleared_span_has_no_previous_span():
    late_span_1 = span_examples(40, 1, version=1)  # span 1 ingested again after spans 2..4
    assert previous_span_strategy.previous_span({40}, [*SPANS, late_span_1], {1, 5, 9, 13}) == []


def test_no_arrival_has_no_previous_span():
    assert previous_span_strategy.previous_span(set(), SPANS, {1, 5}) == []


def test_the_previous_span_strategy_resolves_only_examples():
    resolved = previous_span_strategy.PreviousSpanStrategy().resolve_artifacts(
        ONE_RUN,
        {
            keys.ARRIVAL_STATISTICS_KEY: [span_statistics(50, None), span_statistics(51, SPANS[3])],
            keys.EXAMPLES_KEY: SPANS,
            keys.DRIFT_REPORTS_KEY: [drift_report(100, *SPANS[:2]), drift_report(101, SPANS[2])],
        },
    )
    assert set(resolved) == {keys.ARRIVAL_STATISTICS_KEY, keys.EXAMPLES_KEY, keys.DRIFT_REPORTS_KEY}
    assert ids(resolved[keys.EXAMPLES_KEY]) == [9]
    assert resolved[keys.ARRIVAL_STATISTICS_KEY] == [] and resolved[keys.DRIFT_REPORTS_KEY] == []


def test_the_previous_span_strategy_of_the_first_run_resolves_nothing():
    resolved = previous_span_strategy.PreviousSpanStrategy().resolve_artifacts(
        ONE_RUN,
        {
            keys.ARRIVAL_STATISTICS_KEY: [span_statistics(50, None), span_statistics(51, SPANS[0])],
            keys.EXAMPLES_KEY: SPANS[:1],
        },
    )
    assert resolved[keys.EXAMPLES_KEY] == []


def test_under_airflow_the_arrival_is_the_newest_statistics_execution_s():
    # Run 1's StatisticsGen (execution 20) described span 1; run 2's (execution 40) describes span 3.
    statistics = [
        span_statistics(50, None),
        span_statistics(51, SPANS[0]),
        span_statistics(60, None),
        span_statistics(61, SPANS[2]),
    ]
    store = OutputEvents({50: [20], 51: [20], 60: [40], 61: [40]})
    resolved = previous_span_strategy.PreviousSpanStrategy().resolve_artifacts(
        store,
        {
            keys.ARRIVAL_STATISTICS_KEY: statistics,
            keys.EXAMPLES_KEY: SPANS,
            keys.DRIFT_REPORTS_KEY: [drift_report(100, *SPANS[:2])],
        },
    )
    assert ids(resolved[keys.EXAMPLES_KEY]) == [5], "span 2, the newest cleared span before span 3"
