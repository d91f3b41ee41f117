"""The on-device Evaluator's extractors: TFMA's own for a ``tf_lite`` model, fed the pixels the model takes.

TFMA's TFLite predict extractor looks each model input up by name among the example's features. The on-device
model's input is ``images``, pixels [N, 28, 28] (components/lite_conversion/convert.py), while a record carries
the image as 784 raw bytes; so before that extractor runs, ``with_pixels`` decodes the bytes into an ``images``
feature (float32 pixels 0..255; TFMA quantizes them for a fully quantized model by its input's scale and zero
point). The Evaluator finds ``custom_extractors`` here (its ``module_path``).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from components.contract import features


def image_bytes(value: Any) -> bytes:
    """One example's ``image`` feature as TFMA's features extractor gives it ([1] array, list or bytes)."""
    if isinstance(value, bytes):
        return value
    flat = np.asarray(value, dtype=object).reshape(-1)
    if flat.size != 1 or not isinstance(flat[0], bytes):
        raise ValueError(f"an '{features.IMAGE_KEY}' feature is not one bytes value: {type(value).__name__}")
    return flat[0]


def pixels(batch: Any) -> np.ndarray:
    """A batch of ``image`` features -> float32 pixels [B, 28, 28]."""
    decoded = [np.frombuffer(image_bytes(value), np.uint8) for value in batch]
    for flat in decoded:
        if flat.size != features.IMAGE_PIXELS:
            raise ValueError(f"an '{features.IMAGE_KEY}' value is {flat.size} bytes, not {features.IMAGE_PIXELS}")
    return np.stack(decoded).reshape(-1, features.IMAGE_HEIGHT, features.IMAGE_WIDTH).astype(np.float32)


def with_pixels(extracts: dict[str, Any]) -> dict[str, Any]:
    """``extracts`` (a batch) with an ``images`` feature decoded from its ``image`` bytes."""
    import tensorflow_model_analysis as tfma

    result = copy.copy(extracts)
    batch_features = dict(result[tfma.FEATURES_KEY])
    batch_features[features.IMAGES_INPUT_KEY] = pixels(batch_features[features.IMAGE_KEY])
    result[tfma.FEATURES_KEY] = batch_features
    return result


def custom_extractors(eval_shared_model: Any, eval_config: Any, tensor_adapter_config: Any) -> list[Any]:
    """TFX Evaluator's hook: TFMA's default extractors, its TFLite predictions made on decoded pixels."""
    import apache_beam as beam
    import tensorflow_model_analysis as tfma
    from tensorflow_model_analysis.extractors import tflite_predict_extractor

    predict = tflite_predict_extractor.TFLitePredictExtractor(
        eval_config=eval_config, eval_shared_model=eval_shared_model
    )

    @beam.ptransform_fn
    def _decode_then_predict(extracts: beam.PCollection) -> beam.PCollection:
        return extracts | "DecodePixels" >> beam.Map(with_pixels) | "PredictTFLite" >> predict.ptransform

    return tfma.default_extractors(
        eval_shared_model=eval_shared_model,
        eval_config=eval_config,
        tensor_adapter_config=tensor_adapter_config,
        custom_predict_extractor=tfma.extractors.Extractor(
            stage_name=predict.stage_name, ptransform=_decode_then_predict()
        ),
    )
