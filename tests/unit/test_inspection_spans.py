"""Inspection of a pipeline that ingests spans: the span column of ``inspect runs``, the drift gate's stop,
the spans and drift figures ``show`` and ``lineage`` name, the history across runs, the run summary.

The fixture is the history of the reference store, hand-made: span 1 pushed, a cached rerun, span 2
pushed (warm-started), span 3 (inverted images) stopped by the drift gate, span 3 again with
--accept-drift (trained, not blessed).
"""

import ast
import dataclasses
import html
import json
import re
import types
from pathlib import Path

import pytest
from ml_metadata.proto import metadata_store_pb2

from components import properties
from components.drift_gate import checks
from components.records import evaluation_results as evaluation_lib
from pipeline import run_summary
from pipeline.inspection import cli, details, drift, history, lineage, outcomes, outputs, report_history, runs, spans
from pipeline.inspection.store import ArtifactRef, ExecutionRecord
from tests.conftest import REPO_ROOT

PIPELINE = "fashion_mnist"
NORMAL = {"label_counts": [300] * 10, "pixel_histogram": [150_000] + [1_000] * 254 + [40_000]}
INVERTED = {"label_counts": [300] * 10, "pixel_histogram": NORMAL["pixel_histogram"][::-1]}
STOP = (
    "span 3 drifted from span 2: pixel distribution Jensen-Shannon {:.3f} > 0.1 "
    "(rerun with --accept-drift to train on it anyway)"
)


def _examples(aid: int, span: int, profile: dict = NORMAL, *, version: int = 0) -> ArtifactRef:
    summary = {
        "train": {
            "count": 2975,
            "pixel_min": 0,
            "pixel_max": 255,
            "pixel_mean": 72.9,
            "pixel_std": 90.0,
            "label_counts": [1] * 10,
        }
    }
    summary["eval"] = {**summary["train"], "count": 25}
    props = {outputs.SPAN: span, outputs.VERSION: version, properties.SPLIT_SUMMARY: json.dumps(summary)}
    props[properties.SPAN_PROFILE] = json.dumps(profile)
    return ArtifactRef(aid, outputs.EXAMPLES, properties.SPAN_EXAMPLES_KEY, f"/root/examples/span-{span}", props)


def _test_set(aid: int) -> ArtifactRef:
    summary = json.dumps(
        {"test": {"count": 1000, "pixel_min": 0, "pixel_max": 255, "pixel_mean": 73.2, "pixel_std": 89.7}}
    )
    return ArtifactRef(aid, outputs.EXAMPLES, properties.TEST_EXAMPLES_KEY, "/root/test", {"split_summary": summary})


def _as(ref: ArtifactRef, key: str) -> ArtifactRef:
    return dataclasses.replace(ref, key=key)


def _report(aid: int, *figures: checks.DriftFigures) -> ArtifactRef:
    return ArtifactRef(
        aid, outputs.DRIFT_REPORT, "drift_report", "/r", {properties.DRIFT_REPORT: checks.report_json(figures)}
    )


def _ex(eid, node, state="done", *, inputs=(), outs=(), error=None, props=None) -> ExecutionRecord:
    return ExecutionRecord(eid, node, state, eid * 1000, eid * 1000 + 500, error, props or {}, list(inputs), list(outs))


