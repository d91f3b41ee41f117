"""Inspection's readers and decisions, on hand-made records and executions (no TensorFlow, no pipeline run)."""

import gzip
import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from components import features, properties
from components.ingestion import examples
from components.records import evaluation_results as evaluation_lib
from components.records import protos, tfrecord
from pipeline.inspection import cli, data_views, decision, details, history, outcomes, report, runs, spans, store
from pipeline.inspection.store import ArtifactRef, ExecutionRecord
from tests.conftest import REPO_ROOT


def _record(data: bytes) -> bytes:
    # TFRecord framing; the CRCs are not checked by the reader, so zeros do.
    return struct.pack("<Q", len(data)) + b"\0" * 4 + data + b"\0" * 4


def test_tfrecord_reader_reads_plain_and_gzip_files(tmp_path: Path):
    payloads = [b"first", b"", b"x" * 1000]
    plain = tmp_path / "a.tfrecord"
    plain.write_bytes(b"".join(_record(p) for p in payloads))
    zipped = tmp_path / "a.tfrecord.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    assert list(tfrecord.read_records(plain)) == payloads
    assert list(tfrecord.read_records(zipped)) == payloads
    assert list(tfrecord.read_records(plain, limit=2)) == payloads[:2]


def test_tfrecord_reader_rejects_a_truncated_file(tmp_path: Path):
    path = tmp_path / "cut.tfrecord"
    path.write_bytes(_record(b"whole") + _record(b"cut short")[:-6])
    with pytest.raises(tfrecord.TFRecordError, match=r"cut.tfrecord: truncated record"):
        list(tfrecord.read_records(path))


def test_private_proto_classes_parse_what_the_real_ones_would():
    example_class = protos.message_class("tensorflow.Example")
    example = example_class()
    example.features.feature[features.LABEL_KEY].int64_list.value.append(7)
    parsed = protos.parse("tensorflow.Example", example.SerializeToString())
    assert list(parsed.features.feature[features.LABEL_KEY].int64_list.value) == [7]
    metrics = protos.message_class("tensorflow_model_analysis.MetricsForSlice")()
    assert {"slice_key", "metric_keys_and_values"} <= {f.name for f in metrics.DESCRIPTOR.fields}


def test_serialized_descriptor_names_a_file_without_one(tmp_path: Path):
    module = tmp_path / "empty_pb2.py"
    module.write_text("x = 1\n")
    with pytest.raises(protos.ProtoLoadError, match="no serialized file descriptor"):
        protos.serialized_descriptor(module)


