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
