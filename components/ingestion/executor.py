"""Executor of FashionMnistExampleGen: a Beam transform from IDX rows to TFRecord files per split."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import apache_beam as beam
import numpy as np
import tensorflow as tf
from tfx.components.util import examples_utils
from tfx.dsl.components.base import base_beam_executor
from tfx.proto import example_gen_pb2
from tfx.types import artifact, artifact_utils

from components import features, properties
from components.ingestion import examples, spec
from data import idx, sources

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


def read_checked(input_base: str, expected_sha256: Mapping[str, str]) -> dict[str, idx.IdxContent]:
    """Reads the four IDX files and checks them against the hashes the pre-flight saw.

    Raises:
      idx.IdxError: a file is malformed or changed since the pre-flight check.
    """
    contents = sources.read_all(input_base)
    for name, content in contents.items():
        if content.sha256 != expected_sha256.get(name):
            raise idx.IdxError(os.path.join(input_base, name), "changed since the pre-flight check (SHA-256 differs)")
    return contents


Shard = tuple[str, str, str, np.ndarray, int, int]  # split, images file, labels file, rows, index, shards in split


def shard_rows(split: str, images_path: str, labels_path: str, rows: np.ndarray) -> list[Shard]:
    """Cuts one split's rows into Beam elements, one output file each."""
    starts = range(0, len(rows), ROWS_PER_SHARD)
    return [
        (split, images_path, labels_path, rows[start : start + ROWS_PER_SHARD], index, len(starts))
        for index, start in enumerate(starts)
    ]


def encode_shard(shard: Shard) -> Iterator[tuple[str, bytes]]:
    """Yields (split, serialized tf.Example) for each row of a shard."""
    split, images_path, labels_path, rows, _, _ = shard
    images = _array(images_path, idx.read_images)
    labels = _array(labels_path, idx.read_labels)
    for row in rows:
        yield split, examples.to_example(images[row], int(labels[row]))


def shard_file(split_uri: str, index: int, count: int) -> str:
    return f"{split_uri}/{OUTPUT_FILE_PREFIX}-{index:05d}-of-{count:05d}"


class WriteShard(beam.DoFn):
    """Encodes a shard and writes it as one uncompressed TFRecord file, atomically.

    One file per element, written by TensorFlow's C++ TFRecord writer: Beam's
    WriteToTFRecord spends most of its time in per-record Python (framing,
    CRCs, gzip). The file appears under its final name only when complete, and a
    retried element rewrites the same name.
    """

    def __init__(self, split_uris: Mapping[str, str]) -> None:
        self._split_uris = dict(split_uris)

    def process(self, shard: Shard) -> Iterator[tuple[str, int]]:
        split, _, _, rows, index, count = shard
        path = shard_file(self._split_uris[split], index, count)
        partial = f"{path}.partial"
        with tf.io.TFRecordWriter(partial) as writer:
            for _, record in encode_shard(shard):
                writer.write(record)
        tf.io.gfile.rename(partial, path, overwrite=True)
        yield split, len(rows)


class IdxToExamples(beam.PTransform):
    """Shards -> TFRecord files under ``<output_uri>/Split-<name>/``; outputs (split, rows written) per shard."""

    def __init__(self, shards: Sequence[Shard], split_uris: Mapping[str, str]) -> None:
        super().__init__()
        self._shards = list(shards)
        self._split_uris = dict(split_uris)

    def expand(self, pipeline: beam.Pipeline) -> beam.PCollection:
        return (
            pipeline
            | "CreateShards" >> beam.Create(self._shards, reshuffle=True)
            | "EncodeAndWrite" >> beam.ParDo(WriteShard(self._split_uris))
        )


class Executor(base_beam_executor.BaseBeamExecutor):
    """Reads the IDX files, assigns rows to splits and writes uncompressed TFRecords of tf.Example."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        input_base = exec_properties[spec.INPUT_BASE_KEY]
        contents = read_checked(input_base, json.loads(exec_properties[spec.INPUT_SHA256_KEY]))
        plan = examples.plan_splits(
            contents[sources.TRAIN_LABELS].array,
            contents[sources.TEST_LABELS].array,
            eval_count=exec_properties[spec.EVAL_COUNT_KEY],
            seed=exec_properties[spec.SEED_KEY],
            train_limit=exec_properties[spec.TRAIN_LIMIT_KEY] or None,
            test_limit=exec_properties[spec.TEST_LIMIT_KEY] or None,
        )
        train_files = (os.path.join(input_base, sources.TRAIN_IMAGES), os.path.join(input_base, sources.TRAIN_LABELS))
        test_files = (os.path.join(input_base, sources.TEST_IMAGES), os.path.join(input_base, sources.TEST_LABELS))
        shards = (
            shard_rows(features.TRAIN_SPLIT, *train_files, plan.train)
            + shard_rows(features.EVAL_SPLIT, *train_files, plan.eval)
            + shard_rows(features.TEST_SPLIT, *test_files, plan.test)
        )
        examples_artifact = artifact_utils.get_single_instance(output_dict[spec.EXAMPLES_KEY])
        examples_artifact.split_names = artifact_utils.encode_split_names(list(features.SPLITS))
        examples_artifact.span = 0
        examples_artifact.version = 0
        split_uris = {s: artifact_utils.get_split_uri([examples_artifact], s) for s in features.SPLITS}
        for uri in split_uris.values():
            tf.io.gfile.makedirs(uri)
        for name, content in contents.items():  # in-process workers reuse the checked arrays
            _ARRAYS[os.path.join(input_base, name)] = content.array
        with self._make_beam_pipeline() as pipeline:
            _ = pipeline | "IdxToExamples" >> IdxToExamples(shards, split_uris)
        examples_utils.set_payload_format(examples_artifact, example_gen_pb2.FORMAT_TF_EXAMPLE)
        # Uncompressed TFRecord: gzip cost more to write and read than the 55 MB it saves.
        # "tfrecords_gzip" is TFX's only TFRecord format name; its readers pick the
        # compression by file name (no .gz: none).
        examples_utils.set_file_format(examples_artifact, "tfrecords_gzip")
        train_arrays = (contents[sources.TRAIN_IMAGES].array, contents[sources.TRAIN_LABELS].array)
        test_arrays = (contents[sources.TEST_IMAGES].array, contents[sources.TEST_LABELS].array)
        summaries = {
            features.TRAIN_SPLIT: examples.split_summary(*train_arrays, plan.train),
            features.EVAL_SPLIT: examples.split_summary(*train_arrays, plan.eval),
            features.TEST_SPLIT: examples.split_summary(*test_arrays, plan.test),
        }
        examples_artifact.set_string_custom_property(properties.SPLIT_SUMMARY, json.dumps(summaries, sort_keys=True))
