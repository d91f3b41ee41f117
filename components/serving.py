"""The serving signature: serialized tf.Example in, class probabilities out.

The Transform graph is inside the signature, so a server applies exactly the
preprocessing the model was trained on.
"""

from __future__ import annotations

import tensorflow as tf
import tensorflow_transform as tft

from components import features

SERVING_SIGNATURE = "serving_default"


def export_serving_model(model: tf.keras.Model, tft_output: tft.TFTransformOutput, export_dir: str) -> None:
    """Saves ``model`` as a SavedModel whose ``serving_default`` parses tf.Examples.

    The input ``examples`` is a batch of serialized tf.Example in the record
    contract; ``label`` may be present or absent. Outputs ``probabilities``
    float32 [N, 10] and ``class_ids`` int64 [N].
    """
    model.tft_layer = tft_output.transform_features_layer()
    raw_feature_spec = tft_output.raw_feature_spec()
    raw_feature_spec.pop(features.LABEL_KEY, None)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name=features.SERVING_EXAMPLES_KEY)])
    def serve_examples(serialized: tf.Tensor) -> dict[str, tf.Tensor]:
        raw = tf.io.parse_example(serialized, raw_feature_spec)
        transformed = model.tft_layer(raw)
        probabilities = model(transformed[features.transformed_name(features.IMAGE_KEY)], training=False)
        return {
            features.PROBABILITIES_KEY: probabilities,
            features.CLASS_IDS_KEY: tf.argmax(probabilities, axis=-1),
        }

    model.save(
        export_dir,
        save_format="tf",
        signatures={SERVING_SIGNATURE: serve_examples.get_concrete_function()},
    )
