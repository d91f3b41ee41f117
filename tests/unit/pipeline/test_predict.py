"""`make predict`: inputs it accepts and the errors it gives."""

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from components.contract import features
from pipeline import predict
from tests.support.idx_fixtures import write_idx


def _png(path: Path, height: int = 28, width: int = 28, channels: int = 1) -> Path:
    image = np.random.default_rng(0).integers(0, 256, (height, width, channels), dtype=np.uint8)
    path.write_bytes(tf.io.encode_png(image).numpy())
    return path


def test_png_and_idx_inputs(tmp_path: Path):
    png = _png(tmp_path / "shoe.png")
    rgb = _png(tmp_path / "rgb.png", channels=3)
    images = np.random.default_rng(1).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    idx_file = write_idx(tmp_path / "few-images-idx3-ubyte.gz", images)
    names, loaded = predict.load_inputs([png, rgb, idx_file])
    assert names == [str(png), str(rgb)] + [f"{idx_file}[{i}]" for i in range(3)]
    assert loaded.shape == (5, 28, 28) and loaded.dtype == np.uint8
    np.testing.assert_array_equal(loaded[2:], images)


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p.write_text("hello"), "not a PNG image"),
        (lambda p: _png(p, 32, 32), "image is 32x32, expected 28x28"),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage"), "corrupt PNG image"),
        (lambda p: None, "no such file or directory"),
    ],
)
def test_bad_inputs_are_one_line_errors(tmp_path: Path, make, problem: str):
    path = tmp_path / "input.png"
    make(path)
    with pytest.raises(predict.InputError) as raised:
        predict.load_inputs([path])
    assert str(raised.value) == f"{path}: {problem}"


def _version(folder: Path, *, graph: bool = True, variables: bool = True) -> Path:
    """A version folder with the files of a SavedModel (empty: only their presence is looked at)."""
    (folder / "variables").mkdir(parents=True)
    if graph:
        (folder / "saved_model.pb").touch()
    if variables:
        for name in ("variables.index", "variables.data-00000-of-00001"):
            (folder / "variables" / name).touch()
    return folder


def test_newest_version_is_chosen(tmp_path: Path):
    for name in ("9", "10"):
        _version(tmp_path / name)
    for name in (".incoming-11-1", "notes"):
        (tmp_path / name).mkdir()
    assert predict.newest_version(tmp_path) == (tmp_path / "10", [])
    with pytest.raises(predict.InputError, match="no pushed model version"):
        predict.newest_version(tmp_path / "missing")


def test_an_incomplete_newest_version_is_passed_over_saying_so(tmp_path: Path):
    _version(tmp_path / "2")
    _version(tmp_path / "3", graph=False)
    _version(tmp_path / "4", variables=False)
    assert predict.newest_version(tmp_path) == (
        tmp_path / "2",
        [
            f"{tmp_path / '4'}: incomplete model version (no weights in variables/); using version 2, "
            "the newest complete one",
            f"{tmp_path / '3'}: incomplete model version (no saved_model.pb); using version 2, the newest complete one",
        ],
    )


def test_no_complete_version_is_one_line_before_tensorflow_loads_a_model(tmp_path: Path, capsys):
    """Before issue 25, `make predict` printed a 22-line traceback from tf.saved_model.load."""
    models = tmp_path / "serving" / "fashion_mnist"
    _version(models / "1", graph=False)
    (models / "2").mkdir()
    image = _png(tmp_path / "shoe.png")
    assert predict.main([str(image), f"--serving-dir={tmp_path / 'serving'}"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"error: {models / '2'}: incomplete model version (no saved_model.pb), and no complete version below it\n"
    )


def test_description_names_classes_with_probabilities():
    probabilities = np.zeros(features.NUM_CLASSES)
    probabilities[[9, 7, 5]] = [0.9, 0.07, 0.03]
    assert predict.describe("a.png", probabilities, top=2) == "a.png: Ankle boot 0.900 (Sneaker 0.070)"


def test_an_uncompressed_idx_file_is_accepted(tmp_path: Path):
    images = np.random.default_rng(2).integers(0, 256, (2, 28, 28), dtype=np.uint8)
    raw = write_idx(tmp_path / "t10k-images-idx3-ubyte", images, compress=False)
    names, loaded = predict.load_inputs([raw])
    assert names == [f"{raw}[0]", f"{raw}[1]"]
    np.testing.assert_array_equal(loaded, images)


def test_a_light_background_is_noticed_and_a_dark_one_is_not():
    white = np.full((28, 28), 255, np.uint8)
    garment = np.zeros((28, 28), np.uint8)
    garment[4:24, 6:22] = 200
    assert predict.light_background(white) == 255
    assert predict.light_background(255 - garment) is not None
    assert predict.light_background(garment) is None


def test_inputs_are_checked_before_the_model_is_looked_for_or_tensorflow_loads(tmp_path: Path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    assert predict.main([str(bad), "--serving-dir", str(tmp_path / "no-models")]) == 1
    assert capsys.readouterr().err == f"error: {bad}: not a PNG image\n"


def test_reading_inputs_needs_no_tensorflow(tmp_path: Path):
    import subprocess
    import sys

    png = _png(tmp_path / "shoe.png")
    code = (
        "import sys\nfrom pathlib import Path\nfrom pipeline import predict\n"
        f"predict.load_inputs([Path({str(png)!r})])\nprint('tensorflow' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