def _ingestion_props(spans_ingested: dict[int, str]) -> dict:
    records = {
        str(n): {"folder": f"span-{n}", "sha256": {"train-images-idx3-ubyte.gz": digest}, "count": 3000, "version": 0}
        for n, digest in spans_ingested.items()
    }
    return {
        properties.INPUT_SHA256_KEY: json.dumps({"t10k-images-idx3-ubyte.gz": "t0"}),
        properties.INPUT_BASE_KEY: "/data",
        properties.SPANS_KEY: json.dumps(records),
    }


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> "FakeStore":
    """The five runs, the Evaluator's outputs stubbed (accuracy by folder), a schema with the label threshold."""
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "schema.pbtxt").write_text(
        'feature { name: "label" type: INT drift_comparator { infinity_norm { threshold: 0.05 } } }\n'
    )
    accuracy = {"eval14": 0.694, "eval44": 0.815, "eval81": 0.799}
    failures = {"eval81": ["overall: sparse_categorical_accuracy fell by 0.0160 against the baseline model"]}
    for name in accuracy:
        (tmp_path / name).mkdir()
    monkeypatch.setattr(
        evaluation_lib,
        "read_evaluation",
        lambda uri: evaluation_lib.Evaluation(
            accuracy[Path(uri).name], {}, None, {}, 1000, None, failures.get(Path(uri).name, []), [], []
        ),
    )
    models = {}
    for aid, base in ((11, None), (26, "/root/model/11"), (41, "/root/model/26")):
        models[aid] = tmp_path / f"model{aid}"
        models[aid].mkdir()
        (models[aid] / "warm_start.json").write_text(
            json.dumps({"base_model": base, "epochs": 1, "reason": "" if base else "no blessed model yet"})
        )
    schema_ref = ArtifactRef(3, "Schema", "schema", str(schema), {})

    def model(aid: int) -> ArtifactRef:
        return ArtifactRef(aid, outputs.MODEL, "model", str(models[aid]), {})

    def evaluator(eid: int, blessed: int, model_id: int) -> ExecutionRecord:
        evaluation = ArtifactRef(eid + 100, outputs.MODEL_EVALUATION, "evaluation", str(tmp_path / f"eval{eid}"), {})
        blessing = ArtifactRef(eid + 200, outputs.MODEL_BLESSING, "blessing", "/b", {properties.BLESSED: blessed})
        return _ex(eid, "Evaluator", inputs=[model(model_id)], outs=[evaluation, blessing])

    def pusher(eid, window, reports, model_id, state="done", **pushed) -> ExecutionRecord:
        inputs = [*(_as(e, "training_examples") for e in window), *reports, model(model_id)]
        return _ex(
            eid, "Pusher", state, inputs=inputs, outs=[ArtifactRef(eid + 300, outputs.PUSHED_MODEL, "", "/p", pushed)]
        )

    span1, span2, span3 = _examples(2, 1), _examples(18, 2), _examples(33, 3, INVERTED)
    first = checks.DriftFigures(span=1, examples_id=2, compared_with=None)
    second = checks.DriftFigures(2, 18, 1, label_linf=0.0, label_threshold=0.05, pixel_distance=0.011)
    gate3_inputs = [span3, _as(span2, drift.PREVIOUS_EXAMPLES_KEY), schema_ref]
    third = dataclasses.replace(drift.measure_again(_ex(0, "DriftGate", inputs=gate3_inputs))[0], accepted=True)
    report1, report2, report3 = _report(8, first), _report(23, second), _report(38, third)
    served = {properties.PUSHED: 1}
    runs_ = {
        "r1": [
            _ex(1, "FashionMnistExampleGen", outs=[_test_set(1), span1], props=_ingestion_props({1: "s1"})),
            _ex(7, "DriftGate", inputs=[span1, schema_ref], outs=[report1]),
            _ex(11, "Trainer", inputs=[_as(span1, "examples")], outs=[model(11)]),
            evaluator(14, 1, 11),
            pusher(15, [span1], [report1], 11, **served, pushed_version="101", pushed_destination="/s/101"),
        ],
        "r2": [
            _ex(16, "FashionMnistExampleGen", "cached", outs=[_test_set(1), span1], props=_ingestion_props({1: "s1"})),
            _ex(22, "DriftGate", "cached", inputs=[span1, schema_ref], outs=[report1]),
            _ex(26, "Trainer", "cached", inputs=[_as(span1, "examples")], outs=[model(11)]),
            _ex(
                29,
                "Evaluator",
                "cached",
                outs=[ArtifactRef(114, outputs.MODEL_EVALUATION, "", str(tmp_path / "eval14"), {})],
            ),
            pusher(30, [span1], [report1], 11, "cached", **served, pushed_version="101", pushed_destination="/s/101"),
        ],
        "r3": [
            _ex(31, "FashionMnistExampleGen", outs=[_test_set(17), span2], props=_ingestion_props({2: "s2"})),
            _ex(37, "DriftGate", inputs=[span2, _as(span1, drift.PREVIOUS_EXAMPLES_KEY), schema_ref], outs=[report2]),
            _ex(41, "Trainer", inputs=[_as(span1, "examples"), _as(span2, "examples"), model(11)], outs=[model(26)]),
            evaluator(44, 1, 26),
            pusher(
                45, [span1, span2], [report1, report2], 26, **served, pushed_version="102", pushed_destination="/s/102"
            ),
        ],
        "r4": [
            _ex(61, "FashionMnistExampleGen", outs=[_test_set(32), span3], props=_ingestion_props({3: "s3"})),
            _ex(67, "DriftGate", "failed", inputs=gate3_inputs, error=STOP.format(third.pixel_distance)),
        ],
        "r5": [
            _ex(68, "FashionMnistExampleGen", "cached", outs=[_test_set(32), span3], props=_ingestion_props({3: "s3"})),
            _ex(74, "DriftGate", inputs=gate3_inputs, outs=[report3]),
            _ex(78, "Trainer", inputs=[_as(s, "examples") for s in (span1, span2, span3)], outs=[model(41)]),
            evaluator(81, 0, 41),
            pusher(82, [span1, span2, span3], [report1, report2, report3], 41, pushed=0),
        ],
    }
    return FakeStore(runs_)


