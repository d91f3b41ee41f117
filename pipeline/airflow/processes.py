"""The processes of a local Airflow 3: started each in a session of its own, and every one of their descendants
stopped, however they ended (pipeline/airflow/local.py).

The process that starts them is their subreaper (``PR_SET_CHILD_SUBREAPER``): a task that left its parent's
session (the standard provider's commands do), or whose parent died (a killed scheduler), is re-parented to it,
not to init, and so is still found among its descendants. ``stop`` lists them again after every signal until
none is left.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

from pipeline.airflow.site import UMASK, AirflowError, Site, last_line

SERVICES = ("scheduler", "dag-processor", "api-server", "triggerer")
# Airflow serves task logs over HTTP on every interface (port 8793, not configurable in 3.3); the logs are on
# this disk, where the API server reads them.
_NO_LOG_SERVER = {"scheduler": ["--skip-serve-logs"], "triggerer": ["--skip-serve-logs"]}
# How long the processes get to stop on SIGTERM before they are killed.
_STOP_SECONDS = 30
_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process, not to init: ``stop`` finds every one."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise AirflowError(f"prctl(PR_SET_CHILD_SUBREAPER) failed: {os.strerror(ctypes.get_errno())}")


@dataclasses.dataclass
class Running:
    """The started services, by name, with their logs."""

    processes: dict[str, subprocess.Popen]
    logs: dict[str, Path]

    def dead(self) -> list[str]:
        return [name for name, p in self.processes.items() if p.poll() is not None]

    def last_words(self, name: str) -> str:
        try:
            return last_line(self.logs[name].read_text(errors="replace")[-4000:])
        except OSError:
            return "no log"


def start(site: Site, env: dict[str, str]) -> Running:
    """Starts the services, each in a session of its own (the terminal's Ctrl-C reaches this process only)."""
    site.logs.mkdir(exist_ok=True)
    running = Running({}, {})
    for name in SERVICES:
        log = site.logs / f"{name}.out"
        with os.fdopen(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab") as out:
            running.processes[name] = subprocess.Popen(
                [str(site.airflow), name, *_NO_LOG_SERVER.get(name, [])],
                env=env, cwd=site.home, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, umask=UMASK,
            )  # fmt: skip
        running.logs[name] = log
    return running


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def stop(grace: float = _STOP_SECONDS) -> None:
    """Stops every descendant of this process: SIGTERM to each, SIGKILL after ``grace`` s.

    Descendants are listed again after every round, so a task a scheduler started while it was being
    signalled is found and stopped too; it returns when none is left.
    """
    # A second Ctrl-C (or a SIGTERM) must not cut the stop short and leave processes behind.
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    me = psutil.Process()
    deadline = time.monotonic() + grace
    signalled: set[int] = set()
    try:
        while True:
            _reap()
            family = [p for p in me.children(recursive=True) if _alive(p)]
            if not family:
                return
            late = time.monotonic() > deadline
            for member in family:
                with contextlib.suppress(psutil.NoSuchProcess):
                    if late:
                        member.kill()
                    elif member.pid not in signalled:
                        member.terminate()
                        signalled.add(member.pid)
            time.sleep(0.2)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@contextlib.contextmanager
def serving(site: Site, env: dict[str, str]) -> Iterator[Running]:
    """The site's services for the duration of a ``with`` block; every process stopped however it ends."""
    try:
        yield start(site, env)
    finally:
        stop()
