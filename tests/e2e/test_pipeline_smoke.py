"""The whole pipeline, run as `make run-pipeline` runs it, on a small real subset (the smoke profile).

A session fixture (tests/e2e/conftest.py) runs it twice on one output folder; the tests
then check ML Metadata, the pushed model and the cache.
"""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_transform as tft
from tfx.types import standard_component_specs as specs

from components.contract import features, keys
from components.training import dataset
from pipeline import node_ids
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import Runs, node_states, output_uri, run_details, run_pipeline, versions
from tests.support.pipeline_nodes import NODE_ORDER, RESOLVERS, UPSTREAM_OF_MODEL

pytestmark = pytest.mark.e2e

ALL_NODES = set(NODE_ORDER)


def test_first_run_executes_every_component(runs: Runs):
    states = node_states(runs.config, 0)
    assert set(states) == ALL_NODES
    assert set(states.values()) == {"done"}, states


def test_console_shows_a_line_per_component_and_a_summary(runs: Runs):
    lines = runs.first.stdout.splitlines()
    component_lines = [line for line in lines if line.startswith("[")]
    assert len(component_lines) == len(ALL_NODES)
    assert all(line.split()[-1] == "s" and (" done " in line) for line in component_lines)
    assert any(line.startswith("test accuracy ") for line in lines)
    assert "model BLESSED" in lines
    assert any(line.startswith(f"pushed: {runs.config.model_serving_dir}/") for line in lines)
    assert "val_accuracy" not in runs.first.stdout, "Keras and TFX chatter belongs in the log file"
    epochs = runs.config.training.epochs
    epoch_lines = [line.strip() for line in lines if line.strip().startswith("training epoch ")]
    assert [line.split(":")[0] for line in epoch_lines] == [
        f"training epoch {e}/{epochs}" for e in range(1, epochs + 1)
    ]
    assert all("eval accuracy" in line and line.endswith(" left") for line in epoch_lines)
    assert "\r" not in runs.first.stdout, "plain lines when the console is not a terminal"
    log_files = list(runs.config.logs_dir.glob("run-*.log"))
    assert log_files and any("val_accuracy" in f.read_text() for f in log_files)


def test_one_integer_version_is_pushed_and_loadable(runs: Runs):
    assert len(runs.versions_after_first) == 1 and runs.versions_after_first[0].isdigit()
    model = tf.saved_model.load(str(runs.config.model_serving_dir / runs.versions_after_first[0]))
    serve = model.signatures["serving_default"]
    inputs = serve.structured_input_signature[1]
    assert set(inputs) == {features.SERVING_EXAMPLES_KEY}
    assert inputs[features.SERVING_EXAMPLES_KEY].dtype == tf.string
    assert set(serve.structured_outputs) == {features.PROBABILITIES_KEY, features.CLASS_IDS_KEY}


def _test_split(runs: Runs):
    details = run_details(runs.config, 0)
    files = tf.io.gfile.glob(
        f"{output_uri(details, node_ids.EXAMPLE_GEN, keys.TEST_EXAMPLES_KEY)}/Split-{features.TEST_SPLIT}/*"
    )
    assert files, "the first run's test split has no files"
    return details, details.evaluation, files


def test_serving_predictions_agree_with_the_evaluator(runs: Runs):
    _, evaluation, files = _test_split(runs)
    serve = tf.saved_model.load(str(runs.config.model_serving_dir / runs.versions_after_first[0])).signatures[
        "serving_default"
    ]
    with_label, without_label, labels = [], [], []
    for serialized in tf.data.TFRecordDataset(files).batch(250):
        example_batch = [tf.train.Example.FromString(s) for s in serialized.numpy()]
        labels += [e.features.feature[features.LABEL_KEY].int64_list.value[0] for e in example_batch]
        for e in example_batch:
            del e.features.feature[features.LABEL_KEY]
        with_label.append(serve(examples=serialized)[features.CLASS_IDS_KEY].numpy())
        stripped = tf.constant([e.SerializeToString() for e in example_batch])
        without_label.append(serve(examples=stripped)[features.CLASS_IDS_KEY].numpy())
    predicted = np.concatenate(with_label)
    np.testing.assert_array_equal(predicted, np.concatenate(without_label))
    accuracy = float(np.mean(predicted == np.array(labels)))
    assert len(labels) == 1000
    assert abs(accuracy - evaluation.accuracy) <= 0.002, (accuracy, evaluation.accuracy)


def test_keras_evaluate_agrees_with_tfma(runs: Runs):
    details, evaluation, files = _test_split(runs)
    model = tf.keras.models.load_model(f"{output_uri(details, node_ids.TRAINER, specs.MODEL_KEY)}/Format-Serving")
    tft_output = tft.TFTransformOutput(output_uri(details, node_ids.TRANSFORM, specs.TRANSFORM_GRAPH_KEY))
    data = dataset.make_dataset(files, tft_output, batch_size=256, shuffle=False, seed=0)
    _, keras_accuracy = model.evaluate(data, verbose=0)
    assert abs(keras_accuracy - evaluation.accuracy) <= 0.002, (keras_accuracy, evaluation.accuracy)


