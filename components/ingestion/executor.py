"""Executor of FashionMnistExampleGen: a Beam transform from IDX rows to TFRecord files per split."""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import apache_beam as beam
import numpy as np
import tensorflow as tf
from tfx.components.util import examples_utils
from tfx.dsl.components.base import base_beam_executor
from tfx.proto import example_gen_pb2
from tfx.types import artifact, artifact_utils

from components import artifact_list
from components.contract import features, keys, properties
from components.ingestion import examples
from data import idx, sources
from data import spans as spans_lib

# Rows per Beam element, and per output file: large enough to amortise per-element
# overhead, small enough to spread the encoding over workers on a cluster.
ROWS_PER_SHARD = 5000
OUTPUT_FILE_PREFIX = "data_tfrecord"

# Decoded IDX arrays by file path. The executor seeds it with what it has read and
# checked, so in-process Beam workers (the DirectRunner) do not decode the files
# again; remote workers fill it from the files, once per process.
_ARRAYS: dict[str, np.ndarray] = {}


def _array(path: str, read: Any) -> np.ndarray:
    if path not in _ARRAYS:
        _ARRAYS[path] = read(path).array
    return _ARRAYS[path]


def spans_at_run_time(input_base: str) -> dict[int, dict[str, Any]]:
    """{span: record} of every span in ``input_base`` now, for a spec compiled before they arrived (Kubeflow).

    The folder is listed with TensorFlow's file systems (gs:// too); the records carry no hashes, since
    no pre-flight saw these files: each is checked as it is read. The flat layout is span 1.

    Raises:
      idx.IdxError: a span folder's name is not ``span-<number>``, or there is no training data.
    """
    found = {}
    for entry in tf.io.gfile.listdir(input_base):
        name = entry.rstrip("/")
        try:
            number = spans_lib.span_number(name)
        except ValueError as e:
            raise idx.IdxError(posixpath.join(input_base, name), str(e)) from None
        if number is not None and number < 1:
            raise idx.IdxError(posixpath.join(input_base, name), f"span numbers start at 1 ({spans_lib.SPAN_PREFIX}1)")
        if number is not None:
            found[number] = {"folder": name, "sha256": None, "version": 0}
    if not found and tf.io.gfile.exists(posixpath.join(input_base, sources.TRAIN_IMAGES)):
        found[spans_lib.FLAT_SPAN] = {"folder": ".", "sha256": None, "version": 0}
    if not found:
        raise idx.IdxError(input_base, f"no {spans_lib.SPAN_PREFIX}<n> folder and no {sources.TRAIN_IMAGES}")
    return found


def read_checked(
    directory: str, names: Sequence[str], expected_sha256: Mapping[str, str] | None
) -> dict[str, idx.IdxContent]:
    """Reads an images file and its labels file and checks them against the hashes the pre-flight saw.

    Raises:
      idx.IdxError: a file is malformed or changed since the pre-flight check (``expected_sha256``;
        None when no pre-flight saw the files: spans found at run time).
    """
    images_name, labels_name = names
    contents = {
        images_name: idx.read_images(os.path.join(directory, images_name)),
        labels_name: idx.read_labels(os.path.join(directory, labels_name)),
    }
    idx.check_pair(contents[images_name], contents[labels_name], labels_path=os.path.join(directory, labels_name))
    for name, content in contents.items():
        if expected_sha256 is not None and content.sha256 != expected_sha256.get(name):
            raise idx.IdxError(os.path.join(directory, name), "changed since the pre-flight check (SHA-256 differs)")
    return contents


Shard = tuple[str, str, str, np.ndarray, int, int]  # split folder, images file, labels file, rows, index, count


def shard_rows(split_uri: str, images_path: str, labels_path: str, rows: np.ndarray) -> list[Shard]:
    """Cuts one split's rows into Beam elements, one output file each."""
    starts = range(0, len(rows), ROWS_PER_SHARD)
    return [
        (split_uri, images_path, labels_path, rows[start : start + ROWS_PER_SHARD], index, len(starts))
        for index, start in enumerate(starts)
    ]


def encode_shard(shard: Shard) -> Iterator[bytes]:
    """Yields the serialized tf.Example of each row of a shard."""
    _, images_path, labels_path, rows, _, _ = shard
    images = _array(images_path, idx.read_images)
    labels = _array(labels_path, idx.read_labels)
    for row in rows:
        yield examples.to_example(images[row], int(labels[row]))


def shard_file(split_uri: str, index: int, count: int) -> str:
    return f"{split_uri}/{OUTPUT_FILE_PREFIX}-{index:05d}-of-{count:05d}"


class WriteShard(beam.DoFn):
    """Encodes a shard and writes it as one uncompressed TFRecord file, atomically.

    One file per element, written by TensorFlow's C++ TFRecord writer: Beam's
    WriteToTFRecord spends most of its time in per-record Python (framing,
    CRCs, gzip). The file appears under its final name only when complete, and a
    retried element rewrites the same name.
    """

    def process(self, shard: Shard) -> Iterator[tuple[str, int]]:
        split_uri, _, _, rows, index, count = shard
        path = shard_file(split_uri, index, count)
        partial = f"{path}.partial"
        with tf.io.TFRecordWriter(partial) as writer:
            for record in encode_shard(shard):
                writer.write(record)
        tf.io.gfile.rename(partial, path, overwrite=True)
        yield split_uri, len(rows)