class FakeStore:
    """What inspection asks of ``store.Store``, answered from the executions of each run."""

    def __init__(self, runs_by_id: dict[str, list[ExecutionRecord]]) -> None:
        self.by_run = runs_by_id

    def runs(self, pipeline_name=None):
        return [(PIPELINE, types.SimpleNamespace(name=run_id, type="pipeline_run")) for run_id in self.by_run]

    def executions(self, run):
        return self.by_run[run.name]

    def run_of(self, execution_id: int) -> str | None:
        return next((r for r, ex in self.by_run.items() if any(e.id == execution_id for e in ex)), None)

    def producer(self, artifact_id: int) -> ExecutionRecord | None:
        every = [e for ex in self.by_run.values() for e in ex if any(a.id == artifact_id for a in e.outputs)]
        return min(every, key=lambda e: e.id, default=None)

    def artifacts_of_type(self, type_name: str) -> list[metadata_store_pb2.Artifact]:
        found = {}
        for execution in (e for ex in self.by_run.values() for e in ex):
            for ref in (a for a in execution.outputs if a.type == type_name):
                artifact = metadata_store_pb2.Artifact(id=ref.id)
                for key, value in ref.properties.items():
                    if isinstance(value, int):
                        artifact.custom_properties[key].int_value = value
                    else:
                        artifact.custom_properties[key].string_value = str(value)
                found[ref.id] = artifact
        return list(found.values())


def _run(store: FakeStore, run_id: str) -> list[ExecutionRecord]:
    return store.by_run[run_id]


# --- inspect runs: the span of each run ---------------------------------------------------------------


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


def test_a_span_ingested_again_is_named_with_its_version_and_a_failed_ingestion_has_no_span():
    again = _ex(1, "FashionMnistExampleGen", outs=[_examples(40, 2, version=1), _examples(41, 4)])
    assert spans.ingestion([again]).describe() == "ingested span 2 version 1, span 4"
    assert spans.ingestion([_ex(1, "FashionMnistExampleGen", "failed")]) is None
    overview = runs.overview(PIPELINE, "r", [_ex(1, "FashionMnistExampleGen", "failed", error="boom")])
    assert cli.format_runs([overview])[2] == "    spans: none (the ExampleGen did not finish)"


# --- the drift gate's stop ------------------------------------------------------------------------


def test_a_run_the_drift_gate_stopped_has_its_own_outcome_and_the_gates_words(store: FakeStore):
    stopped = runs.overview(PIPELINE, "r4", _run(store, "r4"))
    assert stopped.outcome == outcomes.STOPPED_BY_DRIFT == "stopped by the drift gate"
    assert stopped.reason == _run(store, "r4")[1].error
    assert stopped.outcome in outcomes.STOPPED


def test_without_a_recorded_message_the_reason_is_measured_again_and_names_span_measure_and_amount(
    store: FakeStore,
):
    gate = dataclasses.replace(_run(store, "r4")[1], error=None)
    result, reason = outcomes.outcome([_run(store, "r4")[0], gate])
    figure = drift.measure_again(gate)[0]
    assert result == outcomes.STOPPED_BY_DRIFT
    assert reason == STOP.format(figure.pixel_distance) and figure.pixel_distance > 0.1
    assert (figure.span, figure.compared_with, figure.label_threshold) == (3, 2, 0.05), "threshold from the schema"


