"""What the serving canary checks: a SavedModel loaded as a server would, answering a canary batch.

``examine`` and ``check_signatures`` are plain functions over a model folder and serialized
examples: the executor calls the first, and the tests both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from components import split_examples
from components.contract import features

# Largest difference allowed between the two signatures' probabilities for the same images.
_TOLERANCE = 1e-4


@dataclasses.dataclass(frozen=True)
class ClientBatch:
    """Labelled examples as clients send them: serialized without their label, and as uint8 images."""

    examples: list[bytes]
    images: np.ndarray  # uint8 [N, 28, 28]
    labels: np.ndarray  # int64 [N]

    @classmethod
    def parse(cls, serialized: Sequence[bytes]) -> ClientBatch:
        """Parses each example once."""
        examples, images, labels = [], [], []
        for record in serialized:
            example = tf.train.Example.FromString(record)
            labels.append(example.features.feature[features.LABEL_KEY].int64_list.value[0])
            del example.features.feature[features.LABEL_KEY]
            examples.append(example.SerializeToString())
            images.append(split_examples.image_of(example))
        shape = (0, features.IMAGE_HEIGHT, features.IMAGE_WIDTH)
        return cls(examples, np.stack(images) if images else np.zeros(shape, np.uint8), np.array(labels, np.int64))

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, rows: slice) -> ClientBatch:
        return ClientBatch(self.examples[rows], self.images[rows], self.labels[rows])


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


def _load(model_dir: str) -> tuple[Any, list[str]]:
    """The SavedModel's signatures as a server loads them, or what stops the load."""
    try:
        return tf.saved_model.load(model_dir).signatures, []
    except Exception as e:  # noqa: BLE001 - whatever stops a load stops a server
        return None, [f"the SavedModel does not load: {str(e).strip().splitlines()[0]}"]


def _check(signatures: Any, canary: ClientBatch) -> list[str]:
    missing = [s for s in (features.SERVING_SIGNATURE, features.IMAGES_SIGNATURE) if s not in signatures]
    if missing:
        return [f"signature {s} is missing" for s in missing]
    calls = {
        features.SERVING_SIGNATURE: lambda: signatures[features.SERVING_SIGNATURE](
            **{features.SERVING_EXAMPLES_KEY: tf.constant(canary.examples)}
        ),
        features.IMAGES_SIGNATURE: lambda: signatures[features.IMAGES_SIGNATURE](
            **{features.IMAGES_INPUT_KEY: tf.constant(canary.images)}
        ),
    }
    problems, answers = [], {}
    for name, call in calls.items():
        try:
            answers[name] = call()
        except Exception as e:  # noqa: BLE001 - a signature that raises is a failed canary
            problems.append(f"{name} fails: {str(e).strip().splitlines()[0]}")
            continue
        problems += _output_problems(name, answers[name], len(canary))
    if not problems:
        a, b = (answers[s][features.PROBABILITIES_KEY].numpy() for s in calls)
        if np.max(np.abs(a - b)) > _TOLERANCE:
            problems.append(f"the two signatures disagree (max difference {np.max(np.abs(a - b)):.2e})")
    return problems


def _score(signatures: Any, batch: ClientBatch, batch_size: int) -> np.ndarray:
    serve = signatures[features.SERVING_SIGNATURE]
    probabilities = [
        serve(**{features.SERVING_EXAMPLES_KEY: tf.constant(batch.examples[start : start + batch_size])})[
            features.PROBABILITIES_KEY
        ].numpy()
        for start in range(0, len(batch), batch_size)
    ]
    return np.concatenate(probabilities) if probabilities else np.zeros((0, features.NUM_CLASSES), np.float32)


def check_signatures(model_dir: str, serialized: Sequence[bytes]) -> list[str]:
    """Loads the SavedModel as a server would and runs the canary through both signatures.

    Returns:
      What is wrong, one sentence each; empty when the model is fit to serve.
    """
    return examine(model_dir, serialized, canary_size=len(serialized), score=False).problems


@dataclasses.dataclass(frozen=True)
class Examination:
    """The canary's problems; for a model fit to serve (and when asked), every example's probabilities."""

    problems: list[str]
    probabilities: np.ndarray | None = None  # [N, classes]
    labels: np.ndarray | None = None  # [N]
    images: np.ndarray | None = None  # uint8 [N, 28, 28], as clients send them


def examine(
    model_dir: str, serialized: Sequence[bytes], *, canary_size: int, score: bool = True, batch_size: int = 1000
) -> Examination:
    """Checks the first ``canary_size`` examples as ``check_signatures`` does; then, when nothing is wrong and
    ``score``, scores all of them through ``serving_default`` as a client calls it (labels removed).

    The model is loaded and each example parsed once for both.
    """
    if not serialized or canary_size < 1:
        return Examination(["no canary examples"])
    signatures, problems = _load(model_dir)
    if problems:
        return Examination(problems)
    batch = ClientBatch.parse(serialized if score else serialized[:canary_size])
    problems = _check(signatures, batch[:canary_size])
    if problems or not score:
        return Examination(problems)
    return Examination([], _score(signatures, batch, batch_size), batch.labels, batch.images)
