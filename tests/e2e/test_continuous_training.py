"""Continuous training on small real spans: two spans push two versions, drift stops a run, --accept-drift lets it in.

One output folder, one sequence of runs as spans arrive (each test checks one step of it):
  span 1                      pushed, trained from scratch
  the same again              no new span: cached, nothing pushed
  span 2                      pushed, warm-started from version 1, trained on spans 1 and 2
  span 3, inverted images     stopped by the drift gate (pixels), serving folder untouched
  span 3, labels skewed       stopped by the drift gate (labels), serving folder untouched
  span 3 withdrawn            its folder removed: the ingestion version 2 came from stands; every component
                              up to the Trainer cached, nothing pushed ("already served as version N")
  span 3 back, --accept-drift trains on spans 1-3; the drift report records the acceptance
  span 1 removed, Span-4      the same flags: span 1 stays in the window from ML Metadata, nothing trained; a
                              warning for each (the console, the report)

The runs go on in the background from the start of the session (tests/support/span_sequence.py); these tests come
near the end (tests/e2e/conftest.py) and read what they did.
"""

import json
import subprocess

import pytest

from components.contract import properties
from components.drift_gate import checks
from components.drift_gate.artifact import DriftReport
from pipeline import config as config_lib
from pipeline.metadata.store import Store
from tests.e2e.conftest import inspect_json
from tests.support.background import Background
from tests.support.pipeline_nodes import UPSTREAM_OF_MODEL
from tests.support.span_sequence import SpanRuns

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def span_runs(span_sequence: Background[SpanRuns]) -> SpanRuns:
    return span_sequence.result()


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result.stdout


def _card(cfg: config_lib.PipelineConfig, version: str) -> dict:
    return json.loads((cfg.model_serving_dir / version / "assets.extra" / "model_card.json").read_text())


def test_the_first_span_is_trained_from_scratch_and_pushed(span_runs: SpanRuns):
    out = _ok(span_runs.first)
    assert "spans 1, from DATA_DIR" in out and "ingesting span 1" in out
    [version] = span_runs.versions["first"]
    training = _card(span_runs.cfg, version)["training"]
    assert [s["span"] for s in training["spans"]] == [1]
    assert training["spans"][0]["drift"]["compared_with"] is None
    assert training["warm_start"]["base_model"] is None


def test_a_rerun_without_a_new_span_is_cached_and_pushes_nothing(span_runs: SpanRuns):
    out = _ok(span_runs.rerun)
    assert "no new span" in out
    assert span_runs.versions["rerun"] == span_runs.versions["first"]
    states = span_runs.states["rerun"]
    assert {n for n in UPSTREAM_OF_MODEL if states.get(n) != "cached"} == set(), states


def test_a_second_span_is_warm_started_and_pushes_a_version_trained_on_both(span_runs: SpanRuns):
    out = _ok(span_runs.second)
    assert "ingesting span 2" in out
    first, second = span_runs.versions["second"]
    assert [first] == span_runs.versions["first"]
    card = _card(span_runs.cfg, second)
    spans = card["training"]["spans"]
    assert [s["span"] for s in spans] == [1, 2]
    assert spans[1]["drift"]["compared_with"] == 1 and not spans[1]["drift"]["accepted"]
    first_model = _card(span_runs.cfg, first)["model"]["uri"]
    assert card["training"]["warm_start"]["base_model"] == first_model
    assert card["training"]["warm_start"]["epochs"] == span_runs.cfg.training.warm_start_epochs
    assert span_runs.states["second"]["FashionMnistExampleGen"] == "done"


@pytest.mark.parametrize(
    ("step", "measure"), [("pixel_drift", "pixel distribution Jensen-Shannon"), ("label_drift", "label distribution")]
)
def test_a_drifted_span_stops_the_run_in_one_line_and_leaves_serving_untouched(span_runs: SpanRuns, step, measure):
    result = getattr(span_runs, step)
    assert result.returncode == 1, result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "span 3 drifted from span 2" in errors[0] and measure in errors[0], errors[0]
    assert "--accept-drift" in errors[0]
    assert span_runs.serving[step] == span_runs.serving["second"], "the served models are untouched"
    assert span_runs.states[step]["DriftGate"] == "failed"
    assert "Transform" not in span_runs.states[step] or span_runs.states[step]["Transform"] != "done"


