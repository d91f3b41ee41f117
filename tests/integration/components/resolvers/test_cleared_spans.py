"""components/resolvers/cleared_spans.py: the spans the drift gate cleared, each in its newest version."""

from components.drift_gate.artifact import DriftReport
from components.resolvers import cleared_spans
from tests.support.resolver_artifacts import drift_report, span_examples


def test_newest_versions_keeps_each_span_at_its_highest_version():
    chosen = cleared_spans.newest_versions(
        [span_examples(30, 1, version=2), span_examples(10, 1), span_examples(20, 1, version=1), span_examples(11, 2)]
    )
    assert {span: e.id for span, e in chosen.items()} == {1: 30, 2: 11}


def test_newest_versions_go_by_version_before_id():
    chosen = cleared_spans.newest_versions([span_examples(20, 1, version=2), span_examples(30, 1, version=1)])
    assert chosen[1].id == 20


def test_newest_versions_breaks_a_tie_by_the_newer_artifact():
    chosen = cleared_spans.newest_versions([span_examples(40, 3, version=1), span_examples(25, 3, version=1)])
    assert chosen[3].id == 40


def test_cleared_ids_are_the_examples_named_by_any_report():
    reports = [
        drift_report(100, span_examples(1, 1)),
        drift_report(101, span_examples(5, 2), span_examples(6, 3)),
        DriftReport(),
    ]
    assert cleared_spans.cleared_ids(reports) == {1, 5, 6}


def test_no_report_clears_nothing():
    assert cleared_spans.cleared_ids([]) == set()
