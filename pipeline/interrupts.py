"""Ctrl-C and SIGTERM (what Airflow and Kubernetes send) as one clean stop of a local run.

The first SIGINT or SIGTERM raises ``Interrupted`` in the main thread and records the
signal; later ones are ignored, so the stop can be reported and noted in ML Metadata
without a second interrupt cutting that short. A library on the way up may wrap the
exception in its own (Beam turns it into a pickling error), so the runner asks
``Interruption.signum``, not the exception's type, whether the run was interrupted.

A library may also drop the exception: Python prints and discards one raised while it runs a
finalizer (``__del__``), and C extensions that call back into Python can clear it. The signal
can land in either while TensorFlow works, and the run then went on to the end (a CI run exited 0
after its Ctrl-C). So each ``Interrupted`` is watched: if it is freed before the runner has
``caught`` it, the same signal is delivered again (``_thread.interrupt_main``, from a timer thread)
and raises a new one, until one reaches the runner.
"""

from __future__ import annotations

import _thread
import contextlib
import dataclasses
import signal
import threading
import weakref
from collections.abc import Iterator
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM)
REDELIVERY_SECONDS = 0.05  # after a dropped stop: time for the code that dropped it to return


class Interrupted(BaseException):
    """The run was stopped by a signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclasses.dataclass
class Interruption:
    """Which signal stopped the run, if one did, and whether the runner has the exception yet."""

    signum: int | None = None
    handled: bool = False  # the runner caught it, or the block ended: nothing more is raised
    lost: bool = False  # an Interrupted was dropped before the runner caught it: raise the next delivery
    _redelivery: threading.Timer | None = dataclasses.field(default=None, repr=False)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum else ""

    @property
    def exit_status(self) -> int:
        """128 + the signal number, as a shell reports a process the signal killed: 130, 143."""
        return 128 + self.signum if self.signum else 0

    def caught(self) -> None:
        """The runner has the stop (maybe wrapped): no signal raises anything from now on."""
        self.handled = True
        if self._redelivery is not None:
            self._redelivery.cancel()

    def _watched_stop(self) -> Interrupted:
        """A new ``Interrupted`` of the recorded signal, delivered again if it is freed before being caught."""
        stop = Interrupted(self.signum)
        weakref.finalize(stop, self._dropped).atexit = False
        return stop

    def _dropped(self) -> None:
        """An ``Interrupted`` was freed: unless the runner caught it, deliver the signal again, shortly and from
        another thread, so that the new exception is raised in the main thread's own code, not in the finalizer
        or the C call that dropped this one."""
        if self.signum is not None and not self.handled:
            self.lost = True
            self._redelivery = threading.Timer(REDELIVERY_SECONDS, self._deliver_again)
            self._redelivery.daemon = True
            self._redelivery.start()

    def _deliver_again(self) -> None:
        if self.signum is not None and not self.handled:
            _thread.interrupt_main(self.signum)


@contextlib.contextmanager
def interruptible() -> Iterator[Interruption]:
    """Handles SIGINT and SIGTERM for the block (main thread only) as described above."""
    interruption = Interruption()

    def handle(signum: int, frame: FrameType | None) -> None:
        if interruption.handled or (interruption.signum is not None and not interruption.lost):
            return
        if interruption.signum is None:
            interruption.signum = signum
        interruption.lost = False
        raise interruption._watched_stop()  # not kept in a local: the traceback holds this frame

    previous = {s: signal.signal(s, handle) for s in HANDLED}
    try:
        yield interruption
    except Interrupted:
        pass  # the runner reported it where it caught it; only a stop outside that reaches here
    finally:
        interruption.caught()
        for s, handler in previous.items():
            signal.signal(s, handler)
