"""Decoding the records' image bytes into the pixels the on-device model takes, as TFMA's features come."""

import numpy as np
import pytest

from components.evaluation import lite_extractors

IMAGE = np.arange(784, dtype=np.int64).reshape(28, 28).astype(np.uint8)


@pytest.mark.parametrize(
    "batch",
    [
        np.array([[IMAGE.tobytes()], [IMAGE[::-1].tobytes()]], dtype=object),  # a fixed-shape feature: [B, 1]
        [np.array([IMAGE.tobytes()], dtype=object), np.array([IMAGE[::-1].tobytes()], dtype=object)],  # ragged
        [IMAGE.tobytes(), IMAGE[::-1].tobytes()],
    ],
)
def test_pixels_decodes_every_form_of_the_feature(batch):
    pixels = lite_extractors.pixels(batch)
    assert pixels.dtype == np.float32 and pixels.shape == (2, 28, 28)
    np.testing.assert_array_equal(pixels[0], IMAGE) and np.testing.assert_array_equal(pixels[1], IMAGE[::-1])


def test_an_image_of_the_wrong_length_is_named():
    with pytest.raises(ValueError, match="an 'image' value is 3 bytes, not 784"):
        lite_extractors.pixels([b"abc"])


def test_a_feature_with_two_values_is_refused():
    with pytest.raises(ValueError, match="an 'image' feature is not one bytes value"):
        lite_extractors.image_bytes(np.array([b"a", b"b"], dtype=object))


def test_with_pixels_adds_the_model_input_and_keeps_the_rest():
    import tensorflow_model_analysis as tfma

    extracts = {tfma.FEATURES_KEY: {"image": [IMAGE.tobytes()], "label": np.array([[3]])}, "other": 1}
    result = lite_extractors.with_pixels(extracts)
    assert set(result[tfma.FEATURES_KEY]) == {"image", "label", "images"} and result["other"] == 1
    assert "images" not in extracts[tfma.FEATURES_KEY]
