"""pipeline/metadata/runs.py: the runs of a pipeline and the spans each one ingested."""

from pathlib import Path

import pytest

from pipeline.inspection import cli
from pipeline.metadata import runs, spans
from tests.support.span_runs import FakeStore, five_runs


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    return five_runs(tmp_path, monkeypatch)


def test_runs_say_which_spans_each_run_ingested_and_when_none_is_new(store: FakeStore):
    listed = {o.run_id: o for o in runs.list_runs(store)}
    assert listed["r1"].ingestion == spans.Ingestion([spans.SpanRef(1, 0, 2, {"train": 2975, "eval": 25})], new=True)
    assert listed["r4"].ingestion.describe() == "ingested span 3"
    assert listed["r2"].ingestion.new is False
    assert listed["r5"].ingestion.describe() == "no new span (reused span 3, ingested by an earlier run)"
    text = cli.format_runs(list(listed.values()))
    header = next(i for i, line in enumerate(text) if line.startswith("r3  fashion_mnist  started "))
    assert text[header + 1 : header + 3] == ["    version 102 at /s/102", "    spans: ingested span 2"]
    assert "    spans: no new span (reused span 1, ingested by an earlier run)" in text
