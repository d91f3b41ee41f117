"""A Keras model of the project's contract whose answers are known: the class is the image's brightness decile.

logit_k = 200 k m - 10 k^2 for the mean scaled pixel m peaks at k = 10 m, so an image of constant pixels
round(255 k / 10) is class k with a margin of 10 in the logits: quantization cannot move it. The conversion, the
canary and the on-device Evaluator are checked with it, where a trained network's near ties would make a test flaky.
A branch of 200k small random weights adds at most a few thousandths to the logits and makes the model's size
(800 KB in float32) mostly weights, as a real network's is, so the quantized models' size ratios mean the same.
"""

from pathlib import Path

import numpy as np
import tensorflow as tf

from components.contract import features
from components.training import export

CLASSES = np.arange(features.NUM_CLASSES)


def brightness_model(shift: int = 0) -> tf.keras.Model:
    """Transformed image in, probabilities out; ``shift`` moves every answer that many classes up (a wrong model)."""
    inputs = tf.keras.Input((features.IMAGE_HEIGHT, features.IMAGE_WIDTH, 1), name=features.transformed_name("image"))
    mean = tf.keras.layers.GlobalAveragePooling2D()(inputs)  # [N, 1]
    target = np.clip(CLASSES - shift, -50, 50).astype(np.float32)
    dense = tf.keras.layers.Dense(features.NUM_CLASSES)
    brightness = dense(mean)
    dense.set_weights([200.0 * target[None, :], -10.0 * target**2])
    rng = np.random.default_rng(0)
    hidden = tf.keras.layers.Dense(256, activation="relu")
    noise = tf.keras.layers.Dense(features.NUM_CLASSES)
    weights = noise(hidden(tf.keras.layers.Flatten()(inputs)))
    hidden.set_weights([rng.normal(0, 0.01, (784, 256)).astype(np.float32), np.zeros(256, np.float32)])
    noise.set_weights([rng.normal(0, 0.001, (256, 10)).astype(np.float32), np.zeros(10, np.float32)])
    logits = tf.keras.layers.Add()([brightness, weights])
    outputs = tf.keras.layers.Softmax(name=features.PROBABILITIES_KEY)(logits)
    model = tf.keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def brightness_images(per_class: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``per_class`` images of each class: pixels round(255 k / 10), a few off by one, and in every image one pixel
    0 and one 255 (as real images span the range the full-integer model's input is calibrated on)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(CLASSES, per_class)
    levels = np.round(255 * labels / 10).astype(np.int16)
    images = np.clip(levels[:, None, None] + rng.integers(-1, 2, (len(labels), 28, 28)), 0, 255).astype(np.uint8)
    images[:, 0, 0], images[:, 0, 1] = 0, 255
    return images, labels


def export_brightness_model(tft_output: object, path: Path, shift: int = 0) -> tf.keras.Model:
    """Exports ``brightness_model(shift)`` with both serving signatures, as the Trainer does."""
    model = brightness_model(shift)
    export.export_serving_model(model, tft_output, str(path))
    return model
