"""AtomicPusher's executor: pushes only what both the Evaluator and the serving canary blessed."""

import json
from pathlib import Path

import pytest
from tfx.proto import pusher_pb2
from tfx.types import standard_artifacts
from tfx.utils import proto_utils

from components.contract import keys, properties
from components.pusher import executor as pusher_executor
from components.pusher import publish
from tests.support.evaluation_fixtures import write_evaluation


def _do(tmp_path: Path, *, blessed: int, canary_blessed: int, evaluation_uri: Path | None = None, window=()):
    model = standard_artifacts.Model()
    model.uri = str(tmp_path / "model")
    serving = tmp_path / "model" / "Format-Serving"
    (serving / "variables").mkdir(parents=True, exist_ok=True)
    (serving / "saved_model.pb").write_bytes(b"graph")
    blessing = standard_artifacts.ModelBlessing()
    blessing.set_int_custom_property("blessed", blessed)
    infra_blessing = standard_artifacts.InfraBlessing()
    infra_blessing.set_int_custom_property("blessed", canary_blessed)
    pushed = standard_artifacts.PushedModel()
    pushed.uri = str(tmp_path / "pushed")
    destination = pusher_pb2.PushDestination(
        filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=str(tmp_path / "serving"))
    )
    inputs = {"model": [model], "model_blessing": [blessing], "infra_blessing": [infra_blessing]}
    if window:
        inputs[keys.TRAINING_EXAMPLES_KEY] = list(window)
    if evaluation_uri is not None:
        model_evaluation = standard_artifacts.ModelEvaluation()
        model_evaluation.uri = str(evaluation_uri)
        inputs[keys.MODEL_EVALUATION_KEY] = [model_evaluation]
        blessing.set_string_custom_property("baseline_model", "/models/baseline")
    executor = pusher_executor.Executor(pusher_executor.Executor.Context(pipeline_run_id="run-42"))
    executor.Do(
        inputs,
        {"pushed_model": [pushed]},
        {
            "push_destination": proto_utils.proto_to_json(destination),
            keys.PROVENANCE_KEY: json.dumps({"code": {"commit": "abc", "dirty": False}, "data": {"sha256": {}}}),
        },
    )
    return pushed


@pytest.mark.parametrize(("blessed", "canary_blessed"), [(0, 1), (1, 0), (0, 0)])
def test_nothing_is_pushed_unless_both_bless(tmp_path: Path, blessed: int, canary_blessed: int):
    pushed = _do(tmp_path, blessed=blessed, canary_blessed=canary_blessed)
    assert pushed.get_int_custom_property("pushed") == 0
    assert not (tmp_path / "serving").exists()


def test_a_doubly_blessed_model_is_pushed_once(tmp_path: Path):
    first = _do(tmp_path, blessed=1, canary_blessed=1)
    assert first.get_int_custom_property("pushed") == 1
    version = first.get_string_custom_property("pushed_version")
    assert (tmp_path / "serving" / version / "saved_model.pb").read_bytes() == b"graph"
    again = _do(tmp_path, blessed=1, canary_blessed=1)
    assert again.get_int_custom_property("pushed") == 0
    assert again.get_int_custom_property("already_served_version") == int(version)
    assert [p.name for p in (tmp_path / "serving").iterdir()] == [version]


def test_the_model_card_says_where_the_model_came_from_and_how_it_scored(tmp_path: Path):
    write_evaluation(tmp_path / "ev", candidate=0.93, baseline=0.92, failed=False)
    pushed = _do(tmp_path, blessed=1, canary_blessed=1, evaluation_uri=tmp_path / "ev")
    version = pushed.get_string_custom_property("pushed_version")
    card = json.loads((tmp_path / "serving" / version / publish.MODEL_CARD_PATH).read_text())
    assert card["run_id"] == "run-42" and card["version"] == int(version)
    assert card["code"] == {"commit": "abc", "dirty": False}
    assert card["model_digest"] == publish.model_digest(tmp_path / "model" / "Format-Serving")
    ev = card["evaluation"]
    assert (ev["accuracy"], ev["baseline_accuracy"], ev["baseline_model"]) == (0.93, 0.92, "/models/baseline")
    assert ev["class_accuracy"]["Shirt"] == 0.56
    assert "overall: SparseCategoricalAccuracy >= 0.9000" in ev["thresholds"]
    assert json.loads(pushed.get_string_custom_property("model_card")) == card


