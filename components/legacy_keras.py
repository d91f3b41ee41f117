"""The Keras 2 guard.

TF 2.16's ``tf.keras`` is Keras 3 unless ``TF_USE_LEGACY_KERAS=1`` is set before
TensorFlow is first imported; TF Transform and TFMA 1.16 need Keras 2
(``tf_keras``). Entry points call ``use_legacy_keras()`` first thing; code that
builds models calls ``check_legacy_keras()``.
"""

from __future__ import annotations

import os
import sys

ENV_VAR = "TF_USE_LEGACY_KERAS"


class KerasVersionError(RuntimeError):
    """TensorFlow was imported with Keras 3 behind tf.keras."""


def use_legacy_keras() -> None:
    """Selects Keras 2 for this process and its children. Call before importing TensorFlow."""
    os.environ[ENV_VAR] = "1"
    if "tensorflow" in sys.modules:
        check_legacy_keras()


def check_legacy_keras() -> None:
    """Raises KerasVersionError unless tf.keras is Keras 2."""
    import tensorflow as tf

    implementation = tf.keras.Model.__module__.split(".")[0]
    if implementation != "tf_keras":
        raise KerasVersionError(
            f"tf.keras is '{implementation}' (Keras 3), but this pipeline needs Keras 2 (tf_keras): "
            f"set {ENV_VAR}=1 before TensorFlow is imported"
        )
