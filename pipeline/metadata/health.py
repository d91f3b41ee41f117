"""Whether an ML Metadata store file is sound, checked with SQLite alone before anything else opens it.

A full disk can leave the store empty or cut short; ML Metadata would then start a
new history over the old pipeline root (and fail on the first output folder that
already exists) or fail with SQL text that names no file. Checked first, a damaged
store stops the run, ``make inspect`` and ``make report`` with one line naming the
file, what is wrong, and the newest copy that is sound (pipeline/metadata/backups.py
keeps them).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# Where the runner keeps copies of the store (beside it), newest last by name.
BACKUP_DIR_NAME = "metadata-backups"
BACKUP_GLOB = "metadata-*.sqlite"
_SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every ML Metadata 1.16 SQLite store has.
_MLMD_TABLES = frozenset({"Artifact", "Context", "Event", "Execution", "MLMDEnv", "Type"})


class StoreDamagedError(RuntimeError):
    """The store file is not a sound ML Metadata store. The message names it, the problem and what to do."""


def problem(path: Path) -> str | None:
    """What is wrong with the store file at ``path``; None when it is sound or does not exist."""
    path = Path(path)
    if not path.exists():
        return None
    if not path.is_file():
        return "is not a file"
    try:
        with open(path, "rb") as f:
            header = f.read(len(_SQLITE_HEADER))
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if not header:
        return "is empty (0 bytes), so the history of every run is gone from it"
    if header != _SQLITE_HEADER:
        return "is not an SQLite database"
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as e:
        return f"is damaged (SQLite: {e})"
    if verdict != "ok":
        return f"is damaged (SQLite: {verdict})"
    if not tables >= _MLMD_TABLES:
        return "is an SQLite database but not an ML Metadata store"
    return None


def backups(path: Path) -> list[Path]:
    """The copies of the store at ``path``, newest first."""
    return sorted((Path(path).parent / BACKUP_DIR_NAME).glob(BACKUP_GLOB), reverse=True)


def newest_good_backup(path: Path) -> Path | None:
    """The newest copy of the store that is sound, if any."""
    return next((copy for copy in backups(path) if problem(copy) is None), None)


def check(path: Path) -> None:
    """Raises StoreDamagedError when the store at ``path`` exists and is not sound."""
    found = problem(path)
    if found is None:
        return
    good = newest_good_backup(path)
    advice = (
        f"restore the newest sound copy ({good}) with `make restore-metadata`"
        if good
        else f"no sound copy in {Path(path).parent / BACKUP_DIR_NAME}; move the file away to start a new history"
    )
    raise StoreDamagedError(f"{path} {found}; {advice}")