def test_the_drift_gate_failing_on_spans_that_did_not_drift_is_a_failure(store: FakeStore):
    span2, span3 = _examples(18, 2), _examples(33, 3)  # span 3 like span 2
    gate = _ex(67, "DriftGate", "failed", inputs=[span3, _as(span2, drift.PREVIOUS_EXAMPLES_KEY)], error="disk full")
    assert outcomes.outcome([gate]) == (outcomes.FAILED, "DriftGate: disk full")


def test_the_decision_and_the_run_summary_carry_the_drift_stop(store: FakeStore):
    shown = details.details(store, "r4")
    assert shown.decision.blessed is None and shown.decision.reason == shown.overview.reason
    assert shown.spans.drift_stopped and shown.spans.trained == []
    summary = run_summary.RunSummary(
        "r4",
        shown.overview.nodes,
        None,
        shown.decision,
        None,
        shown.overview.outcome,
        shown.overview.reason,
        shown.spans,
    )
    assert run_summary.format_summary(summary, wall_seconds=1)[1:] == [
        "drift gate: span 3 against span 2: label L-infinity 0.000 <= 0.05, pixel Jensen-Shannon "
        f"{shown.spans.drift[0].pixel_distance:.3f} > 0.1: drifted: stopped the run",
        f"stopped by the drift gate: {shown.overview.reason}",
        "nothing pushed",
    ]


def test_the_gate_keys_inspection_reads_are_the_specs():
    """One spelling: the spec takes its keys from components/properties.py, as inspection does (no TFX here)."""
    tree = ast.parse((REPO_ROOT / "components" / "drift_gate" / "spec.py").read_text())
    values = {
        node.targets[0].id: ast.unparse(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    for key in ("PREVIOUS_EXAMPLES_KEY", "SCHEMA_KEY", "PIXEL_THRESHOLD_KEY"):
        assert values[key] == f"properties.{key}"
        assert getattr(drift, key) == getattr(properties, key)


# --- show and lineage: the spans trained on and their drift figures ------------------------------


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


# --- the history across runs ----------------------------------------------------------------------


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
    assert [(r.run_id, r.reason) for r in past.stopped] == [("r4", _run(store, "r4")[1].error)]


def test_the_history_section_shows_the_chart_versions_drift_against_thresholds_and_stops(store: FakeStore):
    past = history.history(store, PIPELINE)
    page = "\n".join(report_history.history_section(past))
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


def test_the_data_gate_reason_reads_every_span_and_the_test_set_in_the_gates_words(tmp_path: Path):
    from tensorflow_metadata.proto.v0 import anomalies_pb2

    refs = []
    for folder, split, problem in (("span-3", "train", "Unexpectedly large value: 11."), ("test", "test", "")):
        anomalies = anomalies_pb2.Anomalies()
        if problem:
            anomalies.anomaly_info["label"].description = problem
        (tmp_path / folder / f"Split-{split}").mkdir(parents=True)
        (tmp_path / folder / f"Split-{split}" / "SchemaDiff.pb").write_bytes(anomalies.SerializeToString())
        refs.append(ArtifactRef(len(refs), "ExampleAnomalies", properties.ANOMALIES_KEY, str(tmp_path / folder), {}))
    gate = _ex(6, "AnomalyGate", "failed", inputs=refs)
    expected = (
        "the data gate stopped the run: 1 anomaly: split 'span-3/train': feature 'label': Unexpectedly large value: 11."
    )
    assert outcomes.gate_reason(gate) == expected
    assert outcomes.outcome([gate]) == (outcomes.STOPPED_BY_GATE, expected)


def test_the_report_shows_each_span_its_drift_and_what_the_model_trained_on(store: FakeStore):
    from pipeline.inspection import report

    page = report.render(details.details(store, "r5"), runs_history=history.history(store, PIPELINE))
    assert "<td>span 3 train</td><td>2975</td>" in page and "<td>test</td><td>1000</td>" in page
    assert "<p>No new span (reused span 3, ingested by an earlier run).</p>" in page
    assert "<h3>Trained on</h3>" in page and "<td>span 2</td><td>18</td><td>2975</td><td>25</td>" in page
    assert "Warm start: from /root/model/26, 1 epoch." in page
    assert '<section id="history">' in page
