"""What the run summary and inspect say about a run's on-device model."""

from pipeline.metadata.on_device import OnDevice


def _on_device(**changes) -> OnDevice:
    fields = {
        "quantization": "full_integer",
        "size_bytes": 329_400,
        "float_size_bytes": 1_199_000,
        "accuracy": 0.9416,
        "saved_model_accuracy": 0.9417,
        "blessed": True,
        "failures": [],
        "canary_problems": None,
        "pushed_path": "/serving/fashion_mnist_lite/17",
        "served_version": 17,
        "conversion": {
            "candidates": [
                {"quantization": "dynamic_range", "size_bytes": 315_536, "accuracy": 0.94, "agreement": 0.9988},
                {
                    "quantization": "full_integer", "size_bytes": 329_400, "accuracy": 0.9398, "agreement": 0.9959,
                    "problem": None,
                },
            ]
        },
    }  # fmt: skip
    return OnDevice(**{**fields, **changes})


def test_a_pushed_model_is_summed_up_in_two_lines():
    assert _on_device().lines() == [
        "on-device model: full_integer TFLite, 321.7 KB, 0.27 of the float model's, test accuracy 0.9416 "
        "(SavedModel 0.9417)",
        "pushed on-device model: /serving/fashion_mnist_lite/17/model.tflite",
    ]


def test_each_gate_that_refused_it_says_why():
    lines = _on_device(
        blessed=False, failures=["overall: below the floor"], canary_problems="disagrees on 2.0%", pushed_path=None,
        served_version=None,
    ).lines()  # fmt: skip
    assert lines[1:] == [
        "on-device model NOT BLESSED: overall: below the floor",
        "on-device canary FAILED: disagrees on 2.0%",
        "on-device model not pushed",
    ]
    assert _on_device(pushed_path=None).lines()[-1] == "on-device model already served as version 17"


def test_inspect_lists_every_candidate():
    assert _on_device().details()[-2:] == [
        "candidate dynamic_range: 308.1 KB, eval accuracy 0.9400, agrees with the SavedModel on 99.88%",
        "candidate full_integer: 321.7 KB, eval accuracy 0.9398, agrees with the SavedModel on 99.59%",
    ]


def test_a_run_without_a_conversion_says_nothing():
    assert _on_device(quantization=None).lines() == []
