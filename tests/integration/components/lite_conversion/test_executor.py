"""LiteConverter's executor on a real SavedModel and Examples: the flatbuffer where TFMA's tf_lite type loads it,
the conversion's report, and the properties the model card and inspection read."""

import json
from pathlib import Path

import numpy as np
from tfx.types import artifact_utils, standard_artifacts

from components.contract import files, keys, properties
from components.lite_conversion import choice, executor, runtime
from tests.support.brightness_model import brightness_images, export_brightness_model
from tests.support.example_records import write_examples


def _examples(root: Path, images: np.ndarray, labels: np.ndarray) -> standard_artifacts.Examples:
    artifact = standard_artifacts.Examples()
    artifact.uri = str(root)
    artifact.split_names = artifact_utils.encode_split_names(["train", "eval"])
    for split in ("train", "eval"):
        (root / f"Split-{split}").mkdir(parents=True)
        write_examples(root / f"Split-{split}" / "data_tfrecord-00000-of-00001", images, labels)
    return artifact


def _run(tmp_path: Path, transform_output, *, shift: int = 0) -> standard_artifacts.Model:
    model = standard_artifacts.Model()
    model.uri = str(tmp_path / "model")
    model.id = 7
    export_brightness_model(transform_output, tmp_path / "model" / "Format-Serving", shift=shift)
    images, labels = brightness_images()
    lite = standard_artifacts.Model()
    lite.uri = str(tmp_path / "lite")
    executor.Executor().Do(
        {keys.MODEL_KEY: [model], keys.EXAMPLES_KEY: [_examples(tmp_path / "examples", images, labels)]},
        {keys.LITE_MODEL_KEY: [lite]},
        {keys.REPRESENTATIVE_SIZE_KEY: 16, keys.SEED_KEY: 0},
    )
    return lite


def test_the_chosen_model_is_where_tfma_loads_it_and_the_report_names_every_candidate(tmp_path, transform_output):
    lite = _run(tmp_path, transform_output)
    flatbuffer = (tmp_path / "lite" / "Format-Serving" / files.TFLITE_FILE).read_bytes()
    images, labels = brightness_images()
    assert (runtime.OnDeviceModel(flatbuffer).predict(images).argmax(axis=1) == labels).all()
    report = json.loads((tmp_path / "lite" / files.CONVERSION_REPORT_FILE).read_text())
    assert report["chosen"] == choice.FULL_INTEGER and report["reference_accuracy"] == 1.0
    assert [c["quantization"] for c in report["candidates"]] == [choice.DYNAMIC_RANGE, choice.FULL_INTEGER]
    assert report["float"]["quantization"] == choice.FLOAT
    assert report["eval_examples"] == len(labels) and report["representative_examples"] == 16
    assert report["saved_model"] == {"id": 7, "uri": str(tmp_path / "model")}
    assert lite.get_string_custom_property(properties.QUANTIZATION) == choice.FULL_INTEGER
    assert lite.get_int_custom_property(properties.SIZE_BYTES) == len(flatbuffer)
    assert lite.get_int_custom_property(properties.SAVED_MODEL_ID) == 7


def test_representative_sample_is_seeded_and_never_larger_than_asked():
    images = np.arange(100 * 28 * 28, dtype=np.int64).reshape(100, 28, 28) % 256
    first = executor.representative_sample(images, 10, seed=3)
    assert len(first) == 10 and np.array_equal(first, executor.representative_sample(images, 10, seed=3))
    assert len(executor.representative_sample(images, 500, seed=3)) == 100


def test_when_no_quantized_model_clears_the_bar_the_closest_is_written_with_the_shortfall(
    tmp_path, transform_output, monkeypatch
):
    monkeypatch.setattr(choice, "choose", lambda verdicts: None)
    monkeypatch.setattr(
        choice,
        "judge",
        lambda candidate, **bar: choice.Verdict(candidate, 0.3, 0.0, f"{candidate.quantization} falls short"),
    )
    lite = _run(tmp_path, transform_output)
    problem = lite.get_string_custom_property(properties.CONVERSION_PROBLEM)
    assert problem == (
        "no quantized TFLite model clears the bar: dynamic_range: dynamic_range falls short; "
        "full_integer: full_integer falls short"
    )
    report = json.loads((tmp_path / "lite" / files.CONVERSION_REPORT_FILE).read_text())
    assert report["problem"] == problem and (tmp_path / "lite" / "Format-Serving" / files.TFLITE_FILE).is_file()
