"""pipeline/metadata/outcomes.py: the outcome of a run and the reason for it, in the gates' words."""

from pathlib import Path

import pytest

from components.contract import keys, properties
from components.records import evaluation_results as evaluation_lib
from pipeline.metadata import outcomes, runs
from pipeline.metadata.store import ArtifactRef, ExecutionRecord
from tests.support.span_runs import PIPELINE, FakeStore, execution, five_runs, span_examples, under


def _execution(node: str, state: str = "done", *, outputs=(), error=None, eid=1) -> ExecutionRecord:
    return ExecutionRecord(eid, node, state, 0, 1000, error, {}, [], list(outputs))


def _artifact(type_name: str, **properties) -> ArtifactRef:
    return ArtifactRef(1, type_name, "", "/nowhere", properties)


NODES_BEFORE_PUSHER = [
    _execution(n, eid=i) for i, n in enumerate(["FashionMnistExampleGen", "AnomalyGate", "Trainer"], start=1)
]


@pytest.mark.parametrize(
    ("executions", "expected"),
    [
        (
            [
                *NODES_BEFORE_PUSHER,
                _execution(
                    "Pusher",
                    outputs=[_artifact("PushedModel", pushed=1, pushed_version="7", pushed_destination="/s/7")],
                ),
            ],
            (outcomes.PUSHED, "version 7 at /s/7"),
        ),
        (
            [
                *NODES_BEFORE_PUSHER,
                _execution(
                    "Pusher",
                    outputs=[_artifact("PushedModel", pushed=0, **{properties.ALREADY_SERVED_VERSION: 7})],
                ),
            ],
            (outcomes.ALREADY_SERVED, "this model is already served as version 7"),
        ),
        (
            [
                *NODES_BEFORE_PUSHER,
                _execution(
                    "ServingCanary", outputs=[_artifact("InfraBlessing", blessed=0, canary_problems="bad signature")]
                ),
                _execution("Pusher", outputs=[_artifact("PushedModel", pushed=0)]),
            ],
            (outcomes.CANARY_FAILED, "bad signature"),
        ),
        (
            [
                _execution("FashionMnistExampleGen"),
                _execution("AnomalyGate", "failed", error="the data gate stopped the run: x"),
            ],
            (outcomes.STOPPED_BY_GATE, "the data gate stopped the run: x"),
        ),
        (
            [_execution("FashionMnistExampleGen"), _execution("Pusher", "failed", error="cannot create")],
            (outcomes.FAILED, "Pusher: cannot create"),
        ),
        (
            [_execution("FashionMnistExampleGen"), _execution("Trainer", "running")],
            (outcomes.INCOMPLETE, "Trainer never finished (killed, or still running)"),
        ),
    ],
)
def test_the_outcome_of_a_run(executions, expected):
    assert outcomes.outcome(executions) == expected


def test_not_blessed_names_the_failed_threshold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    ev = evaluation_lib.Evaluation(
        0.5,
        {},
        0.9,
        {},
        100,
        False,
        ["overall: sparse_categorical_accuracy fell by 0.4000 against the baseline model"],
        [],
        [],
    )
    monkeypatch.setattr(evaluation_lib, "read_evaluation", lambda uri: ev)
    executions = [
        *NODES_BEFORE_PUSHER,
        _execution("Evaluator", outputs=[_artifact("ModelEvaluation"), _artifact("ModelBlessing", blessed=0)]),
        _execution("Pusher", outputs=[_artifact("PushedModel", pushed=0)]),
    ]
    assert outcomes.outcome(executions) == (outcomes.NOT_BLESSED, ev.failures[0])


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    return five_runs(tmp_path, monkeypatch)


def test_a_run_the_drift_gate_stopped_has_its_own_outcome_and_the_gates_words(store: FakeStore):
    stopped = runs.overview(PIPELINE, "r4", store.by_run["r4"])
    assert stopped.outcome == outcomes.STOPPED_BY_DRIFT == "stopped by the drift gate"
    assert stopped.reason == store.by_run["r4"][1].error
    assert stopped.outcome in outcomes.STOPPED


def test_the_drift_gate_failing_on_spans_that_did_not_drift_is_a_failure(store: FakeStore):
    span2, span3 = span_examples(18, 2), span_examples(33, 3)  # span 3 like span 2
    gate = execution(
        67, "DriftGate", "failed", inputs=[span3, under(span2, keys.PREVIOUS_EXAMPLES_KEY)], error="disk full"
    )
    assert outcomes.outcome([gate]) == (outcomes.FAILED, "DriftGate: disk full")


def test_the_data_gate_reason_reads_every_span_and_the_test_set_in_the_gates_words(tmp_path: Path):
    from tensorflow_metadata.proto.v0 import anomalies_pb2

    refs = []
    for folder, split, problem in (("span-3", "train", "Unexpectedly large value: 11."), ("test", "test", "")):
        anomalies = anomalies_pb2.Anomalies()
        if problem:
            anomalies.anomaly_info["label"].description = problem
        (tmp_path / folder / f"Split-{split}").mkdir(parents=True)
        (tmp_path / folder / f"Split-{split}" / "SchemaDiff.pb").write_bytes(anomalies.SerializeToString())
        refs.append(ArtifactRef(len(refs), "ExampleAnomalies", keys.ANOMALIES_KEY, str(tmp_path / folder), {}))
    gate = execution(6, "AnomalyGate", "failed", inputs=refs)
    expected = (
        "the data gate stopped the run: 1 anomaly: split 'span-3/train': feature 'label': Unexpectedly large value: 11."
    )
    assert outcomes.gate_reason(gate) == expected
    assert outcomes.outcome([gate]) == (outcomes.STOPPED_BY_GATE, expected)
