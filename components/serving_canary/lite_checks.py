"""What the lite canary checks: the on-device model, run by TFLite's interpreter, answering as the SavedModel does.

Checked on every image of the split, not on the canary batch alone: a 1 % bound needs more than 64 images to
mean anything (one disagreement in 64 is 1.6 %).
"""

from __future__ import annotations

import numpy as np

from components.lite_conversion import runtime

# The largest share of images on which the TFLite model may predict another class than the SavedModel.
MAX_DISAGREEMENT = 0.01
# How far a row of probabilities may sum from 1: a fully quantized softmax has steps of 1/256, and each of ten
# classes may be half a step off.
SUM_TOLERANCE = 0.05


def lite_problems(
    flatbuffer: bytes, images: np.ndarray, reference: np.ndarray, *, max_disagreement: float = MAX_DISAGREEMENT
) -> list[str]:
    """What is wrong with the TFLite model ``flatbuffer`` against the SavedModel's probabilities ``reference``
    [N, classes] for uint8 ``images`` [N, 28, 28]; empty when it may ship beside it."""
    try:
        probabilities = runtime.OnDeviceModel(flatbuffer).predict(images)
    except Exception as e:  # noqa: BLE001 - a model the interpreter cannot run is a failed canary
        return [
            f"the TFLite model does not run: {str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__}"
        ]
    if probabilities.shape != reference.shape:
        return [f"the TFLite model returned shape {list(probabilities.shape)} for {len(images)} images"]
    if not np.all(np.isfinite(probabilities)) or np.any(np.abs(probabilities.sum(axis=1) - 1) > SUM_TOLERANCE):
        return ["the TFLite model returned probabilities that are not distributions"]
    disagreement = float(np.mean(probabilities.argmax(axis=1) != reference.argmax(axis=1)))
    if disagreement > max_disagreement:
        return [
            f"the TFLite model disagrees with the SavedModel on {disagreement:.1%} of {len(images)} images "
            f"(at most {max_disagreement:.0%})"
        ]
    return []
