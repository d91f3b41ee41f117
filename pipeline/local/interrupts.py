"""Ctrl-C and SIGTERM (what Airflow and Kubernetes send) as one clean stop of a local run.

The first SIGINT or SIGTERM raises ``Interrupted`` in the main thread and records the
signal; later ones are ignored, so the stop can be reported and noted in ML Metadata
without a second interrupt cutting that short. A library on the way up may wrap the
exception in its own (Beam turns it into a pickling error), so the runner asks
``Interruption.signum``, not the exception's type, whether the run was interrupted.

A library may also drop the exception: Python prints and discards one raised while it runs a
finalizer (``__del__``), and C extensions that call back into Python can clear it. The signal
can land in either while TensorFlow works; in CI a run went on to the end and exited 0 after its
Ctrl-C. So each ``Interrupted`` is watched: if it is freed before the runner has ``caught`` it, a
watcher thread delivers the same signal again (``_thread.interrupt_main``), which raises a new one
in the main thread's own code, until one reaches the runner. What this cannot see: an exception a
library keeps (it is never freed), or one freed late in a reference cycle (seen at the next
garbage collection).
"""

from __future__ import annotations

import _thread
import contextlib
import dataclasses
import queue
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

    def __reduce__(self) -> tuple[type[Interrupted], tuple[int]]:
        return Interrupted, (self.signum,)


@dataclasses.dataclass
class Interruption:
    """Which signal stopped the run, if one did, and whether the runner has the exception yet."""

    signum: int | None = None
    handled: bool = False  # the runner caught it, or the block ended: nothing more is raised
    lost: bool = False  # an Interrupted was dropped before the runner caught it: raise the next delivery
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, init=False, repr=False)
    # Dropped stops, for the watcher thread; SimpleQueue.put is safe in a finalizer, which may run anywhere.
    _dropped_stops: queue.SimpleQueue = dataclasses.field(default_factory=queue.SimpleQueue, init=False, repr=False)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum else ""

    @property
    def exit_status(self) -> int:
        """128 + the signal number, as a shell reports a process the signal killed: 130, 143."""
        return 128 + self.signum if self.signum else 0

    def caught(self) -> None:
        """The runner has the stop (maybe wrapped): no signal raises anything, and none is delivered again."""
        with self._lock:
            self.handled = True

    def _watched_stop(self) -> Interrupted:
        """A new ``Interrupted`` of the recorded signal, reported to the watcher if it is freed uncaught."""
        stop = Interrupted(self.signum)
        weakref.finalize(stop, self._dropped_stops.put, True).atexit = False
        return stop

    def _watch(self) -> None:
        """The watcher thread: delivers the signal again after each dropped stop, until told to end (False)."""
        while self._dropped_stops.get():
            with self._lock:
                if self.handled:
                    continue
                self.lost = True
            threading.Event().wait(REDELIVERY_SECONDS)
            with self._lock:  # not after ``caught``: the previous handlers may be back by then
                if not self.handled:
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

    watcher = threading.Thread(target=interruption._watch, name="interrupt-watcher", daemon=True)
    watcher.start()
    previous = {s: signal.signal(s, handle) for s in HANDLED}
    try:
        yield interruption
    except Interrupted:
        pass  # the runner reported it where it caught it; only a stop outside that reaches here
    finally:
        interruption.caught()
        interruption._dropped_stops.put(False)
        # Joining runs Python code, in which a delivery made before ``caught`` reaches ``handle`` (which now
        # ignores it), not the handler restored below.
        watcher.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