def test_a_withdrawn_drifted_span_trains_nothing_and_pushes_nothing(span_runs: SpanRuns):
    """Issue 25, defect 1: the ingestion version 2 came from stands, so TFX's cache answers every component."""
    out = _ok(span_runs.withdrawn)
    assert "no new span" in out and "ingesting" not in out, out
    [described] = [line for line in out.splitlines() if line.startswith("no new span")]
    assert "span 3" in described and "withdrawn" in described, described  # what the run compared against
    assert "the ingestion of span 2" in described, described
    assert span_runs.versions["withdrawn"] == span_runs.versions["second"]
    assert span_runs.serving["withdrawn"] == span_runs.serving["second"], "the served models are untouched"
    states = span_runs.states["withdrawn"]
    assert {n for n in UPSTREAM_OF_MODEL if states.get(n) != "cached"} == set(), states
    assert states["Pusher"] == "cached", states
    assert f"nothing pushed: this model is already served as version {span_runs.versions['second'][1]}" in out


def test_a_trained_span_removed_from_the_data_folder_stays_in_the_window(span_runs: SpanRuns):
    """Its examples are in ML Metadata: nothing is trained again, and the console and the report say it is gone."""
    out = _ok(span_runs.span_1_removed)
    assert "no new span" in out, out
    states = span_runs.states["span_1_removed"]
    assert {n for n in UPSTREAM_OF_MODEL if states.get(n) != "cached"} == set(), states
    assert span_runs.versions["span_1_removed"] == span_runs.versions["accepted"]
    warnings = [line for line in span_runs.span_1_removed.stderr.splitlines() if line.startswith("warning:")]
    assert any("span-1" in w and "window" in w for w in warnings), span_runs.span_1_removed.stderr
    assert any("Span-4" in w and "span-<number>" in w for w in warnings), warnings
    shown = inspect_json(span_runs.cfg.output_dir, "show")
    assert len(shown["spans"]["ingestion"]["warnings"]) == 2, shown["spans"]["ingestion"]
    assert [s["span"] for s in shown["spans"]["trained"]] == [1, 2, 3]


def test_accept_drift_trains_on_the_drifted_span_and_records_it(span_runs: SpanRuns):
    out = _ok(span_runs.accepted)
    assert "no new span" in out, "the drifted span was ingested by the run it stopped"
    store = Store.open(span_runs.cfg.metadata_path)
    reports = sorted(store.raw.get_artifacts_by_type(DriftReport.TYPE_NAME), key=lambda a: a.id)
    figures = checks.read_report(reports[-1].custom_properties[properties.DRIFT_REPORT].string_value)
    [span_3] = [f for f in figures if f.span == 3]
    assert span_3.accepted and span_3.compared_with == 2
    assert span_3.label_linf > span_3.label_threshold > 0
    states = span_runs.states["accepted"]
    assert states["DriftGate"] == "done" and states["Trainer"] == "done"


def test_inspect_names_each_runs_spans_and_the_lineage_names_spans_and_drift(span_runs: SpanRuns):
    cfg = span_runs.cfg
    listed = list(reversed(inspect_json(cfg.output_dir, "runs")))  # oldest first
    assert [(r["ingestion"]["new"], [s["span"] for s in r["ingestion"]["spans"]]) for r in listed] == [
        (True, [1]),
        (False, [1]),
        (True, [2]),
        (True, [3]),
        (True, [3]),
        (False, [2]),
        (False, [3]),
        (False, [3]),
    ]
    assert [r["outcome"] for r in listed][3:5] == ["stopped by the drift gate"] * 2
    second = span_runs.versions["second"][1]
    lineage = inspect_json(cfg.output_dir, "lineage", second)
    assert [s["span"] for s in lineage["spans"]] == [1, 2]
    assert all(len(s["sha256"]) == 2 for s in _card(cfg, second)["training"]["spans"]), "issue 25, defect 8"
    drift = lineage["spans"][1]["drift"]
    assert drift["compared_with"] == 1 and drift["pixel_distance"] < drift["pixel_threshold"] and not drift["drifted"]
    assert lineage["warm_start"]["base_model"] == _card(cfg, span_runs.versions["first"][0])["model"]["uri"]


def test_the_report_has_the_history_of_versions_spans_drift_and_stops(span_runs: SpanRuns):
    from pipeline.report import page

    html = page.write_report(span_runs.cfg.output_dir).read_text()
    history = html[html.index('id="history"') :]
    for version in span_runs.versions["second"]:
        assert version in history
    assert "span 3 drifted from span 2" in history and "pixel distribution Jensen-Shannon" in history
    assert "label distribution L-infinity" in history
    spans_part = html[html.index("<h3>Spans</h3>") : html.index("<h3>Schema</h3>")]
    assert "span-1" in spans_part and "Span-4" in spans_part, "the latest run's warnings about the data"
