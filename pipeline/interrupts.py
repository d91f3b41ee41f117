"""Ctrl-C and SIGTERM (what Airflow and Kubernetes send) as one clean stop of a local run.

The first SIGINT or SIGTERM raises ``Interrupted`` in the main thread and records the
signal; later ones are ignored, so the stop can be reported and noted in ML Metadata
without a second interrupt cutting that short. A library on the way up may wrap the
exception in its own (Beam turns it into a pickling error), so the runner asks
``Interruption.signum``, not the exception's type, whether the run was interrupted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
from collections.abc import Iterator
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The run was stopped by a signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclasses.dataclass
class Interruption:
    """Which signal stopped the run, if one did."""

    signum: int | None = None

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum else ""

    @property
    def exit_status(self) -> int:
        """128 + the signal number, as a shell reports a process the signal killed: 130, 143."""
        return 128 + self.signum if self.signum else 0


@contextlib.contextmanager
def interruptible() -> Iterator[Interruption]:
    """Handles SIGINT and SIGTERM for the block (main thread only) as described above."""
    interruption = Interruption()

    def handle(signum: int, frame: FrameType | None) -> None:
        if interruption.signum is not None:
            return
        interruption.signum = signum
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handle) for s in HANDLED}
    try:
        yield interruption
    except Interrupted:
        pass  # the runner reported it where it caught it; only a stop outside that reaches here
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
