"""Converting a small Keras model of the project's contract to TFLite, each way, builtin ops only."""

import numpy as np
import pytest
import tensorflow as tf

from components.lite_conversion import choice, convert, runtime
from components.training import network, preprocessing

IMAGES = np.random.default_rng(0).integers(0, 256, (64, 28, 28), dtype=np.uint8)
# Real calibration images span 0..255; these do by construction.
IMAGES[0], IMAGES[1] = 0, 255


@pytest.fixture(scope="module")
def served() -> tf.keras.Model:
    """A small network of the project's kind, flip-averaged as the Trainer exports it."""
    tf.keras.utils.set_random_seed(0)
    shape = network.Architecture("pool_early", 16, (32,))
    return network.with_flip_averaging(network.build_model(1e-3, shape))


@pytest.fixture(scope="module")
def flatbuffers(served) -> dict[str, bytes]:
    return {q: convert.convert(served, q, IMAGES) for q in choice.QUANTIZATIONS}


def _ops(flatbuffer: bytes) -> set[str]:
    interpreter = tf.lite.Interpreter(model_content=flatbuffer)
    return {op["op_name"] for op in interpreter._get_ops_details()}


def test_every_model_uses_builtin_ops_only_and_keeps_the_flip(flatbuffers):
    for flatbuffer in flatbuffers.values():
        ops = _ops(flatbuffer)
        assert not any(op.startswith("Flex") or op == "CUSTOM" for op in ops), ops
        assert "REVERSE_V2" in ops  # the mirror image of flip averaging


def test_the_float_model_answers_as_the_keras_model_does_on_pixels(served, flatbuffers):
    expected = served(preprocessing.scale_pixels(IMAGES)).numpy()
    got = runtime.OnDeviceModel(flatbuffers[choice.FLOAT]).predict(IMAGES)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_the_fully_quantized_model_takes_uint8_pixels_as_they_are_and_returns_float_probabilities(flatbuffers):
    interpreter = tf.lite.Interpreter(model_content=flatbuffers[choice.FULL_INTEGER])
    (given,), (answer,) = interpreter.get_input_details(), interpreter.get_output_details()
    assert given["dtype"] == np.uint8 and given["quantization"] == (1.0, 0)
    assert list(given["shape_signature"]) == [-1, 28, 28]
    assert answer["dtype"] == np.float32


def test_quantized_models_are_smaller_and_stay_close_to_the_float_model(served, flatbuffers):
    reference = runtime.OnDeviceModel(flatbuffers[choice.FLOAT]).predict(IMAGES)
    for quantization in (choice.DYNAMIC_RANGE, choice.FULL_INTEGER):
        assert len(flatbuffers[quantization]) < len(flatbuffers[choice.FLOAT]) / 2
        probabilities = runtime.OnDeviceModel(flatbuffers[quantization]).predict(IMAGES)
        assert probabilities.shape == (64, 10)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=0.02)
        np.testing.assert_allclose(probabilities, reference, atol=0.05)


def test_calibration_that_misses_the_pixel_range_fails_naming_the_input_scale(served):
    dim = (IMAGES // 2).astype(np.uint8)  # 0..127: the input scale would be 0.5
    with pytest.raises(convert.ConversionError, match=r"^full_integer TFLite model: its input is uint8 with scale"):
        convert.convert(served, choice.FULL_INTEGER, dim)


def test_a_model_needing_an_op_tflite_lacks_fails_naming_the_op():
    inputs = tf.keras.Input((28, 28, 1))
    x = tf.keras.layers.Flatten()(inputs)
    x = tf.keras.layers.Lambda(lambda t: tf.math.igamma(t + 1.0, t + 2.0))(x)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(10, activation="softmax")(x))
    with pytest.raises(convert.ConversionError) as raised:
        convert.convert(model, choice.FLOAT)
    assert str(raised.value) == "float TFLite model: ops with no TFLite builtin kernel: Igamma"


def test_unsupported_ops_reads_both_forms_of_the_converter_message():
    message = (
        "error: 'tf.DecodeRaw' op is neither a custom op nor a flex op\n"
        "TF Select ops: DecodeRaw, ParseExampleV2\nDetails: ..."
    )
    assert convert.unsupported_ops(message) == ["DecodeRaw", "ParseExampleV2"]
    assert convert.unsupported_ops("some other failure") == []


def test_full_integer_needs_calibration_images(served):
    with pytest.raises(ValueError, match="representative"):
        convert.convert(served, choice.FULL_INTEGER, None)
