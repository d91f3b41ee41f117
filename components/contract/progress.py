"""Training progress, one record per epoch: what a person watching the run sees.

The Keras callback (components/training/callbacks.py) logs one INFO record per finished epoch on the
logger ``LOGGER_NAME``: its text the plain line ``Epoch.text()``, its figures attached as the
record's ``RECORD_ATTRIBUTE``. Wherever the logs go (a task log under Airflow, the run's log file)
that is one plain line per epoch; the local runner's console also shows it as it happens
(pipeline/local/console.py). The training code knows nothing of consoles, so it runs the same under
every orchestrator. No TensorFlow here: the console reads these without it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

LOGGER_NAME = "fashion_mnist.training"
# The attribute of the log record that carries the figures.
RECORD_ATTRIBUTE = "epoch"


@dataclasses.dataclass(frozen=True)
class Epoch:
    """One finished epoch of a training (the Trainer's, or one of the Tuner's trials)."""

    task: str  # "training", "trial 2/4"
    epoch: int  # 1-based
    epochs: int
    loss: float | None
    accuracy: float | None
    eval_accuracy: float | None
    seconds: float  # this epoch's
    seconds_left: float  # the remaining epochs at the mean pace so far

    def text(self) -> str:
        """The plain line, e.g.
        ``training epoch  3/16: loss 0.5120, accuracy 0.8710, eval accuracy 0.9020, 24.1 s, 5m 10s left``."""
        figures = [
            f"{name} {value:.4f}"
            for name, value in (("loss", self.loss), ("accuracy", self.accuracy), ("eval accuracy", self.eval_accuracy))
            if value is not None
        ]
        width = len(str(self.epochs))
        return (
            f"{self.task} epoch {self.epoch:>{width}}/{self.epochs}: {', '.join(figures)}, "
            f"{self.seconds:.1f} s, {duration(self.seconds_left)} left"
        )


def duration(seconds: float) -> str:
    """``75.4`` -> ``1m 15s``; ``9.6`` -> ``10s``."""
    whole = round(max(seconds, 0.0))
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"


def epoch_figures(task: str, epoch: int, epochs: int, logs: Mapping[str, float], seconds: list[float]) -> Epoch:
    """The Epoch of epoch ``epoch`` (1-based) of ``epochs``, from Keras's logs and every epoch's seconds so far."""

    def figure(key: str) -> float | None:
        return float(logs[key]) if key in logs else None

    mean = sum(seconds) / len(seconds)
    return Epoch(
        task=task,
        epoch=epoch,
        epochs=epochs,
        loss=figure("loss"),
        accuracy=figure("accuracy"),
        eval_accuracy=figure("val_accuracy"),
        seconds=seconds[-1],
        seconds_left=mean * (epochs - epoch),
    )
