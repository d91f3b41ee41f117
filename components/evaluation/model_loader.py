"""The Evaluator's model loader: TFMA's own, checking on the worker that loads it that tf.keras is Keras 2.

TFMA loads the candidate and baseline models inside its Beam transforms, so on a
portable runner, Flink, Spark or Dataflow they load on SDK workers whose environment
the entry points never see. Without ``TF_USE_LEGACY_KERAS=1`` there, TensorFlow's
Keras 3 refuses the model with a stack of Keras frames ("File format not supported
... Keras 3 only supports V3 .keras files"). The Evaluator finds
``custom_eval_shared_model`` here (its ``module_path``) and the check makes that
one line naming the variable and the worker.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

from components import legacy_keras


def checked_on_worker(construct_fn: Callable[[], Any]) -> Callable[[], Any]:
    """``construct_fn``, first checking Keras 2 in the process that calls it (a Beam worker)."""

    def construct() -> Any:
        try:
            legacy_keras.check_legacy_keras()
        except legacy_keras.KerasVersionError as e:
            raise legacy_keras.KerasVersionError(
                f"Beam worker pid {os.getpid()} on {socket.gethostname()}: {e} "
                "(start workers with `make beam-services`, or use the project's Dockerfile as the SDK container)"
            ) from None
        return construct_fn()

    return construct


def custom_eval_shared_model(eval_saved_model_path: str, model_name: str, eval_config: Any, **kwargs: Any) -> Any:
    """TFX Evaluator's hook: TFMA's default shared model, its loader checked on the worker."""
    import tensorflow_model_analysis as tfma

    shared = tfma.default_eval_shared_model(
        eval_saved_model_path=eval_saved_model_path, model_name=model_name, eval_config=eval_config, **kwargs
    )
    shared.model_loader.construct_fn = checked_on_worker(shared.model_loader.construct_fn)
    return shared
