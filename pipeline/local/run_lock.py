"""One run at a time per output folder.

An exclusive ``flock`` on ``<output>/.run.lock``: the kernel drops it when the
holding process dies, however it dies, so a killed run never leaves a stale
lock. The file says who holds it, for the message the next run prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE_NAME = ".run.lock"
GITIGNORE_FILE_NAME = ".gitignore"
GITIGNORE_TEXT = "# Written by the pipeline, which created this output folder: nothing in it is committed.\n*\n"


class RunLockedError(RuntimeError):
    """Another run holds the output folder."""


class OutputFolderError(RuntimeError):
    """The output folder cannot be used. The message names it and the problem."""


def prepare(output_dir: Path) -> None:
    """Creates the output folder where missing, with a ``.gitignore`` of ``*``: wherever it lands (a relative
    ``OUTPUT_DIR`` is inside the checkout), git ignores it. A folder that exists is left as it is.

    Raises:
      OutputFolderError: the folder cannot be used.
    """
    if output_dir.exists() and not output_dir.is_dir():
        raise OutputFolderError(f"{output_dir}: the output folder is a file, not a folder")
    try:
        output_dir.mkdir(parents=True)
    except FileExistsError:
        return
    except OSError as e:
        raise OutputFolderError(f"{output_dir}: cannot create the output folder: {e.strerror}") from None
    try:
        (output_dir / GITIGNORE_FILE_NAME).write_text(GITIGNORE_TEXT)
    except OSError as e:
        raise OutputFolderError(f"{output_dir}: cannot write in the output folder: {e.strerror}") from None


@contextlib.contextmanager
def run_lock(output_dir: Path, description: str) -> Iterator[None]:
    """Holds the output folder's lock for the block, or raises RunLockedError at once.

    Raises:
      OutputFolderError: the folder cannot be created or written.
    """
    prepare(output_dir)
    path = output_dir / LOCK_FILE_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise OutputFolderError(f"{output_dir}: cannot write in the output folder: {e.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = Path(path).read_text().strip() or "another process"
            raise RunLockedError(f"{output_dir} is in use by a running pipeline ({holder})") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, {description}, since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode())
        yield
    finally:
        os.close(fd)
