"""Copies of the ML Metadata store, taken before each run, and restoring the newest sound one.

``make run-pipeline`` copies the store (SQLite's online backup) into
``OUTPUT_DIR/metadata-backups/`` before TFX opens it, keeping the newest ``KEEP``.
``make restore-metadata`` (``python -m pipeline.metadata.backups``) puts the newest
sound copy back, keeping the damaged file beside it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pipeline.config import DEFAULT_OUTPUT_DIR, metadata_path
from pipeline.metadata import health

KEEP = 3


def backup(path: Path, *, keep: int = KEEP) -> Path | None:
    """Copies the store at ``path`` (if it has any content) and drops all but the newest ``keep`` copies."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    folder = path.parent / health.BACKUP_DIR_NAME
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder / f"metadata-{stamp}-{time.time_ns() % 1_000_000_000:09d}.sqlite"
    partial = folder / f".{target.name}.partial"
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    partial.replace(target)
    for old in health.backups(path)[keep:]:
        old.unlink(missing_ok=True)
    return target


def restore(path: Path) -> Path:
    """Puts the newest sound copy in place of the store at ``path``; the file it replaces is kept beside it.

    Raises:
      health.StoreDamagedError: there is no sound copy.
    """
    good = health.newest_good_backup(path)
    if good is None:
        raise health.StoreDamagedError(f"{path}: no sound copy in {path.parent / health.BACKUP_DIR_NAME}")
    if path.exists():
        os.replace(path, path.with_name(f"{path.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}"))
    partial = path.with_name(f".{path.name}.partial")
    shutil.copyfile(good, partial)
    partial.replace(path)
    return good


def main(argv: Sequence[str] | None = None) -> int:
    """``make restore-metadata``: one line saying which copy was restored."""
    parser = argparse.ArgumentParser(description="Restore the newest sound copy of the ML Metadata store.")
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR)
    args = parser.parse_args(argv)
    path = metadata_path(args.output_dir.resolve())
    try:
        good = restore(path)
    except health.StoreDamagedError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"restored {path} from {good}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