def test_the_model_card_names_every_span_of_the_window_with_its_version_and_hashes(tmp_path: Path):
    """Issue 25, defect 8: the spans earlier runs ingested too, each with the hashes it was ingested with."""
    window, hashes = [], {}
    for span, version in ((4, 2), (1, 0)):
        examples = standard_artifacts.Examples()
        examples.span, examples.version, examples.id = span, version, 10 * span
        hashes[span] = {"train-images-idx3-ubyte.gz": f"{span}" * 64, "train-labels-idx1-ubyte.gz": f"{span}a" * 32}
        examples.set_string_custom_property(properties.SPAN_SHA256, json.dumps(hashes[span]))
        window.append(examples)
    pushed = _do(tmp_path, blessed=1, canary_blessed=1, window=window)
    card = json.loads(
        (
            tmp_path / "serving" / pushed.get_string_custom_property("pushed_version") / publish.MODEL_CARD_PATH
        ).read_text()
    )
    rows = card["training"]["spans"]
    assert [(r["span"], r["version"], r["examples_id"], r["sha256"]) for r in rows] == [
        (1, 0, 10, hashes[1]),
        (4, 2, 40, hashes[4]),
    ]


def test_an_on_device_model_is_pushed_as_model_tflite_with_its_conversion_and_sibling(tmp_path: Path):
    from components.contract import files

    model = standard_artifacts.Model()
    model.uri = str(tmp_path / "lite")
    (tmp_path / "lite" / "Format-Serving").mkdir(parents=True)
    (tmp_path / "lite" / "Format-Serving" / files.TFLITE_FILE).write_bytes(b"flatbuffer")
    float_model = {"quantization": "float", "size_bytes": 1000, "accuracy": 0.93, "agreement": 1.0}
    chosen = {"quantization": "full_integer", "size_bytes": 300, "accuracy": 0.929, "agreement": 0.996}
    report = {
        "chosen": "full_integer",
        "reference_accuracy": 0.93,
        "float": float_model,
        "candidates": [{**chosen, "size_fraction": 0.3, "accuracy_drop": 0.001, "problem": None}],
        "saved_model": {"id": 5, "uri": "/pipeline/Trainer/model/5"},
    }
    (tmp_path / "lite" / files.CONVERSION_REPORT_FILE).write_text(json.dumps(report))
    blessing, infra_blessing = standard_artifacts.ModelBlessing(), standard_artifacts.InfraBlessing()
    blessing.set_int_custom_property("blessed", 1)
    infra_blessing.set_int_custom_property("blessed", 1)
    sibling = standard_artifacts.PushedModel()
    sibling.set_int_custom_property(properties.PUSHED, 1)
    sibling.set_string_custom_property(properties.PUSHED_VERSION, "1700000000")
    sibling.set_string_custom_property(properties.PUSHED_DESTINATION, "/serving/fashion_mnist/1700000000")
    pushed = standard_artifacts.PushedModel()
    pushed.uri = str(tmp_path / "pushed")
    destination = pusher_pb2.PushDestination(
        filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=str(tmp_path / "serving_lite"))
    )
    pusher_executor.Executor(pusher_executor.Executor.Context(pipeline_run_id="run-7")).Do(
        {
            "model": [model],
            "model_blessing": [blessing],
            "infra_blessing": [infra_blessing],
            "saved_model_push": [sibling],
        },
        {"pushed_model": [pushed]},
        {"push_destination": proto_utils.proto_to_json(destination), keys.PROVENANCE_KEY: "{}"},
    )
    (version,) = publish.served_versions(tmp_path / "serving_lite")
    folder = tmp_path / "serving_lite" / str(version)
    assert sorted(p.name for p in folder.iterdir()) == ["assets.extra", files.PUSHED_TFLITE_FILE]
    assert (folder / files.PUSHED_TFLITE_FILE).read_bytes() == b"flatbuffer"
    card = json.loads((folder / publish.MODEL_CARD_PATH).read_text())
    on_device = card["on_device"]
    assert (on_device["quantization"], on_device["size_bytes"], on_device["float_size_bytes"]) == (
        "full_integer",
        300,
        1000,
    )
    assert (on_device["eval_accuracy"], on_device["saved_model_eval_accuracy"]) == (0.929, 0.93)
    assert on_device["saved_model"] == {
        "id": 5,
        "uri": "/pipeline/Trainer/model/5",
        "pushed": {"version": 1700000000, "path": "/serving/fashion_mnist/1700000000"},
    }
    assert [c["quantization"] for c in on_device["candidates"]] == ["float", "full_integer"]
    assert card["run_id"] == "run-7" and pushed.get_int_custom_property("pushed") == 1
