"""interrupts: the first SIGINT or SIGTERM stops the run once, even where a library drops the exception."""

import pickle
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from pipeline.local import interrupts
from tests.conftest import REPO_ROOT


def _spin(seconds: float = 2.0) -> None:
    """The run going on: Python bytecode for a delivered signal's handler to run in."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


def test_the_first_signal_raises_and_a_second_on_its_way_up_is_ignored():
    with interrupts.interruptible() as interruption:
        try:
            signal.raise_signal(signal.SIGTERM)
            pytest.fail("SIGTERM raised nothing")
        except interrupts.Interrupted:
            signal.raise_signal(signal.SIGINT)  # while the stop is on its way to the runner: no second exception
            _spin(0.5)
            interruption.caught()
    assert (interruption.name, interruption.exit_status) == ("SIGTERM", 143)


def test_a_stop_a_library_swallowed_is_raised_again():
    with interrupts.interruptible() as interruption:
        with pytest.raises(interrupts.Interrupted):
            try:  # noqa: SIM105 - spelt out: this is the library's code
                signal.raise_signal(signal.SIGINT)
            except BaseException:  # noqa: BLE001 - a library that drops everything
                pass
            _spin()
        interruption.caught()
        signal.raise_signal(signal.SIGINT)  # after the runner caught it: nothing more
    assert interruption.exit_status == 130


def test_nothing_is_raised_after_the_block_when_a_kept_stop_is_freed():
    with interrupts.interruptible():
        try:
            signal.raise_signal(signal.SIGINT)
        except interrupts.Interrupted as e:
            kept = e
    del kept
    _spin(0.5)  # no KeyboardInterrupt from a delivery after the block


@pytest.mark.parametrize(
    "drop",
    [
        # A __del__ method, run as an object is freed.
        "class Finalized:\n    def __del__(self):\n        signal.raise_signal(signal.SIGINT)\n\nFinalized()",
        # A weakref callback, as WeakSet._remove was when CI's and a run here lost their Ctrl-C at the Trainer.
        "class Referent:\n    pass\n\nreferent = Referent()\n"
        "watch = weakref.ref(referent, lambda _: signal.raise_signal(signal.SIGINT))\ndel referent",
    ],
    ids=["__del__", "weakref callback"],
)
def test_a_stop_raised_in_a_finalizer_is_raised_again_outside_it(drop: str):
    # In a process of its own: pytest keeps an exception a finalizer raised until the test ends.
    script = "\n".join(
        [
            "import signal, time, weakref",
            "from pipeline.local import interrupts",
            "with interrupts.interruptible() as interruption:",
            "    try:",
            textwrap.indent(drop, " " * 8),  # the handler raises in there; Python prints and drops it
            "        deadline = time.monotonic() + 2",
            "        while time.monotonic() < deadline:",
            "            pass",
            "        print('the run went on')",
            "    except interrupts.Interrupted:",
            "        interruption.caught()",
            "        print('stopped by', interruption.name)",
        ]
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert "Exception ignored in" in done.stderr  # the first exception was dropped
    assert done.stdout.splitlines() == ["stopped by SIGINT"] and done.returncode == 0


def test_a_stop_survives_pickling_as_beam_may_pickle_it():
    assert pickle.loads(pickle.dumps(interrupts.Interrupted(signal.SIGTERM))).signum == signal.SIGTERM
