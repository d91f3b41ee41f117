"""data.make_spans and idx.write_idx: the split, the span layout it writes, the drift it can add, its command line."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from data import idx, make_spans, sources, spans
from data.make_spans import split_rows, write_layout
from tests.conftest import REPO_ROOT
from tests.support.idx_fixtures import make_dataset_dir

# Uneven classes, so that stratification is not an accident of equal counts.
CLASS_COUNTS = (23, 17, 9, 31, 5, 12, 40, 8, 19, 26)
OLD_NS = 1_000_000_000_000_000_000  # 2001: an mtime no write during the test can give


def _labels() -> np.ndarray:
    labels = np.repeat(np.arange(10, dtype=np.uint8), CLASS_COUNTS)
    return labels[np.random.default_rng(7).permutation(len(labels))]


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8), rng.integers(0, 10, size=n, dtype=np.uint8)


@pytest.fixture
def dataset() -> dict[str, np.ndarray]:
    labels = _labels()
    images = np.random.default_rng(1).integers(0, 256, size=(len(labels), 28, 28), dtype=np.uint8)
    test_images, test_labels = _data(30, seed=2)
    return {"images": images, "labels": labels, "test_images": test_images, "test_labels": test_labels}


def _write(dest: Path, data: dict, rows: list[np.ndarray], release: int, alter: dict | None = None) -> list:
    return write_layout(dest, data["images"], data["labels"], data["test_images"], data["test_labels"], rows,
                        release, alter)  # fmt: skip


def _span(dest: Path, number: int) -> tuple[np.ndarray, np.ndarray]:
    folder = dest / f"span-{number}"
    return idx.read_images(folder / sources.TRAIN_IMAGES).array, idx.read_labels(folder / sources.TRAIN_LABELS).array


# --- idx.write_idx


def test_write_idx_round_trips_gives_the_same_bytes_each_time_and_leaves_no_temp_file(tmp_path):
    images, labels = _data(5)
    idx.write_idx(tmp_path / "i.gz", images)
    idx.write_idx(tmp_path / "l.gz", labels)
    assert np.array_equal(idx.read_images(tmp_path / "i.gz").array, images)
    assert np.array_equal(idx.read_labels(tmp_path / "l.gz").array, labels)
    first = (tmp_path / "i.gz").read_bytes()
    idx.write_idx(tmp_path / "i.gz", images)
    assert (tmp_path / "i.gz").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i.gz", "l.gz"]
    with pytest.raises(ValueError, match="int64"):
        idx.write_idx(tmp_path / "x.gz", labels.astype(np.int64))


# --- split_rows


@pytest.mark.parametrize("n_spans", [1, 3, 4, 7])
def test_split_is_disjoint_complete_near_equal_and_stratified(n_spans):
    labels = _labels()
    parts = split_rows(labels, n_spans, seed=0, span_size=None)
    assert len(parts) == n_spans
    joined = np.concatenate(parts)
    assert len(joined) == len(labels) and set(joined.tolist()) == set(range(len(labels)))
    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= 1
    per_span = np.array([np.bincount(labels[p], minlength=10) for p in parts])  # [span, class]
    assert (per_span.max(axis=0) - per_span.min(axis=0) <= 1).all()
    assert (np.abs(per_span - np.array(CLASS_COUNTS) / n_spans) < 1).all()
    assert all((np.diff(p) > 0).all() for p in parts)


def test_split_is_deterministic_and_depends_on_the_seed():
    labels = _labels()
    first = split_rows(labels, 3, seed=5, span_size=None)
    assert all(np.array_equal(a, b) for a, b in zip(first, split_rows(labels, 3, 5, None), strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, split_rows(labels, 3, 6, None), strict=True))


def test_split_of_a_fixed_input_never_changes():
    """Pinned: a change here makes every span folder written before refuse the next release."""
    parts = split_rows(np.arange(20) % 2, 2, seed=0, span_size=None)
    assert [p.tolist() for p in parts] == [[0, 1, 2, 4, 5, 8, 11, 12, 13, 17], [3, 6, 7, 9, 10, 14, 15, 16, 18, 19]]


def test_span_size_caps_each_span_with_a_stratified_subset():
    labels = _labels()
    parts = split_rows(labels, 3, seed=0, span_size=20)
    assert [len(p) for p in parts] == [20, 20, 20]
    joined = np.concatenate(parts)
    assert len(set(joined.tolist())) == 60
    taken = np.bincount(labels[joined], minlength=10)
    assert (np.abs(taken - 60 * np.array(CLASS_COUNTS) / len(labels)) < 1).all()
    per_span = np.array([np.bincount(labels[p], minlength=10) for p in parts])
    assert (per_span.max(axis=0) - per_span.min(axis=0) <= 1).all()
    uncapped = split_rows(labels, 3, seed=0, span_size=None)
    capped_above = split_rows(labels, 3, seed=0, span_size=len(labels))
    assert all(np.array_equal(a, b) for a, b in zip(uncapped, capped_above, strict=True))


@pytest.mark.parametrize(("n_spans", "span_size"), [(0, None), (191, None), (2, 0)])
def test_split_refuses_impossible_arguments(n_spans, span_size):
    with pytest.raises(ValueError):
        split_rows(_labels(), n_spans, seed=0, span_size=span_size)


# --- write_layout


def test_the_layout_written_is_one_data_spans_accepts(tmp_path, dataset):
    rows = split_rows(dataset["labels"], 3, seed=0, span_size=None)
    outcomes = _write(tmp_path, dataset, rows, release=2)
    assert [(o.name, o.count, o.written) for o in outcomes] == [
        ("test set", 30, True), ("span-1", len(rows[0]), True), ("span-2", len(rows[1]), True)
    ]  # fmt: skip
    verified = spans.verify(spans.discover(tmp_path), source="test")
    assert verified.span_numbers == (1, 2)
    assert verified.test_count == 30
    assert [s.count for s in verified.spans] == [len(rows[0]), len(rows[1])]
    images, labels = _span(tmp_path, 2)
    assert np.array_equal(images, dataset["images"][rows[1]]) and np.array_equal(labels, dataset["labels"][rows[1]])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["span-1", "span-2", *spans.TEST_FILES])


def test_a_later_release_adds_spans_and_leaves_the_earlier_ones_untouched(tmp_path, dataset):
    rows = split_rows(dataset["labels"], 3, seed=0, span_size=None)
    _write(tmp_path, dataset, rows, release=1)
    kept = [tmp_path / "span-1", *(tmp_path / "span-1").iterdir(), *(tmp_path / n for n in spans.TEST_FILES)]
    for path in kept:
        os.utime(path, ns=(OLD_NS, OLD_NS))
    inodes = [path.stat().st_ino for path in kept]
    outcomes = _write(tmp_path, dataset, rows, release=3)
    assert [(o.name, o.written) for o in outcomes] == [
        ("test set", False), ("span-1", False), ("span-2", True), ("span-3", True)
    ]  # fmt: skip
    assert [path.stat().st_mtime_ns for path in kept] == [OLD_NS] * len(kept)
    assert [path.stat().st_ino for path in kept] == inodes
    assert spans.verify(spans.discover(tmp_path), source="test").span_numbers == (1, 2, 3)


def test_a_different_test_set_at_the_top_is_replaced(tmp_path, dataset):
    rows = split_rows(dataset["labels"], 2, seed=0, span_size=None)
    idx.write_idx(tmp_path / sources.TEST_LABELS, dataset["test_labels"][:3])
    assert _write(tmp_path, dataset, rows, release=1)[0].written
    assert np.array_equal(idx.read_labels(tmp_path / sources.TEST_LABELS).array, dataset["test_labels"])


def test_a_span_folder_with_other_content_is_refused_and_nothing_is_written(tmp_path, dataset):
    _write(tmp_path, dataset, split_rows(dataset["labels"], 3, seed=0, span_size=None), release=1)
    before = {p: p.read_bytes() for p in (tmp_path / "span-1").iterdir()}
    other = split_rows(dataset["labels"], 3, seed=1, span_size=None)
    with pytest.raises(idx.IdxError) as caught:
        _write(tmp_path, dataset, other, release=2)
    assert str(caught.value).startswith(f"{tmp_path / 'span-1'}: ")
    assert "never overwritten" in str(caught.value) and "\n" not in str(caught.value)
    assert {p: p.read_bytes() for p in (tmp_path / "span-1").iterdir()} == before
    assert not (tmp_path / "span-2").exists()


def test_a_span_that_fails_half_way_leaves_neither_the_folder_nor_its_temp_folder(tmp_path, dataset, monkeypatch):
    rows = split_rows(dataset["labels"], 2, seed=0, span_size=None)
    real_write = idx.write_idx

    def write_images_only(path, array):
        if path.name == sources.TRAIN_LABELS:
            raise OSError("disk full")
        return real_write(path, array)

    monkeypatch.setattr(idx, "write_idx", write_images_only)
    with pytest.raises(OSError, match="disk full"):
        _write(tmp_path, dataset, rows, release=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(spans.TEST_FILES)


# --- alter


@pytest.mark.parametrize("kind", ["invert", "darken"])
def test_invert_and_darken_change_only_the_pixels_of_their_span(tmp_path, dataset, kind):
    rows = split_rows(dataset["labels"], 2, seed=0, span_size=None)
    _write(tmp_path, dataset, rows, release=2, alter={2: kind})
    original = dataset["images"][rows[1]].astype(np.float64)
    images, labels = _span(tmp_path, 2)
    if kind == "invert":
        assert images.mean() == pytest.approx(255 - original.mean())
        assert np.array_equal(images, 255 - original)
    else:
        assert images.mean() == pytest.approx(0.7 * original.mean(), abs=0.5)
        assert np.array_equal(images, np.rint(original * 0.7))
    assert np.array_equal(labels, dataset["labels"][rows[1]])
    assert np.array_equal(_span(tmp_path, 1)[0], dataset["images"][rows[0]])


def test_label_skew_keeps_the_size_makes_class_0_thirty_percent_from_the_spans_own_rows(tmp_path, dataset):
    rows = split_rows(dataset["labels"], 2, seed=0, span_size=None)
    _write(tmp_path, dataset, rows, release=2, alter={1: "label-skew"})
    images, labels = _span(tmp_path, 1)
    assert len(labels) == len(rows[0])
    assert abs(np.mean(labels == 0) - 0.3) <= 1 / len(labels)
    own = {(dataset["images"][r].tobytes(), int(dataset["labels"][r])) for r in rows[0]}
    assert all((image.tobytes(), int(label)) in own for image, label in zip(images, labels, strict=True))
    assert len({image.tobytes() for image in images[labels != 0]}) == int(np.sum(labels != 0))  # no repeats there
    assert spans.verify(spans.discover(tmp_path), source="test").span_numbers == (1, 2)


def test_write_layout_refuses_an_unknown_alteration_or_release(tmp_path, dataset):
    rows = split_rows(dataset["labels"], 2, seed=0, span_size=None)
    for release, alter in ((1, {1: "blur"}), (1, {3: "invert"}), (3, None), (0, None)):
        with pytest.raises(ValueError):
            _write(tmp_path, dataset, rows, release=release, alter=alter)
    assert list(tmp_path.iterdir()) == []


# --- the command line


@pytest.fixture
def raw_dir(tmp_path) -> Path:
    return make_dataset_dir(tmp_path / "raw", n_train=60, n_test=20)


def test_the_command_writes_a_release_then_the_next(tmp_path, raw_dir, capsys):
    dest = tmp_path / "spans"
    args = ["--spans", "3", "--dest", str(dest), "--raw-dir", str(raw_dir), "--alter", "3=invert"]
    assert make_spans.main([*args, "--release", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["test set: 20 images (written)", "span-1: 20 images (written)"]
    assert "--release 2" in lines[2] and len(lines) == 3
    assert make_spans.main([*args, "--release", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:3] == ["span-1: 20 images (unchanged)", "span-2: 20 images (written)"]
    assert lines[0] == "test set: 20 images (unchanged)"
    assert make_spans.main(args) == 0
    assert capsys.readouterr().out.splitlines()[3:] == [
        "span-3: 20 images (written)", f"all 3 spans are released; the pipeline reads DATA_DIR={dest}"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["--spans", "0"],
        ["--spans", "x"],
        ["--spans", "3", "--release", "4"],
        ["--spans", "3", "--release", "0"],
        ["--spans", "3", "--span-size", "0"],
        ["--spans", "3", "--seed", "-1"],
        ["--spans", "3", "--alter", "2=blur"],
        ["--spans", "3", "--alter", "4=invert"],
        ["--spans", "3", "--alter", "2=invert", "--alter", "2=darken"],
        ["--spans", "3", "--rel", "1"],
        ["--spans", "61"],
    ],
)
def test_bad_flags_exit_2_with_one_line(tmp_path, raw_dir, capsys, flags):
    with pytest.raises(SystemExit) as caught:
        make_spans.main([*flags, "--dest", str(tmp_path / "spans"), "--raw-dir", str(raw_dir)])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert not (tmp_path / "spans").exists()


def test_missing_raw_data_exits_1_with_one_line_and_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "data.make_spans", "--spans", "2", "--dest", str(tmp_path / "s"),
         "--raw-dir", str(tmp_path / "nowhere")],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and "file not found" in result.stderr
    assert result.stdout == ""
