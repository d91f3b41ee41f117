"""Whether a process runs, and whether it is the process a file recorded (a Pusher's staging folder, the Beam
services).

A process id names a process only while that process runs: once it ends, or after a reboot, the same number may
name any other process. So a record that will be acted on (a signal sent) keeps the process's start time and
what its command line holds beside the id, and each is checked before acting (psutil reads them).
"""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Sequence

import psutil

# psutil derives a start time from the boot time and the clock ticks since boot; allow for the boot time's rounding.
_SAME_START_SECONDS = 1.0
_SHOWN_COMMAND_CHARACTERS = 80


def alive(pid: int) -> bool:
    """Whether a process with this id exists (another user's included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, and belongs to another user
        return True
    return True


def started(pid: int) -> float | None:
    """When the process ``pid`` started, in seconds since the epoch; None when no such process runs."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def mismatch(pid: int, *, started_at: float | None, command_holds: Sequence[str]) -> str | None:
    """Why ``pid`` is not the process a record describes, in a few words; None when it is.

    Args:
      pid: the recorded process id.
      started_at: the start time recorded with it (``started``); None checks the command line alone.
      command_holds: arguments its command line must include, e.g. the module it runs and its port.
    """
    try:
        process = psutil.Process(pid)
        created, command = process.create_time(), process.cmdline()
    except psutil.NoSuchProcess:  # a zombie too: it has ended
        return "no such process"
    except psutil.AccessDenied:
        return "another user's process, whose command line cannot be read"
    if started_at is not None and abs(created - started_at) > _SAME_START_SECONDS:
        return f"a process started at {_when(created)}, not at {_when(started_at)}"
    if not all(argument in command for argument in command_holds):
        shown = shlex.join(command)
        if len(shown) > _SHOWN_COMMAND_CHARACTERS:
            shown = shown[: _SHOWN_COMMAND_CHARACTERS - 3] + "..."
        return f"another program: {shown}" if shown else "another program, with no command line (a kernel thread?)"
    return None


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))