class IdxToExamples(beam.PTransform):
    """Shards -> TFRecord files in each shard's split folder; outputs (split folder, rows written) per shard."""

    def __init__(self, shards: Sequence[Shard]) -> None:
        super().__init__()
        self._shards = list(shards)

    def expand(self, pipeline: beam.Pipeline) -> beam.PCollection:
        return (
            pipeline
            | "CreateShards" >> beam.Create(self._shards, reshuffle=True)
            | "EncodeAndWrite" >> beam.ParDo(WriteShard())
        )


def _as_examples(new: artifact.Artifact, splits: Sequence[str]) -> artifact.Artifact:
    new.split_names = artifact_utils.encode_split_names(list(splits))
    examples_utils.set_payload_format(new, example_gen_pb2.FORMAT_TF_EXAMPLE)
    # Uncompressed TFRecord: gzip cost more to write and read than the 55 MB it saves.
    # "tfrecords_gzip" is TFX's only TFRecord format name; its readers pick the
    # compression by file name (no .gz: none).
    examples_utils.set_file_format(new, "tfrecords_gzip")
    return new


class Executor(base_beam_executor.BaseBeamExecutor):
    """Reads the IDX files, assigns rows to splits and writes uncompressed TFRecords of tf.Example."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        input_base = exec_properties[keys.INPUT_BASE_KEY]
        spans = {int(n): record for n, record in json.loads(exec_properties[keys.SPANS_KEY]).items()}
        if not spans:  # a spec compiled once (Kubeflow): every span in the data folder when the run starts
            spans = spans_at_run_time(input_base)
        seed = exec_properties[keys.SEED_KEY]
        test = read_checked(input_base, spans_lib.TEST_FILES, json.loads(exec_properties[keys.INPUT_SHA256_KEY]))
        test_files = tuple(os.path.join(input_base, name) for name in spans_lib.TEST_FILES)
        test_rows = examples.plan_test(
            test[sources.TEST_LABELS].array, seed=seed, test_limit=exec_properties[keys.TEST_LIMIT_KEY] or None
        )

        # Each span's artifact in its own sub-folder of the output URI, as TFX expects of several artifacts.
        numbers = sorted(spans)
        span_outputs = artifact_list.spread(
            output_dict[keys.EXAMPLES_KEY], [f"{spans_lib.SPAN_PREFIX}{n}" for n in numbers]
        )
        span_splits = (features.TRAIN_SPLIT, features.EVAL_SPLIT)
        test_artifact = _as_examples(
            artifact_utils.get_single_instance(output_dict[keys.TEST_EXAMPLES_KEY]), [features.TEST_SPLIT]
        )
        test_uri = artifact_utils.get_split_uri([test_artifact], features.TEST_SPLIT)
        shards = shard_rows(test_uri, *test_files, test_rows)
        test_artifact.set_string_custom_property(
            properties.SPLIT_SUMMARY,
            json.dumps({features.TEST_SPLIT: examples.split_summary(*_arrays(test, spans_lib.TEST_FILES), test_rows)}),
        )
        self._keep_arrays(input_base, test)

        for number, span_artifact in zip(numbers, span_outputs, strict=True):
            record = spans[number]
            directory = posixpath.normpath(posixpath.join(input_base, record["folder"]))
            contents = read_checked(directory, spans_lib.SPAN_FILES, record["sha256"])
            images, labels = _arrays(contents, spans_lib.SPAN_FILES)
            plan = examples.plan_span(
                labels,
                eval_fraction=exec_properties[keys.EVAL_FRACTION_KEY],
                seed=seed + number - spans_lib.FLAT_SPAN,
                train_limit=exec_properties[keys.TRAIN_LIMIT_KEY] or None,
            )
            _as_examples(span_artifact, span_splits)
            span_artifact.span = number
            span_artifact.version = int(record.get("version", 0))
            files = tuple(os.path.join(directory, name) for name in spans_lib.SPAN_FILES)
            for split, rows in ((features.TRAIN_SPLIT, plan.train), (features.EVAL_SPLIT, plan.eval)):
                shards += shard_rows(artifact_utils.get_split_uri([span_artifact], split), *files, rows)
            summaries = {
                features.TRAIN_SPLIT: examples.split_summary(images, labels, plan.train),
                features.EVAL_SPLIT: examples.split_summary(images, labels, plan.eval),
            }
            span_artifact.set_string_custom_property(properties.SPLIT_SUMMARY, json.dumps(summaries, sort_keys=True))
            fingerprint = json.dumps({name: c.sha256 for name, c in contents.items()}, sort_keys=True)
            span_artifact.set_string_custom_property(properties.SPAN_SHA256, fingerprint)
            rows = np.concatenate([plan.train, plan.eval])
            span_artifact.set_string_custom_property(
                properties.SPAN_PROFILE, json.dumps(examples.span_profile(images[rows], labels[rows]))
            )
            self._keep_arrays(directory, contents)

        for shard in shards:
            tf.io.gfile.makedirs(shard[0])
        with self._make_beam_pipeline() as pipeline:
            _ = pipeline | "IdxToExamples" >> IdxToExamples(shards)

    @staticmethod
    def _keep_arrays(directory: str, contents: Mapping[str, idx.IdxContent]) -> None:
        for name, content in contents.items():  # in-process workers reuse the checked arrays
            _ARRAYS[os.path.join(directory, name)] = content.array


def _arrays(contents: Mapping[str, idx.IdxContent], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    images_name, labels_name = names
    return contents[images_name].array, contents[labels_name].array
