"""The on-device (TFLite) model of a real run (the smoke profile's two runs, tests/e2e/conftest.py): pushed beside
the SavedModel, scored by an independent interpreter as TFMA scored it, cached on a rerun, used by make predict."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from components.contract import features, files, keys
from components.ingestion import examples
from components.records import evaluation_results
from pipeline import node_ids
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import Runs, output_uri, run_details, versions

pytestmark = pytest.mark.e2e


def _pushed(runs: Runs) -> Path:
    (version,) = versions(runs.config.lite_serving_dir)
    return runs.config.lite_serving_dir / version


def test_both_models_are_pushed_and_the_card_names_the_sibling(runs: Runs):
    folder = _pushed(runs)
    assert sorted(p.name for p in folder.iterdir()) == ["assets.extra", files.PUSHED_TFLITE_FILE]
    card = json.loads((folder / "assets.extra" / "model_card.json").read_text())["on_device"]
    assert card["quantization"] == "full_integer"
    assert card["size_bytes"] == (folder / files.PUSHED_TFLITE_FILE).stat().st_size
    assert card["size_bytes"] <= card["float_size_bytes"] / 3
    assert card["saved_model"]["pushed"]["version"] == int(runs.versions_after_first[0])
    assert abs(card["eval_accuracy"] - card["saved_model_eval_accuracy"]) <= 0.005
    lines = runs.first.stdout.splitlines()
    assert f"pushed on-device model: {folder / files.PUSHED_TFLITE_FILE}" in lines
    assert any(line.startswith("on-device model: full_integer TFLite, ") for line in lines)


def _classes(model_file: Path, images: np.ndarray, **options) -> np.ndarray:
    """TFLite's interpreter on uint8 images, nothing of the project's code: the class of each."""
    interpreter = tf.lite.Interpreter(model_path=str(model_file), **options)
    given, answer = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    interpreter.resize_tensor_input(given["index"], images.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(given["index"], images.astype(given["dtype"]))
    interpreter.invoke()
    return interpreter.get_tensor(answer["index"]).argmax(axis=1)


def test_an_independent_interpreter_on_the_idx_files_agrees_with_tfma(runs: Runs, real_data_dir: Path):
    from data import idx

    labels = idx.read_labels(real_data_dir / "t10k-labels-idx1-ubyte.gz").array
    rows = examples.plan_test(labels, seed=runs.config.training.seed, test_limit=runs.config.test_limit)
    images = idx.read_images(real_data_dir / "t10k-images-idx3-ubyte.gz").array[rows]
    model_file = _pushed(runs) / files.PUSHED_TFLITE_FILE
    # TFMA's extractor runs TFLite's builtin kernels without the default delegate; so does this scorer.
    builtin = tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    accuracy = float(np.mean(_classes(model_file, images, experimental_op_resolver_type=builtin) == labels[rows]))
    details = run_details(runs.config, 0)
    tfma = evaluation_results.read_evaluation(output_uri(details, node_ids.LITE_EVALUATOR, keys.EVALUATION_KEY))
    assert tfma.example_count == len(rows) == 1000
    assert abs(accuracy - tfma.accuracy) <= 0.001, (accuracy, tfma.accuracy)
    # XNNPACK, the default CPU delegate a phone and `make predict` use, rounds its int8 arithmetic otherwise.
    xnnpack = float(np.mean(_classes(model_file, images) == labels[rows]))
    assert abs(xnnpack - tfma.accuracy) <= 0.005, (xnnpack, tfma.accuracy)


def test_a_rerun_converts_nothing_and_pushes_nothing_new(runs: Runs):
    assert versions(runs.config.lite_serving_dir) == [_pushed(runs).name]
    lines = runs.second.stdout.splitlines()
    assert f"on-device model already served as version {_pushed(runs).name}" in lines


def test_make_predict_answers_with_the_on_device_model_and_says_so(runs: Runs, real_data_dir: Path, tmp_path: Path):
    from data import idx

    images = idx.read_images(real_data_dir / "t10k-images-idx3-ubyte.gz").array[:3]
    pngs = []
    for i, image in enumerate(images):
        pngs.append(tmp_path / f"test{i}.png")
        pngs[-1].write_bytes(tf.io.encode_png(image[..., None]).numpy())
    command = [sys.executable, "-m", "pipeline.predict", "--profile=smoke", f"--serving-dir={runs.config.serving_dir}"]
    done = subprocess.run(
        [*command, "--lite", *map(str, pngs)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    first, *answers = done.stdout.splitlines()
    assert first == f"model: {_pushed(runs) / files.PUSHED_TFLITE_FILE} (TFLite, full_integer)"
    expected = _classes(_pushed(runs) / files.PUSHED_TFLITE_FILE, images)
    said = [a.split(": ", 1)[1].rsplit(" (", 1)[0].rsplit(" ", 1)[0] for a in answers]
    assert said == [features.CLASS_NAMES[i] for i in expected]
