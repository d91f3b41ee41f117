"""A reader of TFRecord files in plain Python, for the small files inspection reads.

Format: each record is ``uint64 length, uint32 masked CRC of length, data,
uint32 masked CRC of data``, little-endian. Lengths are checked, CRCs are not
(Python has no fast CRC32C); a truncated file raises ``TFRecordError``.
"""

from __future__ import annotations

import gzip
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


class TFRecordError(ValueError):
    """A TFRecord file is truncated or not a TFRecord file."""


def _records(stream: BinaryIO, name: str) -> Iterator[bytes]:
    while True:
        header = stream.read(12)
        if not header:
            return
        if len(header) < 12:
            raise TFRecordError(f"{name}: truncated record header")
        (length,) = struct.unpack("<Q", header[:8])
        data = stream.read(length)
        if len(data) < length or len(stream.read(4)) < 4:
            raise TFRecordError(f"{name}: truncated record (expected {length} bytes)")
        yield data


def read_records(path: str | Path, *, limit: int | None = None) -> Iterator[bytes]:
    """Yields the records of ``path`` (gzip-compressed when its name ends in .gz), at most ``limit``."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        for count, record in enumerate(_records(stream, str(path))):
            if limit is not None and count >= limit:
                return
            yield record
