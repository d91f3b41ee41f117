"""A record of verified raw files, so that a check repeated often need not decompress and hash 55 MB each time.

Airflow parses DAG files every 30 s by default; building the DAG needs the SHA-256 of
each file's decompressed content, since ingestion is keyed by it. The manifest keeps,
for one data folder, those hashes with each file's size and modification time when it
was hashed. While no file's size or modification time has changed, the hashes are
taken from the manifest; otherwise the files are verified again and the manifest
rewritten. A file changed without either moving is still caught: ingestion hashes the
files again and refuses any that differ (components/ingestion/executor.py).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from data import sources

_VERSION = 1


def _stamps(directory: Path) -> dict[str, list[int]] | None:
    """[size, mtime_ns] of each of the four files, or None when one is missing."""
    stamps = {}
    for name in sources.FILE_NAMES:
        try:
            stat = (directory / name).stat()
        except OSError:
            return None
        stamps[name] = [stat.st_size, stat.st_mtime_ns]
    return stamps


def write(manifest_path: Path, dataset: sources.RawDataset) -> None:
    """Records ``dataset`` (just verified) with its files' current sizes and modification times."""
    stamps = _stamps(dataset.directory)
    if stamps is None:
        return
    record = {
        "version": _VERSION,
        "directory": str(dataset.directory),
        "files": {name: {"sha256": dataset.sha256[name], "count": dataset.counts[name]} for name in stamps},
        "stamps": stamps,
        "official": dataset.official,
        "source": dataset.source,
    }
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    partial = manifest_path.with_name(f".{manifest_path.name}.{os.getpid()}")
    partial.write_text(json.dumps(record, indent=2, sort_keys=True))
    partial.replace(manifest_path)


def read(manifest_path: Path, directory: Path) -> sources.RawDataset | None:
    """The dataset the manifest records for ``directory``; None when absent, unreadable or out of date."""
    try:
        record = json.loads(manifest_path.read_text())
        if record.get("version") != _VERSION or record.get("directory") != str(directory):
            return None
        if record["stamps"] != _stamps(directory):
            return None
        files = record["files"]
        return sources.RawDataset(
            directory=directory,
            sha256={name: files[name]["sha256"] for name in sources.FILE_NAMES},
            counts={name: files[name]["count"] for name in sources.FILE_NAMES},
            official=bool(record["official"]),
            source=str(record["source"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def locate(*, data_dir: Path | None, raw_dir: Path, manifest_path: Path) -> sources.RawDataset:
    """``sources.locate`` (without apt or downloads), hashing only when the files changed since the manifest.

    Raises:
      data.idx.IdxError, sources.DataSourceError: as ``sources.locate``.
    """
    directory = Path(data_dir) if data_dir is not None else Path(raw_dir)
    recorded = read(manifest_path, directory)
    if recorded is not None:
        return recorded
    dataset = sources.locate(data_dir=data_dir, raw_dir=raw_dir, allow_apt=False, allow_download=False)
    with contextlib.suppress(OSError):  # an unwritable output folder only costs the next check its hashing
        write(manifest_path, dataset)
    return dataset
