"""Executor of FashionMnistExampleGen: a Beam transform from IDX rows to TFRecord splits."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import apache_beam as beam
import numpy as np
from tfx.components.util import examples_utils
from tfx.dsl.components.base import base_beam_executor
from tfx.proto import example_gen_pb2
from tfx.types import artifact, artifact_utils

from components import artifact_properties, examples, features, idx
from components.ingestion import spec
from data import sources

# Rows per Beam element: large enough to amortise per-element overhead, small
# enough to spread the encoding over workers.
ROWS_PER_SHARD = 2500
OUTPUT_FILE_PREFIX = "data_tfrecord"


@functools.lru_cache(maxsize=4)
def _load_pair(images_path: str, labels_path: str) -> tuple[np.ndarray, np.ndarray]:
    """Decodes an images/labels pair once per worker process."""
    return idx.read_images(images_path).array, idx.read_labels(labels_path).array


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


Shard = tuple[str, str, str, np.ndarray]  # split, images file, labels file, row indices


def shard_rows(split: str, images_path: str, labels_path: str, rows: np.ndarray) -> list[Shard]:
    """Cuts one split's rows into Beam elements (split, images file, labels file, rows)."""
    return [
        (split, images_path, labels_path, rows[start : start + ROWS_PER_SHARD])
        for start in range(0, len(rows), ROWS_PER_SHARD)
    ]


def encode_shard(shard: Shard) -> Iterator[tuple[str, bytes]]:
    """Yields (split, serialized tf.Example) for each row of a shard."""
    split, images_path, labels_path, rows = shard
    images, labels = _load_pair(images_path, labels_path)
    for row in rows:
        yield split, examples.to_example(images[row], int(labels[row]))


class IdxToExamples(beam.PTransform):
    """Shards -> TFRecord files under ``<output_uri>/Split-<name>/``."""

    def __init__(self, shards: Sequence[Shard], split_uris: Mapping[str, str]) -> None:
        super().__init__()
        self._shards = list(shards)
        self._split_uris = dict(split_uris)

    def expand(self, pipeline: beam.Pipeline) -> None:
        names = list(self._split_uris)
        encoded = (
            pipeline
            | "CreateShards" >> beam.Create(self._shards, reshuffle=True)
            | "Encode" >> beam.FlatMap(encode_shard)
        )
        by_split = encoded | "PartitionBySplit" >> beam.Partition(lambda kv, _: names.index(kv[0]), len(names))
        for name, pcoll in zip(names, by_split, strict=True):
            _ = (
                pcoll
                | f"DropKey[{name}]" >> beam.Values()
                | f"Write[{name}]"
                >> beam.io.WriteToTFRecord(
                    os.path.join(self._split_uris[name], OUTPUT_FILE_PREFIX), file_name_suffix=".gz"
                )
            )


class Executor(base_beam_executor.BaseBeamExecutor):
    """Reads the IDX files, assigns rows to splits and writes gzipped TFRecords of tf.Example."""

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
        with self._make_beam_pipeline() as pipeline:
            _ = pipeline | "IdxToExamples" >> IdxToExamples(shards, split_uris)
        examples_utils.set_payload_format(examples_artifact, example_gen_pb2.FORMAT_TF_EXAMPLE)
        examples_utils.set_file_format(examples_artifact, "tfrecords_gzip")
        train_arrays = (contents[sources.TRAIN_IMAGES].array, contents[sources.TRAIN_LABELS].array)
        test_arrays = (contents[sources.TEST_IMAGES].array, contents[sources.TEST_LABELS].array)
        summaries = {
            features.TRAIN_SPLIT: examples.split_summary(*train_arrays, plan.train),
            features.EVAL_SPLIT: examples.split_summary(*train_arrays, plan.eval),
            features.TEST_SPLIT: examples.split_summary(*test_arrays, plan.test),
        }
        examples_artifact.set_string_custom_property(
            artifact_properties.SPLIT_SUMMARY, json.dumps(summaries, sort_keys=True)
        )
