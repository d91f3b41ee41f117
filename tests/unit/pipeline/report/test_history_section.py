"""pipeline/report/history_section.py: the report's history: versions, drift against its thresholds, stops."""

import html
import re
from pathlib import Path

import pytest

from pipeline.inspection import history
from pipeline.report import history_section
from tests.support.span_runs import PIPELINE, FakeStore, five_runs


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    return five_runs(tmp_path, monkeypatch)


def test_the_history_section_shows_the_chart_versions_drift_against_thresholds_and_stops(store: FakeStore):
    past = history.history(store, PIPELINE)
    page = "\n".join(history_section.history_section(past))
    assert page.count("<svg") == 1
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", page)]
    js = f"{past.drift[-1].figures.pixel_distance:.3f}"
    assert rows[1:3] == [
        ["102", "r3", "0.8150", "span 1, span 2", "from /root/model/11, 1 epoch"],
        ["101", "r1", "0.6940", "span 1", "none: no blessed model yet"],
    ]
    assert rows[4:8] == [
        ["span 3", "r5", "span 2", "0.000", "0.05", js, "0.1", "drifted, accepted (--accept-drift)"],
        ["span 3", "r4", "span 2", "0.000", "0.05", js, "0.1", "drifted: stopped the run"],
        ["span 2", "r3", "span 1", "0.000", "0.05", "0.011", "0.1", "within the thresholds"],
        ["span 1", "r1", "", "", "", "", "", "first span"],
    ]
    assert rows[9:] == [["r4", "stopped by the drift gate", "ingested span 3", html.escape(past.stopped[0].reason)]]
