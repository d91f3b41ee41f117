"""The Keras callback that logs one ``progress.Epoch`` per finished epoch (see components/contract/progress.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import tensorflow as tf

from components.contract import progress


class EpochLogger(tf.keras.callbacks.Callback):
    """Logs an ``Epoch`` at the end of each epoch of ``fit`` (``epochs`` is the fit's)."""

    def __init__(self, task: str, epochs: int) -> None:
        super().__init__()
        self._task, self._epochs = task, epochs
        self._seconds: list[float] = []
        self._started = 0.0

    @property
    def seconds(self) -> list[float]:
        """Each finished epoch's wall seconds, in order."""
        return list(self._seconds)

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        self._started = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        self._seconds.append(time.monotonic() - self._started)
        figures = progress.epoch_figures(self._task, epoch + 1, self._epochs, logs or {}, self._seconds)
        logger = logging.getLogger(progress.LOGGER_NAME)
        logger.setLevel(logging.INFO)
        logger.info("%s", figures.text(), extra={progress.RECORD_ATTRIBUTE: figures})
