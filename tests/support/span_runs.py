"""The history of a pipeline that ingests spans, hand-made as ML Metadata records it (no TFX, no TensorFlow).

Five runs, as the reference store holds them: span 1 pushed, a cached rerun, span 2 pushed
(warm-started), span 3 (inverted images) stopped by the drift gate, span 3 again with --accept-drift
(trained, not blessed). ``five_runs`` builds them; the other helpers build executions and artifacts.
"""

from __future__ import annotations

import dataclasses
import json
import types
from pathlib import Path

import pytest
from ml_metadata.proto import metadata_store_pb2

from components.contract import artifact_types, keys, properties
from components.drift_gate import checks
from components.records import evaluation_results as evaluation_lib
from pipeline.metadata import drift
from pipeline.metadata.store import ArtifactRef, ExecutionRecord

PIPELINE = "fashion_mnist"
NORMAL = {"label_counts": [300] * 10, "pixel_histogram": [150_000] + [1_000] * 254 + [40_000]}
INVERTED = {"label_counts": [300] * 10, "pixel_histogram": NORMAL["pixel_histogram"][::-1]}
STOP = (
    "span 3 drifted from span 2: pixel distribution Jensen-Shannon {:.3f} > 0.1 "
    "(rerun with --accept-drift to train on it anyway)"
)


def span_examples(aid: int, span: int, profile: dict = NORMAL, *, version: int = 0) -> ArtifactRef:
    """The ExampleGen's Examples of one span, with its split summary and profile."""
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
    props = {properties.SPAN: span, properties.VERSION: version, properties.SPLIT_SUMMARY: json.dumps(summary)}
    props[properties.SPAN_PROFILE] = json.dumps(profile)
    return ArtifactRef(aid, artifact_types.EXAMPLES, keys.EXAMPLES_KEY, f"/root/examples/span-{span}", props)


def held_out_examples(aid: int) -> ArtifactRef:
    """The ExampleGen's Examples of the test set."""
    summary = json.dumps(
        {"test": {"count": 1000, "pixel_min": 0, "pixel_max": 255, "pixel_mean": 73.2, "pixel_std": 89.7}}
    )
    return ArtifactRef(aid, artifact_types.EXAMPLES, keys.TEST_EXAMPLES_KEY, "/root/test", {"split_summary": summary})


def under(ref: ArtifactRef, key: str) -> ArtifactRef:
    """``ref`` as an input or output under ``key``."""
    return dataclasses.replace(ref, key=key)


def drift_report(aid: int, *figures: checks.DriftFigures) -> ArtifactRef:
    return ArtifactRef(
        aid, artifact_types.DRIFT_REPORT, "drift_report", "/r", {properties.DRIFT_REPORT: checks.report_json(figures)}
    )


def execution(eid, node, state="done", *, inputs=(), outs=(), error=None, props=None) -> ExecutionRecord:
    return ExecutionRecord(eid, node, state, eid * 1000, eid * 1000 + 500, error, props or {}, list(inputs), list(outs))


def ingestion_properties(spans_ingested: dict[int, str]) -> dict:
    """The ExampleGen's execution properties for ``{span: SHA-256 of its training images}``."""
    records = {
        str(n): {"folder": f"span-{n}", "sha256": {"train-images-idx3-ubyte.gz": digest}, "count": 3000, "version": 0}
        for n, digest in spans_ingested.items()
    }
    return {
        keys.INPUT_SHA256_KEY: json.dumps({"t10k-images-idx3-ubyte.gz": "t0"}),
        keys.INPUT_BASE_KEY: "/data",
        keys.SPANS_KEY: json.dumps(records),
    }


