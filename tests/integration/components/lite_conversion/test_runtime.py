"""The on-device model run as a client runs it: docs/on_device.md's five-line Python example, against a converted
model, answers what OnDeviceModel answers."""

import contextlib
import io
import re

import numpy as np

from components.lite_conversion import runtime
from tests.conftest import REPO_ROOT

_EXAMPLE = re.compile(r"<!-- five-line example:[^>]*-->\n```python\n(.*?)```", re.S)
_MODEL_PATH = re.compile(r'Interpreter\("([^"]+)"\)')


def _example() -> str:
    (code,) = _EXAMPLE.findall((REPO_ROOT / "docs" / "on_device.md").read_text())
    return code


def test_the_documented_example_is_five_lines_and_answers_as_the_runtime_does(brightness_models, tmp_path):
    code = _example()
    assert len(code.strip().splitlines()) == 5  # the import, a blank line and three
    model_file = tmp_path / "model.tflite"
    model_file.write_bytes(brightness_models.flatbuffer)
    code = _MODEL_PATH.sub(f'Interpreter("{model_file}")', code)
    expected = runtime.OnDeviceModel(brightness_models.flatbuffer).predict(brightness_models.images).argmax(axis=1)
    for image, answer in zip(brightness_models.images[::7], expected[::7], strict=True):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(code, {"image": image})
        assert printed.getvalue().strip() == str(answer)
    assert len(set(expected[::7])) > 1


def test_the_example_runs_a_float_model_too(brightness_models, tmp_path):
    from components.lite_conversion import choice, convert

    model_file = tmp_path / "model.tflite"
    model_file.write_bytes(convert.convert(brightness_models.keras_model, choice.FLOAT))
    code = _MODEL_PATH.sub(f'Interpreter("{model_file}")', _example())
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {"image": brightness_models.images[-1]})
    assert printed.getvalue().strip() == str(brightness_models.labels[-1])
    assert np.issubdtype(runtime.OnDeviceModel(model_file.read_bytes()).input_dtype, np.floating)
