"""`make predict` on a real exported model, beside an incomplete or damaged newer version (issue 25, defect 3)."""

import io
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from components.contract import features
from pipeline import predict


def _serving(tmp_path: Path, exported_model) -> Path:
    """A serving folder holding the exported model as version 1 of the full profile's model."""
    models = tmp_path / "serving" / "fashion_mnist"
    shutil.copytree(exported_model.path, models / "1")
    return models


def _image(tmp_path: Path, exported_model) -> Path:
    path = tmp_path / "shoe.png"
    path.write_bytes(tf.io.encode_png(exported_model.images[0][..., None]).numpy())
    return path


@pytest.mark.parametrize(("damage", "lacks"), [("saved_model.pb", "no saved_model.pb"), ("variables", "no variables/")])
def test_an_incomplete_newest_version_is_passed_over_in_one_line(
    tmp_path: Path, exported_model, capsys, damage: str, lacks: str
):
    models = _serving(tmp_path, exported_model)
    shutil.copytree(exported_model.path, models / "2")
    target = models / "2" / damage
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    image = _image(tmp_path, exported_model)
    assert predict.main([str(image), f"--serving-dir={tmp_path / 'serving'}"]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"warning: {models / '2'}: incomplete model version ({lacks}); using version 1, the newest complete one\n"
    )
    model_line, answer = captured.out.splitlines()
    assert model_line == f"model: {models / '1'} (SavedModel)"
    keras_probabilities = exported_model.keras_model.predict(exported_model.images[:1, ..., None] / 255.0, verbose=0)
    assert answer.startswith(f"{image}: {features.CLASS_NAMES[int(np.argmax(keras_probabilities[0]))]} ")


def test_a_damaged_newest_version_is_one_line(tmp_path: Path, exported_model, capsys):
    models = _serving(tmp_path, exported_model)
    shutil.copytree(exported_model.path, models / "2")
    (models / "2" / "saved_model.pb").write_bytes(b"not a SavedModel")
    assert predict.main([str(_image(tmp_path, exported_model)), f"--serving-dir={tmp_path / 'serving'}"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {models / '2'}: cannot load the model: ")
    assert len(captured.err.splitlines()) == 1
    assert sorted(p.name for p in models.iterdir()) == ["1", "2"], "nothing removed"


def test_an_image_whose_name_is_not_utf8_is_named_escaped(tmp_path: Path, exported_model, monkeypatch):
    """Under a UTF-8 locale Python's stdout refuses the surrogate that stands for the byte 0xff (issue 25)."""
    _serving(tmp_path, exported_model)
    image = Path(os.fsdecode(bytes(tmp_path) + b"/shoe-\xff.png"))
    image.write_bytes(_image(tmp_path, exported_model).read_bytes())
    out = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True))
    assert predict.main([str(image), f"--serving-dir={tmp_path / 'serving'}"]) == 0
    assert out.getvalue().decode().splitlines()[1].startswith(f"{tmp_path}/shoe-\\xff.png: ")


def _lite_serving(tmp_path: Path, flatbuffer: bytes, version: str = "1") -> Path:
    """A serving folder holding ``flatbuffer`` as an on-device version of the full profile's model."""
    lite = tmp_path / "serving" / "fashion_mnist_lite" / version
    lite.mkdir(parents=True)
    (lite / "model.tflite").write_bytes(flatbuffer)
    (lite / "assets.extra").mkdir()
    (lite / "assets.extra" / "model_card.json").write_text('{"on_device": {"quantization": "full_integer"}}')
    return lite


def test_lite_answers_with_the_on_device_model_and_says_which(tmp_path: Path, brightness_models, capsys):
    lite = _lite_serving(tmp_path, brightness_models.flatbuffer)
    images = brightness_models.images[[0, 20, 39]]  # classes 0, 5, 9
    pngs = []
    for i, image in enumerate(images):
        pngs.append(tmp_path / f"image{i}.png")
        pngs[-1].write_bytes(tf.io.encode_png(image[..., None]).numpy())
    assert predict.main([*map(str, pngs), "--lite", f"--serving-dir={tmp_path / 'serving'}", "--top=1"]) == 0
    model_line, *answers = capsys.readouterr().out.splitlines()
    assert model_line == f"model: {lite / 'model.tflite'} (TFLite, full_integer)"
    said = [a.split(": ", 1)[1].rsplit(" ", 1)[0] for a in answers]
    assert said == [features.CLASS_NAMES[c] for c in (0, 5, 9)]


def test_lite_passes_over_a_version_without_its_flatbuffer_and_names_a_damaged_one(
    tmp_path: Path, brightness_models, capsys
):
    _lite_serving(tmp_path, brightness_models.flatbuffer, "1")
    (tmp_path / "serving" / "fashion_mnist_lite" / "2").mkdir()
    image = tmp_path / "image.png"
    image.write_bytes(tf.io.encode_png(brightness_models.images[0][..., None]).numpy())
    args = [str(image), "--lite", f"--serving-dir={tmp_path / 'serving'}"]
    assert predict.main(args) == 0
    lite = tmp_path / "serving" / "fashion_mnist_lite"
    assert capsys.readouterr().err == (
        f"warning: {lite / '2'}: incomplete model version (no model.tflite); using version 1, the newest complete one\n"
    )
    _lite_serving(tmp_path, b"not a flatbuffer", "3")
    assert predict.main(args) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1
    assert captured.err.startswith(f"error: {lite / '3' / 'model.tflite'}: cannot load the TFLite model: ")