def five_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStore:
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
        return ArtifactRef(aid, artifact_types.MODEL, "model", str(models[aid]), {})

    def evaluator(eid: int, blessed: int, model_id: int) -> ExecutionRecord:
        evaluation = ArtifactRef(
            eid + 100, artifact_types.MODEL_EVALUATION, "evaluation", str(tmp_path / f"eval{eid}"), {}
        )
        blessing = ArtifactRef(
            eid + 200, artifact_types.MODEL_BLESSING, "blessing", "/b", {properties.BLESSED: blessed}
        )
        return execution(eid, "Evaluator", inputs=[model(model_id)], outs=[evaluation, blessing])

    def pusher(eid, window, reports, model_id, state="done", **pushed) -> ExecutionRecord:
        inputs = [*(under(e, "training_examples") for e in window), *reports, model(model_id)]
        return execution(
            eid,
            "Pusher",
            state,
            inputs=inputs,
            outs=[ArtifactRef(eid + 300, artifact_types.PUSHED_MODEL, "", "/p", pushed)],
        )

    span1, span2, span3 = span_examples(2, 1), span_examples(18, 2), span_examples(33, 3, INVERTED)
    first = checks.DriftFigures(span=1, examples_id=2, compared_with=None)
    second = checks.DriftFigures(2, 18, 1, label_linf=0.0, label_threshold=0.05, pixel_distance=0.011)
    gate3_inputs = [span3, under(span2, keys.PREVIOUS_EXAMPLES_KEY), schema_ref]
    third = dataclasses.replace(drift.measure_again(execution(0, "DriftGate", inputs=gate3_inputs))[0], accepted=True)
    report1, report2, report3 = drift_report(8, first), drift_report(23, second), drift_report(38, third)
    served = {properties.PUSHED: 1}
    test_set_1, test_set_17, test_set_32 = held_out_examples(1), held_out_examples(17), held_out_examples(32)
    runs_ = {
        "r1": [
            execution(1, "FashionMnistExampleGen", outs=[test_set_1, span1], props=ingestion_properties({1: "s1"})),
            execution(7, "DriftGate", inputs=[span1, schema_ref], outs=[report1]),
            execution(11, "Trainer", inputs=[under(span1, "examples")], outs=[model(11)]),
            evaluator(14, 1, 11),
            pusher(15, [span1], [report1], 11, **served, pushed_version="101", pushed_destination="/s/101"),
        ],
        "r2": [
            execution(
                16, "FashionMnistExampleGen", "cached", outs=[test_set_1, span1], props=ingestion_properties({1: "s1"})
            ),
            execution(22, "DriftGate", "cached", inputs=[span1, schema_ref], outs=[report1]),
            execution(26, "Trainer", "cached", inputs=[under(span1, "examples")], outs=[model(11)]),
            execution(
                29,
                "Evaluator",
                "cached",
                outs=[ArtifactRef(114, artifact_types.MODEL_EVALUATION, "", str(tmp_path / "eval14"), {})],
            ),
            pusher(30, [span1], [report1], 11, "cached", **served, pushed_version="101", pushed_destination="/s/101"),
        ],
        "r3": [
            execution(31, "FashionMnistExampleGen", outs=[test_set_17, span2], props=ingestion_properties({2: "s2"})),
            execution(
                37, "DriftGate", inputs=[span2, under(span1, keys.PREVIOUS_EXAMPLES_KEY), schema_ref], outs=[report2]
            ),
            execution(
                41,
                "Trainer",
                inputs=[under(span1, "examples"), under(span2, "examples"), model(11)],
                outs=[model(26)],
            ),
            evaluator(44, 1, 26),
            pusher(
                45, [span1, span2], [report1, report2], 26, **served, pushed_version="102", pushed_destination="/s/102"
            ),
        ],
        "r4": [
            execution(61, "FashionMnistExampleGen", outs=[test_set_32, span3], props=ingestion_properties({3: "s3"})),
            execution(67, "DriftGate", "failed", inputs=gate3_inputs, error=STOP.format(third.pixel_distance)),
        ],
        "r5": [
            execution(
                68, "FashionMnistExampleGen", "cached", outs=[test_set_32, span3], props=ingestion_properties({3: "s3"})
            ),
            execution(74, "DriftGate", inputs=gate3_inputs, outs=[report3]),
            execution(78, "Trainer", inputs=[under(s, "examples") for s in (span1, span2, span3)], outs=[model(41)]),
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
        for record in (e for ex in self.by_run.values() for e in ex):
            for ref in (a for a in record.outputs if a.type == type_name):
                artifact = metadata_store_pb2.Artifact(id=ref.id)
                for key, value in ref.properties.items():
                    if isinstance(value, int):
                        artifact.custom_properties[key].int_value = value
                    else:
                        artifact.custom_properties[key].string_value = str(value)
                found[ref.id] = artifact
        return list(found.values())
