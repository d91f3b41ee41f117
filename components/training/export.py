"""The serving signatures, both through the Transform graph, so a server applies exactly the
preprocessing the model was trained on.

* ``serving_default``: ``examples``, serialized tf.Example in the record contract (``label``
  may be present or absent).
* ``predict_images``: ``images``, uint8 [N, 28, 28].

Both return ``probabilities`` float32 [N, 10] and ``class_ids`` int64 [N].
"""

from __future__ import annotations

import tensorflow as tf
import tensorflow_transform as tft

from components.contract import features

# Each possible byte as a one-byte string: indexing it with pixel values and joining
# gives the raw bytes of an image, the record contract's ``image`` value.
_BYTE_STRINGS = [bytes([value]) for value in range(256)]


def images_to_raw_bytes(images: tf.Tensor) -> tf.Tensor:
    """uint8 [N, 28, 28] -> string [N, 1], each the 784 pixels row-major (what tf.Example carries)."""
    byte_strings = tf.gather(tf.constant(_BYTE_STRINGS), tf.cast(images, tf.int32))
    flat = tf.reshape(byte_strings, [-1, features.IMAGE_PIXELS])
    return tf.reshape(tf.strings.reduce_join(flat, axis=1), [-1, 1])


def export_serving_model(model: tf.keras.Model, tft_output: tft.TFTransformOutput, export_dir: str) -> None:
    """Saves ``model`` as a SavedModel with both serving signatures."""
    model.tft_layer = tft_output.transform_features_layer()
    raw_feature_spec = tft_output.raw_feature_spec()
    raw_feature_spec.pop(features.LABEL_KEY, None)

    def predict(raw_features: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        transformed = model.tft_layer(raw_features)
        probabilities = model(transformed[features.transformed_name(features.IMAGE_KEY)], training=False)
        return {
            features.PROBABILITIES_KEY: probabilities,
            features.CLASS_IDS_KEY: tf.argmax(probabilities, axis=-1),
        }

    # Traced without autograph: neither function branches on a tensor in Python, nor do the network's layers, and
    # autograph's conversion of the Keras internals took about 4 s of each export (measured on the smoke model).
    @tf.function(
        input_signature=[tf.TensorSpec([None], tf.string, name=features.SERVING_EXAMPLES_KEY)], autograph=False
    )
    def serve_examples(serialized: tf.Tensor) -> dict[str, tf.Tensor]:
        return predict(tf.io.parse_example(serialized, raw_feature_spec))

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, features.IMAGE_HEIGHT, features.IMAGE_WIDTH], tf.uint8, name=features.IMAGES_INPUT_KEY)
        ],
        autograph=False,
    )
    def serve_images(images: tf.Tensor) -> dict[str, tf.Tensor]:
        return predict({features.IMAGE_KEY: images_to_raw_bytes(images)})

    model.save(
        export_dir,
        save_format="tf",
        signatures={
            features.SERVING_SIGNATURE: serve_examples.get_concrete_function(),
            features.IMAGES_SIGNATURE: serve_images.get_concrete_function(),
        },
    )
