"""Inspection's TensorFlow-free readers against records written by TensorFlow and TFMA themselves."""

from pathlib import Path

import tensorflow as tf
import tensorflow_model_analysis as tfma

from components import features
from components.records import evaluation_results as evaluation_lib
from components.records import protos, tfrecord
from tests.evaluation_fixtures import write_evaluation


def test_tfrecords_written_by_tensorflow_read_back(tmp_path: Path):
    payloads = [b"a", b"", bytes(range(256)) * 10]
    for name, options in (("plain.tfrecord", None), ("zipped.tfrecord.gz", "GZIP")):
        path = tmp_path / name
        with tf.io.TFRecordWriter(str(path), options=options) as writer:
            for payload in payloads:
                writer.write(payload)
        assert list(tfrecord.read_records(path)) == payloads


def test_a_tf_example_parses_without_tensorflow():
    example = tf.train.Example()
    example.features.feature[features.IMAGE_KEY].bytes_list.value.append(bytes(784))
    example.features.feature[features.LABEL_KEY].int64_list.value.append(3)
    parsed = protos.parse("tensorflow.Example", example.SerializeToString())
    assert parsed.SerializeToString() == example.SerializeToString()


def test_an_evaluation_reads_back_without_tfma(tmp_path: Path):
    write_evaluation(tmp_path / "ev", candidate=0.85, baseline=0.92, failed=True)
    ev = evaluation_lib.read_evaluation(tmp_path / "ev")
    assert (ev.accuracy, ev.baseline_accuracy, ev.example_count) == (0.85, 0.92, 1000)
    assert ev.class_accuracy == {c: 0.5 + c / 100 for c in range(10)}
    assert ev.baseline_class_accuracy == dict.fromkeys(range(10), 0.6)
    assert ev.validation_ok is False
    assert ev.failures == ["overall: sparse_categorical_accuracy 0.8500 is below the floor 0.9000"]
    assert [f"{t.where}: {t.rule}" for t in ev.thresholds] == [
        "overall: SparseCategoricalAccuracy >= 0.9000",
        "overall: SparseCategoricalAccuracy no more than 0.0100 below the baseline model's",
        "each label slice: SparseCategoricalAccuracy >= 0.5000",
    ]
    assert ev.confusion_matrix[3][3] == 90 and ev.confusion_matrix[3][4] == 10
    assert sum(map(sum, ev.confusion_matrix)) == 1000


def test_tfma_reads_the_same_numbers(tmp_path: Path):
    """The hand-written folder is one TFMA itself accepts, so the reader above is tested on the real format."""
    write_evaluation(tmp_path / "ev", candidate=0.85, baseline=None, failed=False)
    loaded = list(tfma.load_metrics(str(tmp_path / "ev")))
    assert len(loaded) == 11
    assert tfma.load_validation_result(str(tmp_path / "ev")).validation_ok
