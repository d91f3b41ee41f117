"""FashionMnistExampleGen's executor on a tiny artifact-shaped fixture, with Beam's DirectRunner."""

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from tfx.components.util import examples_utils
from tfx.types import artifact_utils, standard_artifacts

from components import features
from components.ingestion import executor, spec
from data import idx, sources


def _run(input_base: Path, out: Path, sha256: dict, **overrides) -> standard_artifacts.Examples:
    examples = standard_artifacts.Examples()
    examples.uri = str(out)
    exec_properties = {
        spec.INPUT_BASE_KEY: str(input_base),
        spec.INPUT_SHA256_KEY: json.dumps(sha256),
        spec.EVAL_COUNT_KEY: 10,
        spec.TRAIN_LIMIT_KEY: 0,
        spec.TEST_LIMIT_KEY: 0,
        spec.SEED_KEY: 7,
        **overrides,
    }
    executor.Executor().Do({}, {spec.EXAMPLES_KEY: [examples]}, exec_properties)
    return examples


def _read_split(examples: standard_artifacts.Examples, split: str) -> list[tuple[bytes, int]]:
    files = sorted(tf.io.gfile.glob(f"{artifact_utils.get_split_uri([examples], split)}/*"))
    count = len(files)
    assert [Path(f).name for f in files] == [f"data_tfrecord-{i:05d}-of-{count:05d}" for i in range(count)]
    records = []
    for serialized in tf.data.TFRecordDataset(files):  # uncompressed
        example = tf.train.Example.FromString(serialized.numpy())
        feature = example.features.feature
        assert set(feature) == {features.IMAGE_KEY, features.LABEL_KEY}
        records.append(
            (feature[features.IMAGE_KEY].bytes_list.value[0], feature[features.LABEL_KEY].int64_list.value[0])
        )
    return records


def test_writes_three_splits_in_the_record_contract(dataset_dir: Path, tmp_path: Path):
    dataset = sources.verify_directory(dataset_dir, require_official=False, source="fixture")
    examples = _run(dataset_dir, tmp_path / "examples", dataset.sha256)

    assert artifact_utils.decode_split_names(examples.split_names) == list(features.SPLITS)
    assert examples_utils.get_payload_format_string(examples) == "FORMAT_TF_EXAMPLE"
    train, eval_, test = (_read_split(examples, s) for s in features.SPLITS)
    assert (len(train), len(eval_), len(test)) == (50, 10, 20)
    assert sorted(label for _, label in eval_) == list(range(10)), "eval is stratified: one of each class"

    # Every record is exactly a source row: pixels row-major, the row's label.
    source_images = idx.read_images(dataset_dir / sources.TRAIN_IMAGES).array
    source_labels = idx.read_labels(dataset_dir / sources.TRAIN_LABELS).array
    by_pixels = {img.tobytes(): int(label) for img, label in zip(source_images, source_labels, strict=True)}
    assert all(by_pixels[pixels] == label for pixels, label in train + eval_)
    assert len({pixels for pixels, _ in train + eval_}) == 60, "train and eval are disjoint and complete"
    test_images = idx.read_images(dataset_dir / sources.TEST_IMAGES).array
    assert sorted(p for p, _ in test) == sorted(img.tobytes() for img in test_images)


def test_limits_give_a_stratified_subset(dataset_dir: Path, tmp_path: Path):
    dataset = sources.verify_directory(dataset_dir, require_official=False, source="fixture")
    examples = _run(
        dataset_dir, tmp_path / "examples", dataset.sha256, **{spec.TRAIN_LIMIT_KEY: 20, spec.TEST_LIMIT_KEY: 10}
    )
    train, test = _read_split(examples, "train"), _read_split(examples, "test")
    assert len(train) == 20 and len(test) == 10
    assert np.bincount([label for _, label in test], minlength=10).tolist() == [1] * 10


def test_a_file_changed_since_the_preflight_check_is_an_error(dataset_dir: Path, tmp_path: Path):
    dataset = sources.verify_directory(dataset_dir, require_official=False, source="fixture")
    stale = {**dataset.sha256, sources.TEST_LABELS: "0" * 64}
    with pytest.raises(idx.IdxError, match=f"{sources.TEST_LABELS}: changed since the pre-flight check"):
        _run(dataset_dir, tmp_path / "examples", stale)
    assert not (tmp_path / "examples").exists() or not any((tmp_path / "examples").rglob("*.gz"))


def test_bad_idx_input_is_reported_by_file(dataset_dir: Path, tmp_path: Path):
    dataset = sources.verify_directory(dataset_dir, require_official=False, source="fixture")
    (dataset_dir / sources.TRAIN_IMAGES).write_bytes(b"not gzip at all")
    with pytest.raises(idx.IdxError, match=f"{sources.TRAIN_IMAGES}: not a gzip file"):
        _run(dataset_dir, tmp_path / "examples", dataset.sha256)


def test_each_shard_is_one_complete_file(dataset_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(executor, "ROWS_PER_SHARD", 7)
    dataset = sources.verify_directory(dataset_dir, require_official=False, source="fixture")
    examples = _run(dataset_dir, tmp_path / "examples", dataset.sha256)
    train_files = tf.io.gfile.glob(f"{artifact_utils.get_split_uri([examples], features.TRAIN_SPLIT)}/*")
    assert len(train_files) == 8, "50 rows in shards of 7"
    assert len(_read_split(examples, features.TRAIN_SPLIT)) == 50
    assert not list((tmp_path / "examples").rglob("*.partial")), "no partial file is left behind"
