"""Classifies images with the newest pushed model: ``make predict IMAGES="shoe.png more.png"`` (``LITE=1``: the
on-device TFLite model).

Takes 28x28 grayscale PNG files (white garment on black, like Fashion-MNIST) or
IDX image files (gzip-compressed or not, every image in them), sends them through
the SavedModel's ``predict_images`` signature (or TFLite's interpreter, with ``--lite``)
and prints the most likely classes and which model answered. The inputs are
read and checked first, without TensorFlow, so a bad one costs no model load; an
image that does not look like the training data (a light background) is warned about.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from components import legacy_keras
from components.contract import features, files
from data import idx
from pipeline.config import DEFAULT_SERVING_DIR, PROFILES, lite_serving_dir
from pipeline.path_checks import printable

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IDX_IMAGES_HEADER = idx.IMAGES_MAGIC.to_bytes(4, "big")
# Fashion-MNIST's garments are light on a black background: the mean of an image's border pixels is
# about 1 in the test set. Above this, the image is probably dark on light and its answer meaningless.
LIGHT_BORDER = 128


class InputError(ValueError):
    """An input file is not a usable image. The message names the file and the problem."""


def missing_part(version: Path) -> str | None:
    """What a version folder lacks to be loaded: the graph or the weights ("no saved_model.pb"); None for nothing."""
    if not any((version / name).is_file() for name in ("saved_model.pb", "saved_model.pbtxt")):
        return "no saved_model.pb"
    variables = version / "variables"
    if not variables.is_dir():
        return "no variables/"
    if not (variables / "variables.index").is_file() or not any(variables.glob("variables.data-*")):
        return "no weights in variables/"
    return None


def missing_lite_part(version: Path) -> str | None:
    """What an on-device model's version folder lacks: its flatbuffer ("no model.tflite"); None for nothing."""
    return None if (version / files.PUSHED_TFLITE_FILE).is_file() else f"no {files.PUSHED_TFLITE_FILE}"


def newest_version(model_dir: Path, missing: Callable[[Path], str | None] = missing_part) -> tuple[Path, list[str]]:
    """The highest integer version folder under ``model_dir`` that holds a whole SavedModel, and a warning for
    each higher one that does not (a copy made by hand and cut short, say).

    Raises:
      InputError: no version, or none complete (naming the newest and what it lacks).
    """
    versions = [p for p in model_dir.iterdir() if p.is_dir() and p.name.isdigit()] if model_dir.is_dir() else []
    if not versions:
        raise InputError(f"{model_dir}: no pushed model version (run `make run-pipeline` first)")
    skipped: list[tuple[Path, str]] = []
    for version in sorted(versions, key=lambda p: int(p.name), reverse=True):
        lacks = missing(version)
        if lacks is None:
            warnings = [
                f"{p}: incomplete model version ({why}); using version {version.name}, the newest complete one"
                for p, why in skipped
            ]
            return version, warnings
        skipped.append((version, lacks))
    newest, why = skipped[0]
    raise InputError(f"{newest}: incomplete model version ({why}), and no complete version below it")


def load_png(path: Path, data: bytes) -> np.ndarray:
    """A 28x28 PNG as uint8 [28, 28] (colour images are converted to grayscale)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            pixels = np.asarray(image.convert("L"), dtype=np.uint8)
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError):
        raise InputError(f"{path}: corrupt PNG image") from None
    if pixels.shape != (features.IMAGE_HEIGHT, features.IMAGE_WIDTH):
        height, width = pixels.shape
        raise InputError(f"{path}: image is {width}x{height}, expected 28x28")
    return pixels


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: {e.strerror.lower()}") from None


def load_inputs(paths: Sequence[Path]) -> tuple[list[str], np.ndarray]:
    """Names and uint8 [N, 28, 28] images from PNG and IDX files, told apart by their content."""
    names, images = [], []
    for path in paths:
        data = _read(path)
        if data.startswith(_PNG_SIGNATURE):
            names.append(str(path))
            images.append(load_png(path, data)[None])
        elif idx.is_gzip(data) or data.startswith(_IDX_IMAGES_HEADER) or path.name.endswith(".gz"):
            try:
                array = idx.read_images(path, require_gzip=False).array
            except idx.IdxError as e:
                raise InputError(str(e)) from None
            names += [f"{path}[{i}]" for i in range(len(array))]
            images.append(array)
        else:
            raise InputError(f"{path}: not a PNG image")
    if not names:
        raise InputError("no images given")
    return names, np.concatenate(images)


def light_background(image: np.ndarray) -> float | None:
    """The mean of the image's border pixels when it is light (not like Fashion-MNIST), else None."""
    border = np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]]).astype(np.float64)
    mean = float(border.mean())
    return mean if mean >= LIGHT_BORDER else None


