"""components/resolvers/span_window_strategy.py: the training window of cleared spans, and its strategy."""

from components.contract import keys
from components.resolvers import span_window_strategy
from tests.support.mlmd_events import ONE_RUN
from tests.support.resolver_artifacts import SPANS, drift_report, ids, span_examples


def test_the_window_holds_only_cleared_spans_in_ascending_order():
    shuffled = [SPANS[2], SPANS[0], SPANS[3], SPANS[1]]
    assert ids(span_window_strategy.window(shuffled, {13, 1, 9}, 0)) == [1, 9, 13]


def test_the_window_keeps_the_newest_num_spans_cleared_spans():
    assert ids(span_window_strategy.window(SPANS, {1, 5, 9, 13}, 2)) == [9, 13]
    assert ids(span_window_strategy.window(SPANS, {1, 5, 9}, 2)) == [5, 9], "an uncleared span 4 takes no place"
    assert ids(span_window_strategy.window(SPANS, {1, 5, 9, 13}, 10)) == [1, 5, 9, 13]


def test_num_spans_0_keeps_every_cleared_span():
    assert ids(span_window_strategy.window(SPANS, {1, 5, 9, 13}, 0)) == [1, 5, 9, 13]


def test_a_reingested_span_counts_in_its_newest_cleared_version():
    span2_v1, span2_v2 = span_examples(20, 2, version=1), span_examples(30, 2, version=2)
    examples = [*SPANS, span2_v1, span2_v2]
    assert ids(span_window_strategy.window(examples, {1, 5, 20, 30}, 0)) == [1, 30]
    # Version 2 not cleared (the gate refused it): version 1 stands in for span 2.
    assert ids(span_window_strategy.window(examples, {1, 5, 20}, 0)) == [1, 20]


def test_nothing_cleared_is_an_empty_window():
    assert span_window_strategy.window(SPANS, set(), 0) == []


def test_the_window_strategy_resolves_the_window_and_the_reports_that_cleared_it():
    reports = [drift_report(100, SPANS[0]), drift_report(101, SPANS[1]), drift_report(102, SPANS[2], SPANS[3])]
    resolved = span_window_strategy.SpanWindowStrategy(num_spans=2).resolve_artifacts(
        ONE_RUN, {keys.EXAMPLES_KEY: SPANS, keys.DRIFT_REPORTS_KEY: reports}
    )
    assert set(resolved) == {keys.EXAMPLES_KEY, keys.DRIFT_REPORTS_KEY}
    assert ids(resolved[keys.EXAMPLES_KEY]) == [9, 13]
    assert ids(resolved[keys.DRIFT_REPORTS_KEY]) == [102]


def test_the_window_strategy_keeps_every_span_by_default():
    reports = [drift_report(100, SPANS[0]), drift_report(101, SPANS[1], SPANS[2])]
    resolved = span_window_strategy.SpanWindowStrategy().resolve_artifacts(
        ONE_RUN, {keys.EXAMPLES_KEY: SPANS, keys.DRIFT_REPORTS_KEY: reports}
    )
    assert ids(resolved[keys.EXAMPLES_KEY]) == [1, 5, 9]
    assert ids(resolved[keys.DRIFT_REPORTS_KEY]) == [100, 101]