def test_inspection_imports_neither_tensorflow_nor_tfx(tmp_path: Path):
    code = (
        "import sys\n"
        "from pipeline.inspection import charts, cli, data_views, decision, details, drift, history, lineage\n"
        "from pipeline.inspection import markup, outcomes, outputs, report, report_history, runs, samples, spans\n"
        "from components.records import evaluation_results, protos\n"
        "from pipeline import run_summary\n"
        "protos.message_class('tensorflow_model_analysis.ValidationResult')\n"
        f"assert cli.main(['runs', '--output-dir', {str(tmp_path)!r}]) == 1\n"
        "heavy = ('tensorflow', 'tfx', 'tensorflow_model_analysis', 'apache_beam')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_thresholds_are_put_in_words():
    config = {
        "metricsSpecs": [
            {
                "metrics": [
                    {
                        "className": "SparseCategoricalAccuracy",
                        "perSliceThresholds": [
                            {
                                "slicingSpecs": [{}],
                                "threshold": {
                                    "valueThreshold": {"lowerBound": 0.9},
                                    "changeThreshold": {"absolute": -0.01, "direction": "HIGHER_IS_BETTER"},
                                },
                            },
                            {
                                "slicingSpecs": [{"featureKeys": ["label"]}],
                                "threshold": {"valueThreshold": {"lowerBound": 0.5}},
                            },
                        ],
                    }
                ]
            }
        ]
    }
    thresholds = evaluation_lib.thresholds_from_config(config)
    assert [(t.where, t.rule) for t in thresholds] == [
        ("overall", "SparseCategoricalAccuracy >= 0.9000"),
        ("overall", "SparseCategoricalAccuracy no more than 0.0100 below the baseline model's"),
        ("each label slice", "SparseCategoricalAccuracy >= 0.5000"),
    ]
    assert thresholds == [
        evaluation_lib.Threshold("overall", "SparseCategoricalAccuracy", evaluation_lib.LOWER_BOUND, 0.9),
        evaluation_lib.Threshold("overall", "SparseCategoricalAccuracy", evaluation_lib.MAX_DROP, 0.01),
        evaluation_lib.Threshold("each label slice", "SparseCategoricalAccuracy", evaluation_lib.LOWER_BOUND, 0.5),
    ]


def test_split_summary_counts_pixels_and_labels():
    images = np.zeros((4, 28, 28), np.uint8)
    images[1, 0, 0] = 255
    images[2] = 16
    labels = np.array([0, 1, 1, 9])
    summary = examples.split_summary(images, labels, np.array([1, 2, 3]))
    assert summary["count"] == 3
    assert (summary["pixel_min"], summary["pixel_max"]) == (0, 255)
    assert summary["pixel_mean"] == pytest.approx((255 + 16 * 784) / (3 * 784))
    assert summary["label_counts"] == [0, 2, 0, 0, 0, 0, 0, 0, 0, 1]
    assert summary["pixel_std"] == pytest.approx(images[[1, 2, 3]].std())
    assert sum(summary["pixel_histogram"]) == 3 * 784
    assert summary["pixel_histogram"][1] == 784 and summary["pixel_histogram"][15] == 1
    assert examples.split_summary(images, labels, np.array([], dtype=int))["count"] == 0


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


def test_error_message_is_the_last_line_of_the_traceback():
    from ml_metadata.proto import metadata_store_pb2

    execution = metadata_store_pb2.Execution()
    trace = (
        'Traceback (most recent call last):\n  File "x.py", line 1\n'
        "components.anomaly_gate.executor.GateError: the data gate stopped the run: bad\n"
    )
    execution.custom_properties["__execution_result__"].string_value = json.dumps({"code": 2, "resultMessage": trace})
    assert store.error_message(execution) == "the data gate stopped the run: bad"
    assert store.error_message(metadata_store_pb2.Execution()) is None


def test_cli_says_what_to_do_without_a_store(tmp_path: Path, capsys: pytest.CaptureFixture):
    assert cli.main(["runs", "--output-dir", str(tmp_path)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"error: {tmp_path}/metadata.sqlite: no ML Metadata store; run the pipeline first")
    assert "\n" not in error


def test_cli_rejects_a_version_that_is_not_an_integer(tmp_path: Path, capsys: pytest.CaptureFixture):
    from ml_metadata import metadata_store
    from ml_metadata.proto import metadata_store_pb2

    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(tmp_path / "metadata.sqlite")
    metadata_store.MetadataStore(config)  # an empty store
    assert cli.main(["lineage", "latest", "--output-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == "error: 'latest' is not a version: versions are integers"
    assert cli.main(["--output-dir", str(tmp_path)]) == 1
    assert "no run recorded yet" in capsys.readouterr().err


def _details() -> details.RunDetails:
    overview = runs.RunOverview(
        "fashion_mnist",
        "2026-01-01T00:00:00",
        "2026-01-01T00:00:00+00:00",
        12.0,
        outcomes.NOT_BLESSED,
        "overall: accuracy fell",
        [runs.NodeRun("Trainer", 3, "done", 10.0, None), runs.NodeRun("Transform", 2, "cached", 0.0, None)],
    )
    split = data_views.SplitData("train", 10, 0, 255, 72.9, 90.0, [5] * 16, [1] * 10, 784.0, 784.0, span=1)
    ev = evaluation_lib.Evaluation(
        0.5,
        dict.fromkeys(range(10), 0.5),
        0.9,
        dict.fromkeys(range(10), 0.9),
        100,
        False,
        ["overall: accuracy fell"],
        [
            evaluation_lib.Threshold("overall", "SparseCategoricalAccuracy", evaluation_lib.LOWER_BOUND, 0.9),
            evaluation_lib.Threshold("each label slice", "SparseCategoricalAccuracy", evaluation_lib.LOWER_BOUND, 0.5),
        ],
        [[10 if i == j else 0 for j in range(10)] for i in range(10)],
    )
    return details.RunDetails(
        overview=overview,
        artifacts=[details.ArtifactRow("Trainer", "model", "Model", 3, "/m", "done")],
        splits=[split, data_views.SplitData("test", 10, 0, 250, 73.0, 89.0, [5] * 16, [1] * 10, 784.0, 784.0)],
        spans=spans.RunSpans(
            ingestion=spans.Ingestion([spans.SpanRef(1, 0, 5, {"train": 10})], new=True),
            drift=[],
            drift_measured=True,
            drift_stopped=False,
            trained=[spans.SpanRef(1, 0, 5, {"train": 10})],
            warm_start=None,
        ),
        schema=["image: BYTES"],
        anomalies=[],
        evaluation=ev,
        decision=decision.Decision(False, "overall: accuracy fell", "/baseline", True, None, None),
        training_history={
            "loss": [1.0, 0.5],
            "val_loss": [1.1, 0.6],
            "accuracy": [0.5, 0.7],
            "val_accuracy": [0.4, 0.6],
        },
        model_run_dir="/logs",
    )


def test_report_has_every_section_and_real_charts():
    samples = {c: [np.full((28, 28), 20 * c, np.uint8)] for c in range(10)}
    d = _details()
    row = history.RunRow(d.overview.run_id, d.overview.started, outcomes.PUSHED, "v", 0.9, 7, d.spans)
    page = report.render(d, samples=samples, runs_history=history.History("fashion_mnist", [row], []))
    for section in report.SECTIONS:
        assert f'<section id="{section}">' in page
    # durations, labels, pixels, training curves, per-class accuracy, confusion matrix, history
    assert page.count("<svg") == 7
    assert page.count('src="data:image/png;base64,') == 1
    assert "NOT BLESSED: overall: accuracy fell" in page
    # Self-contained: nothing for the browser to fetch (SVG namespace URIs are names, not requests).
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    assert "<script" not in page and "<link" not in page


def test_cli_text_of_a_not_blessed_run():
    text = "\n".join(cli.format_details(_details()))
    assert "outcome: not blessed: overall: accuracy fell" in text
    assert "  NOT BLESSED: overall: accuracy fell" in text
    assert "baseline model: /baseline" in text
    assert "  span 1 train     10 examples, pixels 0-255, mean 72.9, std 90.0, image 784-784 bytes" in text
    assert "  test             10 examples, pixels 0-250" in text


def test_json_keeps_the_artifact_keys_and_each_threshold_in_words():
    shown = json.loads(json.dumps(cli.to_json(_details())))
    assert shown["artifacts"] == [
        {"node": "Trainer", "key": "model", "type": "Model", "id": 3, "uri": "/m", "state": "done"}
    ]
    assert shown["evaluation"]["thresholds"][1] == {
        "where": "each label slice",
        "metric": "SparseCategoricalAccuracy",
        "kind": "lower_bound",
        "value": 0.5,
        "rule": "SparseCategoricalAccuracy >= 0.5000",
    }


def test_the_gallery_shows_each_confusion_pair_with_its_most_confident_mistakes():
    from components.serving_canary import mistakes
    from pipeline.inspection import report_mistakes

    probabilities = np.full((6, 10), 0.01)
    probabilities[[0, 1, 2], 0] = [0.9, 0.7, 0.8]  # shirts (6) taken for T-shirts (0)
    probabilities[3, 2] = 0.6  # a coat (4) taken for a pullover (2)
    probabilities[[4, 5], [4, 5]] = 0.9  # right
    found = mistakes.confident_mistakes(probabilities, np.array([6, 6, 6, 4, 4, 5]))
    images = {i: np.full((28, 28), 40 * i, np.uint8) for i in range(4)}
    page = report.render(_details(), mistakes=(found, images))
    section = page[page.index('<section id="mistakes">') :]
    section = section[: section.index("</section>")]
    assert "4 of 6 test images wrong" in section
    assert section.index("true Shirt, predicted T-shirt/top: 3 mistakes") < section.index(
        "true Coat, predicted Pullover: 1 mistakes"
    )
    assert section.count('src="data:image/png;base64,') == 2, "one row of images per pair"
    assert report_mistakes.mistakes_section(None)[1].startswith("<p>Not recorded")