def test_rerun_hits_the_cache_and_pushes_nothing_new(runs: Runs):
    states = node_states(runs.config, 1)
    # Everything but the resolvers, which resolve again each run (to the same artifacts, so nothing after them runs).
    assert {node for node, state in states.items() if state == "cached"} == ALL_NODES - RESOLVERS
    assert {states[node] for node in RESOLVERS} == {"done"}
    assert versions(runs.config.model_serving_dir) == runs.versions_after_first
    lines = runs.second.stdout.splitlines()
    assert sum(" cached " in line for line in lines if line.startswith("[")) >= len(UPSTREAM_OF_MODEL)
    assert f"nothing pushed: this model is already served as version {runs.versions_after_first[0]}" in lines


def test_an_unreachable_floor_blesses_nothing_and_says_why(runs: Runs):
    result = run_pipeline(
        f"--output-dir={runs.config.output_dir}",
        f"--serving-dir={runs.config.serving_dir}",
        f"--raw-dir={runs.config.raw_dir}",
        "--accuracy-floor=0.99",
        "--class-accuracy-floor=0.99",
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    verdict = next(line for line in lines if line.startswith("model NOT BLESSED: "))
    assert "overall: sparse_categorical_accuracy" in verdict and "is below the floor 0.9900" in verdict
    assert "class Shirt: sparse_categorical_accuracy" in verdict
    assert "nothing pushed" in lines and lines[-1] == "on-device model not pushed"
    # The on-device model's own gate, on the same floors.
    lite_verdict = next(line for line in lines if line.startswith("on-device model NOT BLESSED: "))
    assert "overall: sparse_categorical_accuracy" in lite_verdict and "is below the floor 0.9900" in lite_verdict
    assert "class Shirt: sparse_categorical_accuracy" in lite_verdict
    assert versions(runs.config.model_serving_dir) == runs.versions_after_first
    states = node_states(runs.config)
    assert states["Trainer"] == "cached" and states["Evaluator"] == "done"


def test_make_predict_classifies_images_with_the_pushed_model(runs: Runs, real_data_dir: Path, tmp_path: Path):
    from data import idx

    images = idx.read_images(real_data_dir / "t10k-images-idx3-ubyte.gz").array[:2]
    pngs = []
    for i, image in enumerate(images):
        pngs.append(tmp_path / f"test{i}.png")
        pngs[-1].write_bytes(tf.io.encode_png(image[..., None]).numpy())
    (tmp_path / "notes.txt").write_text("not an image")
    command = [sys.executable, "-m", "pipeline.predict", "--profile=smoke", f"--serving-dir={runs.config.serving_dir}"]
    result = subprocess.run(
        [*command, *map(str, pngs)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert lines[0] == f"model: {runs.config.model_serving_dir / runs.versions_after_first[0]} (SavedModel)"
    assert [line.split(": ")[0] for line in lines[1:]] == [str(p) for p in pngs]
    class_names = [line.split(": ", 1)[1].rsplit(" (", 1)[0] for line in lines[1:]]
    assert all(name.rsplit(" ", 1)[0] in features.CLASS_NAMES for name in class_names)
    serve = tf.saved_model.load(str(runs.config.model_serving_dir / runs.versions_after_first[0]))
    expected = serve.signatures["predict_images"](images=tf.constant(images))["class_ids"].numpy()
    assert [name.rsplit(" ", 1)[0] for name in class_names] == [features.CLASS_NAMES[i] for i in expected]

    bad = subprocess.run(
        [*command, str(tmp_path / "notes.txt")], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1] == f"error: {tmp_path / 'notes.txt'}: not a PNG image"


def test_a_second_run_from_scratch_on_this_machine_trains_the_same_model(runs: Runs, tmp_path: Path):
    """Reproducible training (README): same commit, same data, same machine -> the same model digest."""
    from components.pusher import publish

    args = [
        f"--output-dir={tmp_path / 'out'}",
        f"--serving-dir={tmp_path / 'serving'}",
        f"--raw-dir={runs.config.raw_dir}",
    ]
    result = run_pipeline(*args)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    cfg = dataclasses.replace(runs.config, serving_dir=tmp_path / "serving")

    def card(serving: Path) -> dict:
        (version,) = versions(serving)
        return json.loads((serving / version / publish.MODEL_CARD_PATH).read_text())

    first, again = card(runs.config.model_serving_dir), card(cfg.model_serving_dir)
    assert again["evaluation"] == first["evaluation"]
    assert again["model_digest"] == first["model_digest"], "the SavedModel differs, byte for byte"
