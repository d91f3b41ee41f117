"""pipeline/inspection/lineage.py: where a served version came from: its spans, their drift, the raw files."""

from pathlib import Path

import pytest

from pipeline.inspection import cli, lineage
from pipeline.metadata import spans
from tests.support.span_runs import FakeStore, five_runs


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    return five_runs(tmp_path, monkeypatch)


def test_lineage_names_the_spans_their_drift_figures_the_warm_start_and_each_spans_raw_files(store: FakeStore):
    traced = lineage.lineage(store, 102)
    assert [(s.span, s.drift.compared_with if s.drift else "-") for s in traced.spans] == [(1, None), (2, 1)]
    assert traced.warm_start == spans.WarmStart("/root/model/11", 1, "")
    assert traced.raw_files == {
        "t10k-images-idx3-ubyte.gz": "t0",
        "span-1/train-images-idx3-ubyte.gz": "s1",
        "span-2/train-images-idx3-ubyte.gz": "s2",
    }
    text = cli.format_lineage(traced)
    assert text[2:6] == [
        "trained on:",
        "    span 1 (Examples 2): train 2975, eval 25; the first span, nothing to compare with",
        "    span 2 (Examples 18): train 2975, eval 25; against span 1: label L-infinity 0.000 <= 0.05, "
        "pixel Jensen-Shannon 0.011 <= 0.1: within the thresholds",
        "warm start: from /root/model/11, 1 epoch",
    ]
