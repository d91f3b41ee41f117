"""Executor of LiteConverter: reads the model and the window's splits, ``measure.convert_all``, writes the chosen
flatbuffer where TFMA's tf_lite model type finds it, and the conversion's report beside it."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf
from tfx.dsl.components.base import base_executor
from tfx.types import artifact, artifact_utils
from tfx.utils import path_utils

from components import split_examples
from components.contract import features, files, keys, properties
from components.lite_conversion import measure


def _split_images(examples: list[artifact.Artifact], split: str) -> tuple[np.ndarray, np.ndarray]:
    serialized = [
        r for uri in artifact_utils.get_split_uris(examples, split) for r in split_examples.read_examples(uri)
    ]
    return split_examples.images_and_labels(serialized)


def representative_sample(images: np.ndarray, size: int, seed: int) -> np.ndarray:
    """``size`` of ``images`` (all when fewer), drawn with ``seed``: the full-integer model's calibration set."""
    if len(images) <= size:
        return images
    return images[np.sort(np.random.default_rng(seed).choice(len(images), size, replace=False))]


class Executor(base_executor.BaseExecutor):
    """Writes the on-device model: ``<uri>/Format-Serving/tflite`` and ``<uri>/conversion.json``. When no quantized
    model clears the bar, the closest one, with the shortfall recorded for the lite canary, which refuses it."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        model = artifact_utils.get_single_instance(input_dict[keys.MODEL_KEY])
        served = tf.keras.models.load_model(path_utils.serving_model_path(model.uri))
        train_images, _ = _split_images(input_dict[keys.EXAMPLES_KEY], features.TRAIN_SPLIT)
        eval_images, eval_labels = _split_images(input_dict[keys.EXAMPLES_KEY], features.EVAL_SPLIT)
        representative = representative_sample(
            train_images, exec_properties[keys.REPRESENTATIVE_SIZE_KEY], exec_properties[keys.SEED_KEY]
        )
        conversion = measure.convert_all(served, representative, eval_images, eval_labels)

        lite = artifact_utils.get_single_instance(output_dict[keys.LITE_MODEL_KEY])
        serving_dir = Path(path_utils.serving_model_dir(lite.uri))
        serving_dir.mkdir(parents=True, exist_ok=True)
        (serving_dir / files.TFLITE_FILE).write_bytes(conversion.chosen_flatbuffer)
        report = {**conversion.report(), "saved_model": {"id": model.id, "uri": model.uri}}
        (Path(lite.uri) / files.CONVERSION_REPORT_FILE).write_text(json.dumps(report, indent=2) + "\n")
        chosen = conversion.chosen.candidate
        lite.set_string_custom_property(properties.QUANTIZATION, chosen.quantization)
        lite.set_int_custom_property(properties.SIZE_BYTES, chosen.size_bytes)
        lite.set_int_custom_property(properties.SAVED_MODEL_ID, model.id)
        if conversion.problem:
            # Not a failure of the run: the SavedModel still ships; the lite canary refuses this model.
            lite.set_string_custom_property(properties.CONVERSION_PROBLEM, conversion.problem)
            logging.warning("%s", conversion.problem)
        logging.info(
            "TFLite model: %s, %d bytes (float %d), eval accuracy %.4f (SavedModel %.4f)",
            chosen.quantization,
            chosen.size_bytes,
            conversion.float_candidate.size_bytes,
            chosen.accuracy,
            conversion.reference_accuracy,
        )
