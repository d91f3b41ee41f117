"""Which quantized model to ship: plain Python over the candidates' measured size and accuracy (no TensorFlow).

Each training run converts the model three ways (QUANTIZATIONS) and scores each on the eval split. The
bar: at most ``max_size_fraction`` of the float model's bytes, and at most ``max_accuracy_drop`` below the
SavedModel's accuracy on the same images. Of the candidates that clear it, full integer comes first: it runs on
integer-only hardware (microcontrollers, NPUs), and XNNPACK runs it fastest on a CPU (docs/on_device.md).
"""

from __future__ import annotations

import dataclasses

# The three models converted from each training run (convert.py): float32 weights and activations; dynamic
# range (int8 weights, float activations); full integer (int8 weights and activations, uint8 pixels in).
FLOAT, DYNAMIC_RANGE, FULL_INTEGER = "float", "dynamic_range", "full_integer"
QUANTIZATIONS = (FLOAT, DYNAMIC_RANGE, FULL_INTEGER)
# Preference among the quantized models that clear the bar.
PREFERENCE = (FULL_INTEGER, DYNAMIC_RANGE)
MAX_SIZE_FRACTION = 1 / 3
MAX_ACCURACY_DROP = 0.005


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One converted model, measured on the eval split.

    Attributes:
      quantization: one of QUANTIZATIONS.
      size_bytes: the flatbuffer's size.
      accuracy: its accuracy on the eval split.
      agreement: the share of eval images on which it predicts the SavedModel's class.
    """

    quantization: str
    size_bytes: int
    accuracy: float
    agreement: float

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A candidate against the bar: whether it clears it, and if not, why (one phrase)."""

    candidate: Candidate
    size_fraction: float
    accuracy_drop: float
    problem: str | None


def judge(
    candidate: Candidate,
    *,
    float_size: int,
    reference_accuracy: float,
    max_size_fraction: float = MAX_SIZE_FRACTION,
    max_accuracy_drop: float = MAX_ACCURACY_DROP,
) -> Verdict:
    """``candidate`` against the float model's size and the SavedModel's accuracy."""
    fraction = candidate.size_bytes / float_size
    drop = reference_accuracy - candidate.accuracy
    problem = None
    if fraction > max_size_fraction:
        problem = f"{fraction:.2f} of the float model's size (at most {max_size_fraction:.2f})"
    elif drop > max_accuracy_drop:
        problem = f"{drop * 100:.2f} pp below the SavedModel's accuracy (at most {max_accuracy_drop * 100:.2f})"
    return Verdict(candidate, fraction, drop, problem)


def choose(verdicts: list[Verdict]) -> Verdict | None:
    """The preferred verdict that clears the bar (PREFERENCE order); None when none does."""
    cleared = {v.candidate.quantization: v for v in verdicts if v.problem is None}
    return next((cleared[name] for name in PREFERENCE if name in cleared), None)
