"""What the serving canary checks: a SavedModel loaded as a server would, answering a canary batch.

``check_signatures`` is a plain function over a model folder and serialized
examples: the executor calls it, and so do the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from components import features

# Largest difference allowed between the two signatures' probabilities for the same images.
_TOLERANCE = 1e-4


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


def score_examples(
    model_dir: str, serialized: Sequence[bytes], batch_size: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """The served model's probabilities [N, classes] for labelled examples, through ``serving_default`` as a
    client calls it (labels removed), and their labels [N]."""
    serve = tf.saved_model.load(model_dir).signatures[features.SERVING_SIGNATURE]
    probabilities, labels = [], []
    for start in range(0, len(serialized), batch_size):
        batch = serialized[start : start + batch_size]
        labels += [
            tf.train.Example.FromString(r).features.feature[features.LABEL_KEY].int64_list.value[0] for r in batch
        ]
        examples, _ = _client_inputs(batch)
        outputs = serve(**{features.SERVING_EXAMPLES_KEY: tf.constant(examples)})
        probabilities.append(outputs[features.PROBABILITIES_KEY].numpy())
    return np.concatenate(probabilities), np.array(labels, np.int64)
