"""Converting the served model every way and measuring each candidate on the eval split: ``convert_all``."""

from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow as tf

from components.lite_conversion import choice, convert, runtime
from components.training import preprocessing


@dataclasses.dataclass(frozen=True)
class Conversion:
    """Every candidate's flatbuffer and verdict, and the one chosen.

    Attributes:
      flatbuffers: quantization -> the TFLite model.
      float_candidate: the float model, measured (the size the others are compared with; never shipped).
      verdicts: each quantized candidate against the bar.
      chosen: the verdict of the model to ship: the preferred one that clears the bar, or when none does, the one
        closest to the SavedModel's accuracy (which the lite canary then refuses, with ``problem``).
      reference_accuracy: the SavedModel's accuracy on the same images.
      eval_examples: how many images each was scored on.
      representative_examples: how many training images calibrated the full-integer model.
    """

    flatbuffers: dict[str, bytes]
    float_candidate: choice.Candidate
    verdicts: list[choice.Verdict]
    chosen: choice.Verdict
    reference_accuracy: float
    eval_examples: int
    representative_examples: int

    @property
    def problem(self) -> str | None:
        """Why no quantized model clears the bar (each one's shortfall); None when one does."""
        if self.chosen.problem is None:
            return None
        return "no quantized TFLite model clears the bar: " + "; ".join(
            f"{v.candidate.quantization}: {v.problem}" for v in self.verdicts
        )

    @property
    def chosen_flatbuffer(self) -> bytes:
        return self.flatbuffers[self.chosen.candidate.quantization]

    def report(self) -> dict[str, object]:
        """The conversion as JSON: what the model card, ``make inspect`` and the report show."""
        return {
            "chosen": self.chosen.candidate.quantization,
            "problem": self.problem,
            "reference_accuracy": self.reference_accuracy,
            "eval_examples": self.eval_examples,
            "representative_examples": self.representative_examples,
            "float": self.float_candidate.to_dict(),
            "candidates": [
                {
                    **v.candidate.to_dict(),
                    "size_fraction": v.size_fraction,
                    "accuracy_drop": v.accuracy_drop,
                    "problem": v.problem,
                }
                for v in self.verdicts
            ],
        }


def reference_probabilities(served: tf.keras.Model, images: np.ndarray) -> np.ndarray:
    """The SavedModel's Keras model on uint8 images [N, 28, 28], through the Transform's scaling."""
    batches = [
        served(preprocessing.scale_pixels(images[start : start + runtime.BATCH]), training=False).numpy()
        for start in range(0, len(images), runtime.BATCH)
    ]
    return np.concatenate(batches)


def _candidate(
    quantization: str, flatbuffer: bytes, images: np.ndarray, labels: np.ndarray, reference: np.ndarray
) -> choice.Candidate:
    predicted = runtime.OnDeviceModel(flatbuffer).predict(images).argmax(axis=1)
    return choice.Candidate(
        quantization=quantization,
        size_bytes=len(flatbuffer),
        accuracy=float(np.mean(predicted == labels)),
        agreement=float(np.mean(predicted == reference)),
    )


def convert_all(
    served: tf.keras.Model, representative: np.ndarray, images: np.ndarray, labels: np.ndarray
) -> Conversion:
    """Converts ``served`` every way (choice.QUANTIZATIONS), scores each on ``images``/``labels`` (the eval
    split) against the SavedModel, and chooses the model to ship.

    Raises:
      convert.ConversionError: a conversion failed (naming the ops TFLite lacks, if that is why).
    """
    if not len(images):
        raise ValueError("no eval images to measure the TFLite models on")
    reference = reference_probabilities(served, images).argmax(axis=1)
    reference_accuracy = float(np.mean(reference == labels))
    flatbuffers, candidates = {}, {}
    for quantization in choice.QUANTIZATIONS:
        calibration = representative if quantization == choice.FULL_INTEGER else None
        flatbuffers[quantization] = convert.convert(served, quantization, calibration)
        candidates[quantization] = _candidate(quantization, flatbuffers[quantization], images, labels, reference)
    float_candidate = candidates.pop(choice.FLOAT)
    verdicts = [
        choice.judge(c, float_size=float_candidate.size_bytes, reference_accuracy=reference_accuracy)
        for c in candidates.values()
    ]
    chosen = choice.choose(verdicts) or min(verdicts, key=lambda v: v.accuracy_drop)
    return Conversion(
        flatbuffers=flatbuffers,
        float_candidate=float_candidate,
        verdicts=verdicts,
        chosen=chosen,
        reference_accuracy=reference_accuracy,
        eval_examples=len(images),
        representative_examples=len(representative),
    )
