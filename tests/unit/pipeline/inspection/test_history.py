"""pipeline/inspection/history.py: the history across runs: versions, spans, drift measurements, stops."""

from pathlib import Path

import pytest

from pipeline.inspection import history
from pipeline.metadata import outcomes
from tests.support.span_runs import PIPELINE, FakeStore, five_runs


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    return five_runs(tmp_path, monkeypatch)


def test_history_rows_versions_spans_drift_and_stopped_runs(store: FakeStore):
    past = history.history(store, PIPELINE)
    assert [(r.run_id, r.outcome, r.accuracy, r.pushed_version) for r in past.runs] == [
        ("r1", outcomes.PUSHED, 0.694, 101),
        ("r2", outcomes.ALREADY_SERVED, None, None),  # its evaluation is r1's, already counted
        ("r3", outcomes.PUSHED, 0.815, 102),
        ("r4", outcomes.STOPPED_BY_DRIFT, None, None),
        ("r5", outcomes.NOT_BLESSED, 0.799, None),
    ]
    assert [(v.pushed_version, [s.span for s in v.spans.trained]) for v in past.versions] == [(101, [1]), (102, [1, 2])]
    # Each measurement once (the cached gate of r2 measured nothing), the stop and the acceptance apart.
    assert [(d.run_id, d.figures.span, d.figures.compared_with, d.figures.accepted, d.stopped) for d in past.drift] == [
        ("r1", 1, None, False, False),
        ("r3", 2, 1, False, False),
        ("r4", 3, 2, False, True),
        ("r5", 3, 2, True, False),
    ]
    assert [(r.run_id, r.reason) for r in past.stopped] == [("r4", store.by_run["r4"][1].error)]
