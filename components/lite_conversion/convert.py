"""The on-device model: the served Keras model as a TFLite flatbuffer, builtin ops only. Plain functions, no TFX.

The TFLite model takes pixels, not tf.Example: the Transform graph starts with ``DecodeRaw`` on the record's image
bytes, and neither that nor ``ParseExample`` is a TFLite builtin. So the on-device model begins after the decode:
pixels 0..255 [N, 28, 28] -> ``preprocessing.scale_pixels`` (the same function the Transform applies to the
decoded bytes) -> the served network, flip averaging included when it has it -> ``probabilities`` [N, 10].
The serving canary holds the two models' answers together on the whole test split.

``tf.lite.TFLiteConverter`` converts a concrete function of the Keras model rather than TFX's TFLite rewriter
converting the SavedModel: the rewriter converts a whole serving signature, and both of the SavedModel's take
strings (``ParseExample``, ``DecodeRaw``), which only the Flex delegate runs (docs/on_device.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import numpy as np
import tensorflow as tf

from components.contract import features
from components.lite_conversion.choice import FLOAT, FULL_INTEGER, QUANTIZATIONS
from components.training import preprocessing

# What the converter says about an op TFLite has no builtin kernel for.
_UNSUPPORTED_OP = re.compile(r"'tf\.(\w+)' op is neither a custom op nor a flex op")
_SELECT_OPS = re.compile(r"TF Select ops: ([\w, ]+)")


class ConversionError(RuntimeError):
    """The model cannot become a builtin-ops TFLite model, or no quantized model meets the bar; one line."""


def pixels_signature() -> tf.TensorSpec:
    """The on-device model's input: float32 pixels 0..255, [N, 28, 28] (uint8 once fully quantized)."""
    return tf.TensorSpec(
        [None, features.IMAGE_HEIGHT, features.IMAGE_WIDTH], tf.float32, name=features.IMAGES_INPUT_KEY
    )


class OnDeviceModule(tf.Module):
    """Pixels 0..255 -> ``probabilities``: the Transform's scaling, then ``served`` (transformed image in,
    probabilities out; the SavedModel's Keras model, with its flip averaging if it has one).

    What the converter saves and converts holds the network's variables and this one function, not the Keras
    model: handed the Keras model, the converter saves it whole, tracing every layer again for each conversion.
    The function is traced without autograph, which the network's layers do not need (a layer that branched on a
    tensor in Python would fail the trace, loudly); with it, tracing the net took seconds. The flatbuffers are the
    same bytes either way (measured on the smoke model: 22 s for the three conversions before, 4 s after).
    """

    def __init__(self, served: tf.keras.Model) -> None:
        super().__init__()
        self.network_variables = list(served.variables)

        def classify(pixels: tf.Tensor) -> dict[str, tf.Tensor]:
            return {features.PROBABILITIES_KEY: served(preprocessing.scale_pixels(pixels), training=False)}

        self.classify = tf.function(classify, input_signature=[pixels_signature()], autograph=False)


def unsupported_ops(message: str) -> list[str]:
    """The TensorFlow ops a converter error names as having no TFLite builtin kernel, sorted; [] if none."""
    names = set(_UNSUPPORTED_OP.findall(message))
    for listed in _SELECT_OPS.findall(message):
        names.update(n.strip() for n in listed.split(",") if n.strip())
    return sorted(names)


def convert(served: tf.keras.Model, quantization: str, representative: np.ndarray | None = None) -> bytes:
    """``served`` as a TFLite flatbuffer with builtin ops only.

    Args:
      served: the Keras model inside the SavedModel.
      quantization: one of QUANTIZATIONS.
      representative: uint8 images [N, 28, 28] of the training split, which calibrate the activations' ranges
        (FULL_INTEGER only).

    Raises:
      ConversionError: the model needs ops TFLite has no builtin kernel for (naming them), or the converter
        failed otherwise, or the fully quantized input does not take pixels as they are.
    """
    if quantization not in QUANTIZATIONS:
        raise ValueError(f"quantization must be one of {', '.join(QUANTIZATIONS)}, got {quantization!r}")
    module = OnDeviceModule(served)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([module.classify.get_concrete_function()], module)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantization != FLOAT:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantization == FULL_INTEGER:
        if representative is None or not len(representative):
            raise ValueError("full-integer quantization needs representative images")
        converter.representative_dataset = _calibration(representative)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.uint8
        converter.inference_output_type = tf.float32
    try:
        flatbuffer = converter.convert()
    except Exception as e:  # noqa: BLE001 - the converter raises ConverterError, and others from its MLIR passes
        ops = unsupported_ops(str(e))
        if ops:
            raise ConversionError(
                f"{quantization} TFLite model: ops with no TFLite builtin kernel: {', '.join(ops)}"
            ) from None
        first = next((line.strip() for line in str(e).splitlines() if line.strip()), type(e).__name__)
        raise ConversionError(f"{quantization} TFLite model: the converter failed: {first[:300]}") from None
    if quantization == FULL_INTEGER:
        _check_pixel_input(flatbuffer)
    return flatbuffer


def _calibration(images: np.ndarray) -> Callable[[], Iterator[dict[str, np.ndarray]]]:
    def batches() -> Iterator[dict[str, np.ndarray]]:
        for image in images:
            yield {features.IMAGES_INPUT_KEY: image[np.newaxis].astype(np.float32)}

    return batches


def _check_pixel_input(flatbuffer: bytes) -> None:
    """A fully quantized model takes uint8 pixels as they are: scale 1, zero point 0 (the calibration saw both
    0 and 255). Anything else would make every client quantize its pixels first."""
    detail = tf.lite.Interpreter(model_content=flatbuffer).get_input_details()[0]
    scale, zero_point = detail["quantization"]
    if detail["dtype"] != np.uint8 or not np.isclose(scale, 1.0) or zero_point != 0:
        raise ConversionError(
            f"full_integer TFLite model: its input is {np.dtype(detail['dtype']).name} with scale {scale} and zero "
            f"point {zero_point}, not uint8 pixels as they are (do the representative images span 0..255?)"
        )
