"""Executor of ServingCanary, over ``check_signatures``, which tests call directly."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf
from tfx.dsl.components.base import base_executor
from tfx.types import artifact, artifact_utils
from tfx.utils import path_utils

from components import features, properties
from components.serving_canary import spec

# Same marker files and property (properties.BLESSED) as TFX's InfraValidator, so Pusher's checks apply unchanged.
_BLESSED_FILE, _NOT_BLESSED_FILE = "INFRA_BLESSED", "INFRA_NOT_BLESSED"
_TOLERANCE = 1e-4


def read_examples(split_uri: str, count: int) -> list[bytes]:
    """The first ``count`` serialized examples of a split."""
    files = sorted(tf.io.gfile.glob(f"{split_uri}/*"))
    compression = "GZIP" if files and files[0].endswith(".gz") else ""
    return [r.numpy() for r in tf.data.TFRecordDataset(files, compression_type=compression).take(count)]


def _client_inputs(serialized: Sequence[bytes]) -> tuple[list[bytes], np.ndarray]:
    """What clients send: examples without their label, and the same images as uint8 arrays."""
    examples, images = [], []
    for record in serialized:
        example = tf.train.Example.FromString(record)
        del example.features.feature[features.LABEL_KEY]
        examples.append(example.SerializeToString())
        pixels = example.features.feature[features.IMAGE_KEY].bytes_list.value[0]
        images.append(np.frombuffer(pixels, np.uint8).reshape(features.IMAGE_HEIGHT, features.IMAGE_WIDTH))
    return examples, np.stack(images)


def _output_problems(name: str, outputs: dict[str, tf.Tensor], n: int) -> list[str]:
    missing = {features.PROBABILITIES_KEY, features.CLASS_IDS_KEY} - set(outputs)
    if missing:
        return [f"{name} lacks outputs {sorted(missing)}"]
    probabilities = outputs[features.PROBABILITIES_KEY].numpy()
    class_ids = outputs[features.CLASS_IDS_KEY].numpy()
    if probabilities.shape != (n, features.NUM_CLASSES) or class_ids.shape != (n,):
        return [f"{name} returned shapes {probabilities.shape} and {class_ids.shape} for {n} inputs"]
    problems = []
    if not np.all(np.isfinite(probabilities)) or np.any(np.abs(probabilities.sum(axis=1) - 1) > 1e-3):
        problems.append(f"{name} returned probabilities that are not distributions")
    if not np.array_equal(class_ids, probabilities.argmax(axis=1)):
        problems.append(f"{name} returned class_ids that are not the most probable classes")
    return problems


def check_signatures(model_dir: str, serialized: Sequence[bytes]) -> list[str]:
    """Loads the SavedModel as a server would and runs the canary through both signatures.

    Returns:
      What is wrong, one sentence each; empty when the model is fit to serve.
    """
    if not serialized:
        return ["no canary examples"]
    try:
        signatures = tf.saved_model.load(model_dir).signatures
    except Exception as e:  # noqa: BLE001 - whatever stops a load stops a server
        return [f"the SavedModel does not load: {str(e).strip().splitlines()[0]}"]
    missing = [s for s in (features.SERVING_SIGNATURE, features.IMAGES_SIGNATURE) if s not in signatures]
    if missing:
        return [f"signature {s} is missing" for s in missing]
    examples, images = _client_inputs(serialized)
    calls = {
        features.SERVING_SIGNATURE: lambda: signatures[features.SERVING_SIGNATURE](
            **{features.SERVING_EXAMPLES_KEY: tf.constant(examples)}
        ),
        features.IMAGES_SIGNATURE: lambda: signatures[features.IMAGES_SIGNATURE](
            **{features.IMAGES_INPUT_KEY: tf.constant(images)}
        ),
    }
    problems, answers = [], {}
    for name, call in calls.items():
        try:
            answers[name] = call()
        except Exception as e:  # noqa: BLE001 - a signature that raises is a failed canary
            problems.append(f"{name} fails: {str(e).strip().splitlines()[0]}")
            continue
        problems += _output_problems(name, answers[name], len(serialized))
    if not problems:
        a, b = (answers[s][features.PROBABILITIES_KEY].numpy() for s in calls)
        if np.max(np.abs(a - b)) > _TOLERANCE:
            problems.append(f"the two signatures disagree (max difference {np.max(np.abs(a - b)):.2e})")
    return problems


class Executor(base_executor.BaseExecutor):
    """Writes an InfraBlessing: blessed when ``check_signatures`` finds nothing wrong."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        model = artifact_utils.get_single_instance(input_dict[spec.MODEL_KEY])
        split_uri = artifact_utils.get_split_uri(input_dict[spec.EXAMPLES_KEY], exec_properties[spec.SPLIT_KEY])
        canary = read_examples(split_uri, exec_properties[spec.CANARY_SIZE_KEY])
        problems = check_signatures(path_utils.serving_model_path(model.uri), canary)
        blessing = artifact_utils.get_single_instance(output_dict[spec.BLESSING_KEY])
        Path(blessing.uri).mkdir(parents=True, exist_ok=True)
        (Path(blessing.uri) / (_NOT_BLESSED_FILE if problems else _BLESSED_FILE)).write_text("; ".join(problems))
        blessing.set_int_custom_property(properties.BLESSED, 0 if problems else 1)
        if problems:
            blessing.set_string_custom_property(properties.CANARY_PROBLEMS, "; ".join(problems))
