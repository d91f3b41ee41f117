"""pipeline/inspection/details.py: what `make inspect ARGS=show` reads of a run: its spans, their drift figures,
the warm start, each span's splits and the test set's."""

import json
from pathlib import Path

import pytest

from pipeline.inspection import cli, details
from pipeline.metadata import runs, spans
from tests.support.span_runs import FakeStore, five_runs


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    return five_runs(tmp_path, monkeypatch)


def test_show_names_the_spans_trained_on_with_their_drift_figures_and_the_warm_start(store: FakeStore):
    shown = details.details(store, "r5")
    trained = shown.spans.trained
    assert [(s.span, s.examples_id) for s in trained] == [(1, 2), (2, 18), (3, 33)]
    assert [s.drift.compared_with for s in trained] == [None, 1, 2]
    assert trained[2].drift.accepted and not trained[1].drift.drifted
    assert shown.spans.warm_start == spans.WarmStart("/root/model/26", 1, "")
    text = "\n".join(cli.format_details(shown))
    js = trained[2].drift.pixel_distance
    assert "  no new span (reused span 3, ingested by an earlier run)" in text
    assert (
        f"  drift gate: span 3 against span 2: label L-infinity 0.000 <= 0.05, pixel Jensen-Shannon {js:.3f} > 0.1: "
        "drifted, accepted (--accept-drift)"
    ) in text
    assert "    span 1 (Examples 2): train 2975, eval 25; the first span, nothing to compare with" in text
    assert (
        "    span 2 (Examples 18): train 2975, eval 25; against span 1: label L-infinity 0.000 <= 0.05, "
        "pixel Jensen-Shannon 0.011 <= 0.1: within the thresholds"
    ) in text
    assert "  warm start: from /root/model/26, 1 epoch" in text


def test_show_reads_each_span_and_the_test_set_not_one_summary(store: FakeStore):
    shown = details.details(store, "r3")
    assert [(s.label, s.count) for s in shown.splits] == [("span 2 train", 2975), ("span 2 eval", 25), ("test", 1000)]
    text = "\n".join(cli.format_details(shown))
    assert "  span 2 train   2975 examples, pixels 0-255, mean 72.9, std 90.0" in text
    assert "  test           1000 examples, pixels 0-255, mean 73.2" in text
    assert "pixel statistics not recorded" not in text


def test_show_json_keeps_spans_and_drift_typed(store: FakeStore):
    shown = json.loads(json.dumps(cli.to_json(details.details(store, "r5"))))
    third = shown["spans"]["trained"][2]
    assert (third["span"], third["version"], third["examples"]) == (3, 0, {"train": 2975, "eval": 25})
    assert third["drift"]["accepted"] is True and third["drift"]["pixel_threshold"] == 0.1
    assert third["drift"]["pixel_distance"] > 0.1 and third["drift"]["drifted"][0].startswith("pixel distribution")
    assert shown["spans"]["drift_measured"] is True and shown["spans"]["ingestion"]["new"] is False
    assert [(s["span"], s["name"]) for s in shown["splits"]] == [(3, "train"), (3, "eval"), (None, "test")]
    listed = json.loads(json.dumps(cli.to_json(runs.list_runs(store))))
    assert listed[1]["outcome"] == "stopped by the drift gate" and listed[1]["ingestion"]["spans"][0]["span"] == 3
