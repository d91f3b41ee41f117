"""components/records/tfrecord.py: TFRecord files read without TensorFlow."""

import gzip
import struct
from pathlib import Path

import pytest

from components.records import tfrecord


def _record(data: bytes) -> bytes:
    # TFRecord framing; the CRCs are not checked by the reader, so zeros do.
    return struct.pack("<Q", len(data)) + b"\0" * 4 + data + b"\0" * 4


def test_tfrecord_reader_reads_plain_and_gzip_files(tmp_path: Path):
    payloads = [b"first", b"", b"x" * 1000]
    plain = tmp_path / "a.tfrecord"
    plain.write_bytes(b"".join(_record(p) for p in payloads))
    zipped = tmp_path / "a.tfrecord.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    assert list(tfrecord.read_records(plain)) == payloads
    assert list(tfrecord.read_records(zipped)) == payloads
    assert list(tfrecord.read_records(plain, limit=2)) == payloads[:2]


def test_tfrecord_reader_rejects_a_truncated_file(tmp_path: Path):
    path = tmp_path / "cut.tfrecord"
    path.write_bytes(_record(b"whole") + _record(b"cut short")[:-6])
    with pytest.raises(tfrecord.TFRecordError, match=r"cut.tfrecord: truncated record"):
        list(tfrecord.read_records(path))