def classify(model_path: Path, images: np.ndarray) -> np.ndarray:
    """Class probabilities [N, 10] from the model's ``predict_images`` signature.

    Raises:
      InputError: the model does not load (a damaged graph or weights file), naming the folder.
    """
    import tensorflow as tf

    try:
        signatures = tf.saved_model.load(str(model_path)).signatures
    except (OSError, IndexError, RuntimeError, ValueError, tf.errors.OpError) as e:  # a damaged graph or weights
        why = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"{model_path}: cannot load the model: {why}") from None
    if features.IMAGES_SIGNATURE not in signatures:
        raise InputError(f"{model_path}: the model has no {features.IMAGES_SIGNATURE} signature")
    signature = signatures[features.IMAGES_SIGNATURE]
    return signature(**{features.IMAGES_INPUT_KEY: tf.constant(images, tf.uint8)})[features.PROBABILITIES_KEY].numpy()


def classify_lite(version: Path, images: np.ndarray) -> tuple[np.ndarray, str]:
    """Class probabilities [N, 10] from the on-device model in ``version``, run by TFLite's interpreter, and its
    quantization (from its model card; "unknown" without one).

    Raises:
      InputError: the flatbuffer does not load, naming the file.
    """
    import json

    from components.lite_conversion import runtime
    from components.pusher import publish

    path = version / files.PUSHED_TFLITE_FILE
    try:
        model = runtime.OnDeviceModel(path.read_bytes())
    except (OSError, ValueError, RuntimeError) as e:
        why = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"{path}: cannot load the TFLite model: {why}") from None
    try:
        card = json.loads((version / publish.MODEL_CARD_PATH).read_text())
        quantization = card["on_device"]["quantization"]
    except (OSError, ValueError, KeyError, TypeError):
        quantization = "unknown"
    return model.predict(images), quantization


def describe(name: str, probabilities: np.ndarray, top: int) -> str:
    order = np.argsort(-probabilities)[:top]
    best, rest = order[0], order[1:]
    others = ", ".join(f"{features.CLASS_NAMES[i]} {probabilities[i]:.3f}" for i in rest)
    return f"{name}: {features.CLASS_NAMES[best]} {probabilities[best]:.3f}" + (f" ({others})" if others else "")


def main(argv: Sequence[str] | None = None) -> int:
    legacy_keras.use_legacy_keras()
    # This command's output is its answer, not TensorFlow's notices nor Google's Python 3.10 end-of-support ones.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    warnings.filterwarnings("ignore", message="You are using a non-supported Python version", category=FutureWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("images", nargs="+", type=Path, help="PNG files or IDX image files")
    parser.add_argument("--serving-dir", type=Path, default=DEFAULT_SERVING_DIR)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full", help="whose model to use")
    parser.add_argument("--top", type=int, default=3, help="how many classes to show per image")
    parser.add_argument("--lite", action="store_true", help="answer with the on-device (TFLite) model")
    args = parser.parse_args(argv)
    model_name = PROFILES[args.profile].model_name
    try:
        names, images = load_inputs(args.images)
        if args.lite:
            model_path, skipped = newest_version(lite_serving_dir(args.serving_dir, model_name), missing_lite_part)
        else:
            model_path, skipped = newest_version(args.serving_dir / model_name)
    except InputError as e:
        print(printable(f"error: {e}"), file=sys.stderr)
        return 1
    for warning in skipped:
        print(printable(f"warning: {warning}"), file=sys.stderr)
    for name, image in zip(names, images, strict=True):
        light = light_background(image)
        if light is not None:
            print(
                printable(
                    f"warning: {name}: light background (border mean {light:.0f} of 255); Fashion-MNIST garments "
                    "are light on black, so this answer may mean nothing (invert the image?)"
                ),
                file=sys.stderr,
            )
    try:
        if args.lite:
            probabilities, quantization = classify_lite(model_path, images)
            answered = f"model: {model_path / files.PUSHED_TFLITE_FILE} (TFLite, {quantization})"
        else:
            probabilities = classify(model_path, images)
            answered = f"model: {model_path} (SavedModel)"
    except InputError as e:
        print(printable(f"error: {e}"), file=sys.stderr)
        return 1
    print(printable(answered))
    for name, row in zip(names, probabilities, strict=True):
        print(printable(describe(name, row, args.top)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
