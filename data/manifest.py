"""A record of verified data, so that a check repeated often need not decompress and hash every file each time.

Every run's pre-flight (make run-pipeline, each Airflow run's compile task) needs the SHA-256 of
each file's decompressed content, since ingestion is keyed by it. The manifest keeps, for one data
folder, the verified span layout (data/spans.py) with each file's size and modification time when
it was hashed. While the layout (which spans there are) and every file's size and modification
time are unchanged, the hashes are taken from the manifest; otherwise the folder is verified again
and the manifest rewritten. A file changed without either moving is still caught: ingestion hashes
the files again and refuses any that differ (components/ingestion/executor.py).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from data import spans

_VERSION = 2


def _stamps(layout: spans.Layout) -> dict[str, list[int]] | None:
    """{file path: [size, mtime_ns]} of every file of the layout, or None when one is missing."""
    paths = [layout.root / name for name in spans.TEST_FILES]
    paths += [folder.directory / name for folder in layout.spans for name in spans.SPAN_FILES]
    stamps = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            return None
        stamps[str(path)] = [stat.st_size, stat.st_mtime_ns]
    return stamps


def _to_json(dataset: spans.SpannedDataset) -> dict[str, object]:
    return {
        "root": str(dataset.root),
        "test_sha256": dataset.test_sha256,
        "test_count": dataset.test_count,
        "spans": {str(s.number): s.to_json() for s in dataset.spans},
        "official": dataset.official,
        "source": dataset.source,
    }


def _from_json(record: dict) -> spans.SpannedDataset:
    return spans.SpannedDataset(
        root=Path(record["root"]),
        test_sha256=dict(record["test_sha256"]),
        test_count=int(record["test_count"]),
        spans=tuple(
            sorted((spans.Span.from_json(int(n), s) for n, s in record["spans"].items()), key=lambda s: s.number)
        ),
        official=bool(record["official"]),
        source=str(record["source"]),
    )


def write(manifest_path: Path, dataset: spans.SpannedDataset) -> None:
    """Records ``dataset`` (just verified) with its files' current sizes and modification times."""
    stamps = _stamps(spans.discover(dataset.root))
    if stamps is None:
        return
    record = {"version": _VERSION, "dataset": _to_json(dataset), "stamps": stamps}
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    partial = manifest_path.with_name(f".{manifest_path.name}.{os.getpid()}")
    partial.write_text(json.dumps(record, indent=2, sort_keys=True))
    partial.replace(manifest_path)


def read(manifest_path: Path, directory: Path) -> spans.SpannedDataset | None:
    """The dataset the manifest records for ``directory``; None when absent, unreadable or out of date."""
    try:
        record = json.loads(manifest_path.read_text())
        if record.get("version") != _VERSION or record["dataset"]["root"] != str(directory):
            return None
        if record["stamps"] != _stamps(spans.discover(directory)):
            return None
        return _from_json(record["dataset"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def locate(*, data_dir: Path | None, raw_dir: Path, manifest_path: Path) -> spans.SpannedDataset:
    """``spans.locate`` (without apt or downloads), hashing only when the files changed since the manifest.

    Raises:
      data.idx.IdxError, sources.DataSourceError: as ``spans.locate``.
    """
    directory = Path(data_dir) if data_dir is not None else Path(raw_dir)
    recorded = read(manifest_path, directory)
    if recorded is not None:
        return recorded
    dataset = spans.locate(data_dir=data_dir, raw_dir=raw_dir, allow_apt=False, allow_download=False)
    with contextlib.suppress(OSError):  # an unwritable output folder only costs the next check its hashing
        write(manifest_path, dataset)
    return dataset
