"""Running a command from the repository root: its wall time, and the peak memory of all its processes."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import psutil

from pipeline.config import REPO_ROOT


class PeakMemory:
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self._process = psutil.Process(pid)
        self._interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self._process, *self._process.children(recursive=True)]
                total = 0
                for p in processes:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        continue
                self.peak_bytes = max(self.peak_bytes, total)
            except psutil.Error:
                return
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(cmd: Sequence[str], *, log: Path, measure_memory: bool = False) -> tuple[float, int, str]:
    """Runs ``cmd`` from the repository root; returns (wall seconds, peak bytes, stdout)."""
    started = time.monotonic()
    with open(log, "a") as err:
        process = subprocess.Popen(list(cmd), cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=err, text=True)
        peak = 0
        if measure_memory:
            with PeakMemory(process.pid) as memory:
                stdout, _ = process.communicate()
            peak = memory.peak_bytes
        else:
            stdout, _ = process.communicate()
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {process.returncode}); see {log}\n{stdout[-2000:]}")
    return wall, peak, stdout
