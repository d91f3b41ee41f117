"""Paths as text. Paths are bytes on Linux, and Python holds a byte of a name that is not UTF-8 as a lone
surrogate (``os.fsdecode``), which no encoder accepts: a console line shows it escaped (``\\xff``), and the flags
refuse such a name where TFX would record it.

TFX's pipeline IR and ML Metadata keep paths as UTF-8 text (protobuf strings): its compiler fails on such a name
("unsupported parameter input_base"), after the console's first lines and a log file were written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def printable(text: str) -> str:
    """``text`` with the bytes of a file name that are not UTF-8 shown escaped (``\\xff``), so any stream writes it."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no file name's byte gave
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def shown(path: Path | str) -> str:
    """``path`` as printable text, a byte that is not UTF-8 as an escape (``\\xff``)."""
    return printable(os.fspath(path))


def is_utf8(path: Path | str) -> bool:
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def not_utf8(paths: Mapping[str, Path | None]) -> str | None:
    """The first of ``paths`` (flag -> path) whose name is not UTF-8, in one sentence; None when there is none."""
    for flag, path in paths.items():
        if path is not None and not is_utf8(path):
            return f"{flag} {shown(path)}: the name is not valid UTF-8, which TFX cannot record; rename the folder"
    return None
