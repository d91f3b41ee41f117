"""FashionMnistExampleGen's executor on a tiny artifact-shaped fixture, with Beam's DirectRunner."""

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from tfx.components.util import examples_utils
from tfx.types import artifact_utils, standard_artifacts

from components.contract import features, keys, properties
from components.ingestion import executor
from data import idx, sources, spans
from pipeline.definition import arrivals
from tests.support.idx_fixtures import make_dataset_dir


def _run(input_base: Path, out: Path, **overrides) -> tuple[list, standard_artifacts.Examples]:
    """Runs the executor on the data folder ``input_base``: every span, as the pre-flight found them."""
    dataset = spans.locate(data_dir=input_base, raw_dir=input_base)
    examples, test = standard_artifacts.Examples(), standard_artifacts.Examples()
    examples.uri, test.uri = str(out / "examples"), str(out / "test_examples")
    exec_properties = {
        keys.INPUT_BASE_KEY: str(input_base),
        keys.INPUT_SHA256_KEY: json.dumps(dataset.test_sha256),
        keys.SPANS_KEY: json.dumps({str(s.number): arrivals.record(dataset, s, 0) for s in dataset.spans}),
        keys.EVAL_FRACTION_KEY: 10 / 60,
        keys.TRAIN_LIMIT_KEY: 0,
        keys.TEST_LIMIT_KEY: 0,
        keys.SEED_KEY: 7,
        **overrides,
    }
    output_dict = {keys.EXAMPLES_KEY: [examples], keys.TEST_EXAMPLES_KEY: [test]}
    executor.Executor().Do({}, output_dict, exec_properties)
    return output_dict[keys.EXAMPLES_KEY], test


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
    [examples], test_examples = _run(dataset_dir, tmp_path)

    assert artifact_utils.decode_split_names(examples.split_names) == [features.TRAIN_SPLIT, features.EVAL_SPLIT]
    assert artifact_utils.decode_split_names(test_examples.split_names) == [features.TEST_SPLIT]
    assert examples.span == 1 and examples.version == 0, "the flat layout is span 1"
    assert examples.uri == str(tmp_path / "examples" / "span-1"), "a list's artifacts are sub-folders of the URI"
    assert examples_utils.get_payload_format_string(examples) == "FORMAT_TF_EXAMPLE"
    train, eval_ = (_read_split(examples, s) for s in (features.TRAIN_SPLIT, features.EVAL_SPLIT))
    test = _read_split(test_examples, features.TEST_SPLIT)
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
    profile = json.loads(examples.get_string_custom_property(properties.SPAN_PROFILE))
    assert profile["label_counts"] == np.bincount(source_labels, minlength=10).tolist()
    assert sum(profile["pixel_histogram"]) == 60 * 784


def test_each_span_is_its_own_artifact_with_its_own_split(tmp_path: Path):
    root = tmp_path / "spans"
    make_dataset_dir(root, n_train=30, n_test=20, seed=0)
    for number, seed in ((2, 1), (5, 2)):
        make_dataset_dir(tmp_path / f"src{number}", n_train=40, seed=seed)
        (root / f"span-{number}").mkdir()
        for name in (sources.TRAIN_IMAGES, sources.TRAIN_LABELS):
            (tmp_path / f"src{number}" / name).rename(root / f"span-{number}" / name)
    for name in (sources.TRAIN_IMAGES, sources.TRAIN_LABELS):
        (root / name).unlink()
    artifacts, _ = _run(root, tmp_path / "out")
    assert [(a.span, a.uri.rsplit("/", 1)[-1]) for a in artifacts] == [(2, "span-2"), (5, "span-5")]
    for artifact in artifacts:
        rows = _read_split(artifact, features.TRAIN_SPLIT) + _read_split(artifact, features.EVAL_SPLIT)
        assert len(rows) == 40
        sha256 = json.loads(artifact.get_string_custom_property(properties.SPAN_SHA256))
        assert set(sha256) == {sources.TRAIN_IMAGES, sources.TRAIN_LABELS}


