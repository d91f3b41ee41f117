"""The on-device model run with TFLite's interpreter, as a phone or a Python client runs it.

``OnDeviceModel`` takes uint8 images [N, 28, 28] whatever the model's input type (float pixels for the float
and dynamic-range models, uint8 for the fully quantized one) and returns float32 probabilities [N, 10]. The
interpreter uses its default CPU delegate (XNNPACK). Used by the converter's scoring, the serving canary,
``make predict --lite`` and the bench.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from components.contract import features

# Images per interpreter call when scoring many.
BATCH = 256


class OnDeviceModel:
    """A TFLite model of this project's contract: pixels [N, 28, 28] in, probabilities [N, 10] out."""

    def __init__(self, flatbuffer: bytes, *, num_threads: int | None = None) -> None:
        self._interpreter = tf.lite.Interpreter(model_content=flatbuffer, num_threads=num_threads)
        inputs, outputs = self._interpreter.get_input_details(), self._interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ValueError(f"expected one input and one output, found {len(inputs)} and {len(outputs)}")
        self._input, self._output = inputs[0], outputs[0]
        shape = tuple(self._input["shape_signature"][1:])
        if shape != (features.IMAGE_HEIGHT, features.IMAGE_WIDTH):
            raise ValueError(f"expected an input of [N, 28, 28] pixels, found [N, {', '.join(map(str, shape))}]")
        self._batch = None

    @property
    def input_dtype(self) -> np.dtype:
        return np.dtype(self._input["dtype"])

    def predict(self, images: np.ndarray) -> np.ndarray:
        """uint8 [N, 28, 28] -> float32 probabilities [N, 10], in batches of BATCH."""
        images = np.asarray(images)
        if images.ndim != 3 or images.shape[1:] != (features.IMAGE_HEIGHT, features.IMAGE_WIDTH):
            raise ValueError(f"expected images of shape [N, 28, 28], got {list(images.shape)}")
        chunks = [self._invoke(images[start : start + BATCH]) for start in range(0, len(images), BATCH)]
        return np.concatenate(chunks) if chunks else np.zeros((0, features.NUM_CLASSES), np.float32)

    def _invoke(self, images: np.ndarray) -> np.ndarray:
        if self._batch != len(images):
            self._interpreter.resize_tensor_input(self._input["index"], [len(images), *images.shape[1:]])
            self._interpreter.allocate_tensors()
            self._batch = len(images)
        self._interpreter.set_tensor(self._input["index"], _quantized(images, self._input))
        self._interpreter.invoke()
        return _dequantized(self._interpreter.get_tensor(self._output["index"]), self._output)


def _quantized(images: np.ndarray, detail: dict) -> np.ndarray:
    scale, zero_point = detail["quantization"]
    values = images.astype(np.float32)
    if scale:
        values = np.round(values / scale + zero_point)
    return values.astype(detail["dtype"])


def _dequantized(values: np.ndarray, detail: dict) -> np.ndarray:
    scale, zero_point = detail["quantization"]
    if scale:
        return ((values.astype(np.float32) - zero_point) * scale).astype(np.float32)
    return values.astype(np.float32)
