"""components/records/tfrecord.py against TFRecord files TensorFlow itself wrote."""

from pathlib import Path

import tensorflow as tf

from components.records import tfrecord


def test_tfrecords_written_by_tensorflow_read_back(tmp_path: Path):
    payloads = [b"a", b"", bytes(range(256)) * 10]
    for name, options in (("plain.tfrecord", None), ("zipped.tfrecord.gz", "GZIP")):
        path = tmp_path / name
        with tf.io.TFRecordWriter(str(path), options=options) as writer:
            for payload in payloads:
                writer.write(payload)
        assert list(tfrecord.read_records(path)) == payloads