def test_a_spec_compiled_once_ingests_the_spans_there_when_it_runs(tmp_path: Path):
    """Kubeflow's spec names no span: the executor lists the data folder when the run starts."""
    root = tmp_path / "spans"
    make_dataset_dir(root, n_train=30, n_test=20, seed=0)
    (root / "span-3").mkdir()
    for name in (sources.TRAIN_IMAGES, sources.TRAIN_LABELS):
        (root / name).rename(root / "span-3" / name)
    (root / "notes").mkdir()  # not data
    artifacts, _ = _run(root, tmp_path / "out", **{keys.SPANS_KEY: "{}"})
    assert [a.span for a in artifacts] == [3]
    assert len(_read_split(artifacts[0], features.TRAIN_SPLIT) + _read_split(artifacts[0], features.EVAL_SPLIT)) == 30
    assert executor.spans_at_run_time(str(tmp_path / "spans")) == {
        3: {"folder": "span-3", "sha256": None, "version": 0}
    }
    (root / "span-x").mkdir()
    with pytest.raises(idx.IdxError, match="span-x: a span folder is named span-<number>"):
        executor.spans_at_run_time(str(root))


def test_limits_give_a_stratified_subset(dataset_dir: Path, tmp_path: Path):
    [examples], test_examples = _run(dataset_dir, tmp_path, **{keys.TRAIN_LIMIT_KEY: 20, keys.TEST_LIMIT_KEY: 10})
    train, test = _read_split(examples, "train"), _read_split(test_examples, "test")
    assert len(train) == 20 and len(test) == 10
    assert np.bincount([label for _, label in test], minlength=10).tolist() == [1] * 10


def test_a_file_changed_since_the_preflight_check_is_an_error(dataset_dir: Path, tmp_path: Path):
    dataset = spans.locate(data_dir=dataset_dir, raw_dir=dataset_dir)
    stale = {**dataset.test_sha256, sources.TEST_LABELS: "0" * 64}
    with pytest.raises(idx.IdxError, match=f"{sources.TEST_LABELS}: changed since the pre-flight check"):
        _run(dataset_dir, tmp_path, **{keys.INPUT_SHA256_KEY: json.dumps(stale)})
    assert not any(tmp_path.rglob("data_tfrecord*"))


def test_bad_idx_input_is_reported_by_file(dataset_dir: Path, tmp_path: Path):
    dataset = spans.locate(data_dir=dataset_dir, raw_dir=dataset_dir)
    spans_json = json.dumps({str(s.number): arrivals.record(dataset, s, 0) for s in dataset.spans})
    (dataset_dir / sources.TRAIN_IMAGES).write_bytes(b"not gzip at all")
    with pytest.raises(idx.IdxError, match=f"{sources.TRAIN_IMAGES}: not a gzip file"):
        executor.Executor().Do(
            {},
            {
                keys.EXAMPLES_KEY: [standard_artifacts.Examples()],
                keys.TEST_EXAMPLES_KEY: [standard_artifacts.Examples()],
            },
            {
                keys.INPUT_BASE_KEY: str(dataset_dir),
                keys.INPUT_SHA256_KEY: json.dumps(dataset.test_sha256),
                keys.SPANS_KEY: spans_json,
                keys.EVAL_FRACTION_KEY: 0.1,
                keys.TRAIN_LIMIT_KEY: 0,
                keys.TEST_LIMIT_KEY: 0,
                keys.SEED_KEY: 7,
            },
        )


def test_each_shard_is_one_complete_file(dataset_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(executor, "ROWS_PER_SHARD", 7)
    [examples], _ = _run(dataset_dir, tmp_path)
    train_files = tf.io.gfile.glob(f"{artifact_utils.get_split_uri([examples], features.TRAIN_SPLIT)}/*")
    assert len(train_files) == 8, "50 rows in shards of 7"
    assert len(_read_split(examples, features.TRAIN_SPLIT)) == 50
    assert not list(tmp_path.rglob("*.partial")), "no partial file is left behind"
