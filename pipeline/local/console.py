"""What a person sees while the pipeline runs: one line per component (with a line per training epoch
under the Trainer's and the Tuner's), then a summary.

TFX's, Beam's and TensorFlow's own logs (Python and C++) go to a log file: the
process's stdout and stderr file descriptors are pointed at it for the run,
while the console keeps a duplicate of the original ones.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from components.contract import progress
from pipeline.path_checks import printable

# Messages TFX 1.16's LocalDagRunner and launcher log for each node (the format
# strings, not the formatted text). Pinned with TFX; tests/e2e checks the lines.
_NODE_RUNNING = "Component %s is running."
_NODE_FINISHED = "Component %s is finished."
_CACHED_EXECUTION = "A cached execution %d is used."
# Epoch lines sit under their component's line, indented past its "[11/15]".
_EPOCH_INDENT = "        "


class Console:
    """Writes progress and summary lines to the terminal the run was started from."""

    def __init__(self, stream: TextIO, total_nodes: int = 0, *, error_stream: TextIO | None = None) -> None:
        self._stream = stream
        self._error_stream = error_stream or stream
        self.total_nodes = total_nodes
        self._index = 0
        self._node: str | None = None
        self._started = 0.0
        self._cached = False
        self.node_states: dict[str, tuple[str, float]] = {}

    def line(self, text: str) -> None:
        self._stream.write(printable(text) + "\n")
        self._stream.flush()

    def error(self, text: str) -> None:
        self._error_stream.write(f"error: {printable(text)}\n")
        self._error_stream.flush()

    def warning(self, text: str) -> None:
        self._error_stream.write(f"warning: {text}\n")
        self._error_stream.flush()

    def node_started(self, node_id: str) -> None:
        self._index += 1
        self._node, self._started, self._cached = node_id, time.monotonic(), False
        if self._stream.isatty():
            self._write_running()
            self._stream.flush()

    def _write_running(self) -> None:
        """The running node's line, ending in a carriage return so the next write replaces it (terminal only)."""
        self._stream.write(f"{self._prefix()} {self._node:<30} running\r")

    def epoch(self, figures: progress.Epoch) -> None:
        """An epoch of the running node's training, on a line of its own under the node's.

        On a terminal the node's ``running`` line is cleared first and written again below, so the
        line that updates stays last; elsewhere (a pipe, CI, a file) plain lines, no carriage returns.
        """
        if self._stream.isatty():
            self._stream.write(f"\r\033[K{_EPOCH_INDENT}{figures.text()}\n")
            if self._node is not None:
                self._write_running()
            self._stream.flush()
        else:
            self.line(f"{_EPOCH_INDENT}{figures.text()}")

    def node_cached(self) -> None:
        self._cached = True

    def node_finished(self, node_id: str) -> None:
        self._end(node_id, "cached" if self._cached else "done")

    def node_failed(self) -> None:
        if self._node is not None:
            self._end(self._node, "FAILED")

    def progress_words(self) -> str:
        """How far the run got, for a run stopped outside any component."""
        if not self.node_states:
            return "before any component ran; nothing was changed"
        return f"after {len(self.node_states)} components; a rerun resumes from the cached components"

    @property
    def current_node(self) -> str | None:
        return self._node

    def _end(self, node_id: str, state: str) -> None:
        elapsed = time.monotonic() - self._started
        self.node_states[node_id] = (state, elapsed)
        self.line(f"{self._prefix()} {node_id:<30} {state:<7} {elapsed:7.1f} s")
        self._node = None

    def _prefix(self) -> str:
        width = len(str(self.total_nodes or 0))
        return f"[{self._index:>{width}}/{self.total_nodes}]"


class ProgressHandler(logging.Handler):
    """Turns TFX's per-node log records, and the training's per-epoch ones, into Console lines."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.INFO)
        self._console = console

    def emit(self, record: logging.LogRecord) -> None:
        figures = getattr(record, progress.RECORD_ATTRIBUTE, None)
        if isinstance(figures, progress.Epoch):
            self._console.epoch(figures)
        elif record.msg == _NODE_RUNNING:
            self._console.node_started(str(record.args[0]))
        elif record.msg == _CACHED_EXECUTION:
            self._console.node_cached()
        elif record.msg == _NODE_FINISHED:
            self._console.node_finished(str(record.args[0]))


@contextlib.contextmanager
def output_to_log(log_path: Path) -> Iterator[None]:
    """Points fds 1 and 2 at ``log_path`` for the block."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        for fd in (saved_out, saved_err, log_fd):
            os.close(fd)


@contextlib.contextmanager
def progress_lines(console: Console) -> Iterator[None]:
    """Feeds absl's INFO records (where TFX logs node progress) to ``console``."""
    from absl import logging as absl_logging

    absl_logging.set_verbosity(absl_logging.INFO)
    loggers = [logging.getLogger("absl"), logging.getLogger(progress.LOGGER_NAME)]
    handler = ProgressHandler(console)
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
