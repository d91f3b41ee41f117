"""The lite canary's check: the TFLite model, run by TFLite's interpreter, answering as the SavedModel does."""

import numpy as np

from components.serving_canary import lite_checks
from components.training import preprocessing


def _reference(models) -> np.ndarray:
    return models.keras_model(preprocessing.scale_pixels(models.images)).numpy()


def test_a_faithful_tflite_model_passes(brightness_models):
    reference = _reference(brightness_models)
    assert (reference.argmax(axis=1) == brightness_models.labels).all()
    assert lite_checks.lite_problems(brightness_models.flatbuffer, brightness_models.images, reference) == []


def test_a_tflite_model_that_answers_otherwise_fails_with_the_share(brightness_models):
    problems = lite_checks.lite_problems(
        brightness_models.shifted_flatbuffer, brightness_models.images, _reference(brightness_models)
    )
    n = len(brightness_models.images)
    assert problems == [f"the TFLite model disagrees with the SavedModel on 90.0% of {n} images (at most 1%)"]


def test_the_bound_is_a_share_of_the_split(brightness_models):
    reference = _reference(brightness_models)
    images = brightness_models.images
    # 40 images, one of them told otherwise by the reference: 2.5 %, over the bound; at 2.5 % allowed, within it.
    reference = reference.copy()
    reference[0] = np.roll(reference[0], 1)
    assert lite_checks.lite_problems(brightness_models.flatbuffer, images, reference)[0].startswith(
        "the TFLite model disagrees with the SavedModel on 2.5% of 40 images"
    )
    assert lite_checks.lite_problems(brightness_models.flatbuffer, images, reference, max_disagreement=0.025) == []


def test_bytes_that_are_no_tflite_model_fail_in_one_line(brightness_models):
    (problem,) = lite_checks.lite_problems(b"not a model", brightness_models.images, _reference(brightness_models))
    assert problem.startswith("the TFLite model does not run: ") and "\n" not in problem
