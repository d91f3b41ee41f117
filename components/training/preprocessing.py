"""Transform: raw image bytes to float pixels in [0, 1], shaped for the CNN.

``preprocessing_fn`` is what TF Transform traces; it is also part of the
serving signature, so serving and training cannot skew. It uses no analyzers,
so tests can call it eagerly on plain tensors.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from components.contract import features


def decode_images(image_bytes: tf.Tensor) -> tf.Tensor:
    """Raw uint8 pixel bytes [N] or [N, 1] -> float32 [N, 28, 28, 1] in [0, 1].

    A record whose bytes are not exactly 784 long fails loudly here rather than
    being padded or cut.
    """
    pixels = tf.io.decode_raw(tf.reshape(image_bytes, [-1]), tf.uint8)  # [N, 784]
    tf.debugging.assert_equal(
        tf.shape(pixels)[1],
        features.IMAGE_PIXELS,
        message=f"an '{features.IMAGE_KEY}' value is not {features.IMAGE_PIXELS} bytes long",
    )
    return scale_pixels(pixels)


def scale_pixels(pixels: tf.Tensor) -> tf.Tensor:
    """Pixels 0..255 (uint8 or float, [N, 784] or [N, 28, 28]) -> float32 [N, 28, 28, 1] in [0, 1].

    The numeric part of the Transform, after the bytes are decoded: also the first step of the on-device
    (TFLite) model, which takes pixels rather than tf.Example (components/lite_conversion/convert.py).
    """
    images = tf.reshape(pixels, [-1, features.IMAGE_HEIGHT, features.IMAGE_WIDTH, features.IMAGE_CHANNELS])
    return tf.cast(images, tf.float32) / 255.0


def preprocessing_fn(inputs: dict[str, Any]) -> dict[str, Any]:
    """TF Transform callback: raw features -> transformed features.

    Args:
      inputs: ``image`` bytes [N, 1] and, when training, ``label`` int64 [N, 1].
    """
    outputs = {features.transformed_name(features.IMAGE_KEY): decode_images(inputs[features.IMAGE_KEY])}
    if features.LABEL_KEY in inputs:
        outputs[features.transformed_name(features.LABEL_KEY)] = tf.cast(
            tf.reshape(inputs[features.LABEL_KEY], [-1]), tf.int64
        )
    return outputs
