"""The bar a quantized on-device model must clear, and which one ships."""

import pytest

from components.lite_conversion import choice

FLOAT_SIZE = 1_200_000
REFERENCE = 0.94


def _verdict(quantization: str, size: int, accuracy: float) -> choice.Verdict:
    candidate = choice.Candidate(quantization, size, accuracy, agreement=0.99)
    return choice.judge(candidate, float_size=FLOAT_SIZE, reference_accuracy=REFERENCE)


def test_a_small_and_accurate_candidate_clears_the_bar():
    verdict = _verdict(choice.FULL_INTEGER, 330_000, 0.9390)
    assert verdict.problem is None
    assert verdict.size_fraction == pytest.approx(330_000 / FLOAT_SIZE)
    assert verdict.accuracy_drop == pytest.approx(0.001)


def test_a_candidate_over_a_third_of_the_float_size_fails_naming_the_fraction():
    verdict = _verdict(choice.FULL_INTEGER, 410_000, 0.94)
    assert verdict.problem == "0.34 of the float model's size (at most 0.33)"


def test_a_candidate_more_than_half_a_point_below_the_saved_model_fails_naming_the_drop():
    assert _verdict(choice.DYNAMIC_RANGE, 300_000, 0.9349).problem == (
        "0.51 pp below the SavedModel's accuracy (at most 0.50)"
    )
    assert _verdict(choice.DYNAMIC_RANGE, 300_000, 0.9350).problem is None


def test_full_integer_ships_when_both_clear_the_bar():
    verdicts = [_verdict(choice.DYNAMIC_RANGE, 300_000, 0.9400), _verdict(choice.FULL_INTEGER, 330_000, 0.9380)]
    assert choice.choose(verdicts).candidate.quantization == choice.FULL_INTEGER


def test_dynamic_range_ships_when_full_integer_loses_too_much():
    verdicts = [_verdict(choice.FULL_INTEGER, 330_000, 0.9300), _verdict(choice.DYNAMIC_RANGE, 300_000, 0.9400)]
    assert choice.choose(verdicts).candidate.quantization == choice.DYNAMIC_RANGE


def test_nothing_ships_when_no_candidate_clears_the_bar():
    verdicts = [_verdict(choice.FULL_INTEGER, 330_000, 0.9300), _verdict(choice.DYNAMIC_RANGE, 500_000, 0.9400)]
    assert choice.choose(verdicts) is None
