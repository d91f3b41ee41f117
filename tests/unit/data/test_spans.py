"""data.spans: finding the span folders of a data folder, verifying every span, and the flat layout as span 1."""

import gzip
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from data import idx, sources, spans
from tests.support.idx_fixtures import make_dataset_dir, make_span_layout, write_idx


def _numbers(layout: spans.Layout) -> list[int]:
    return [s.number for s in layout.spans]


# --- discover -------------------------------------------------------------------------------------


def test_span_folders_are_ordered_by_number_not_by_name(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (20261127, 3, 10, 1, 9))
    layout = spans.discover(root)
    assert _numbers(layout) == [1, 3, 9, 10, 20261127]
    assert [s.directory for s in layout.spans] == [root / f"span-{n}" for n in (1, 3, 9, 10, 20261127)]
    assert layout.root == root
    assert not layout.flat


def test_entries_that_are_not_spans_are_ignored_and_folders_that_look_like_spans_are_named(tmp_path: Path):
    """Issue 25, defect 6: no span is skipped silently; a folder named or filled like a span gets a warning."""
    root = make_span_layout(tmp_path / "data", (1, 2, 5, 6))
    (root / "README.md").write_text("where the spans came from")
    (root / ".DS_Store").write_bytes(b"\0")
    for name in ("notes", ".span-7.tmp", "spans-3", "Span-2"):  # .span-7.tmp: make spans' staging folder
        (root / name).mkdir()
    (root / "span-5").rename(root / "span_3"), (root / "span-6").rename(root / "delivery 4")  # training files in both
    layout = spans.discover(root)
    assert _numbers(layout) == [1, 2]
    assert layout.ignored == tuple(root / n for n in ("Span-2", "delivery 4", "span_3", "spans-3"))
    rule = "not a span folder, skipped (a span folder is named span-<number>, e.g. span-2)"
    assert spans.ignored_warning(root / "x") == f"{root / 'x'}: {rule}"
    assert spans.verify(layout, source="fixture").ignored == layout.ignored


@pytest.mark.parametrize("name", ["span-abc", "span-2-old", "span-", "span-+3", "span- 4", "span-²"])
def test_a_span_folder_whose_name_is_not_a_number_is_refused(tmp_path: Path, name: str):
    root = make_span_layout(tmp_path / "data", (1,))
    (root / name).mkdir()
    with pytest.raises(idx.IdxError) as caught:
        spans.discover(root)
    assert caught.value.path == str(root / name)
    assert name in str(caught.value)
    assert "span-<number>" in caught.value.problem


def test_span_0_is_refused(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (0, 1))
    with pytest.raises(idx.IdxError, match="span numbers start at 1") as caught:
        spans.discover(root)
    assert caught.value.path == str(root / "span-0")


def test_two_folders_of_one_number_are_refused(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (1, 2))
    (root / "span-01").mkdir()
    with pytest.raises(idx.IdxError, match="span 1 is also") as caught:
        spans.discover(root)
    message = str(caught.value)
    assert "span-01" in message and str(root / "span-1") in message


def test_a_file_named_like_a_span_is_refused(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (1,))
    (root / "span-2").write_bytes(b"not a folder")
    with pytest.raises(idx.IdxError, match="must be a folder") as caught:
        spans.discover(root)
    assert caught.value.path == str(root / "span-2")


def test_the_flat_layout_is_span_1_whose_folder_is_the_root(dataset_dir: Path):
    layout = spans.discover(dataset_dir)
    assert layout.spans == (spans.SpanFolder(1, dataset_dir),)
    assert layout.flat


@pytest.mark.parametrize("name", spans.SPAN_FILES)
def test_flat_training_files_beside_span_folders_are_refused(tmp_path: Path, name: str):
    root = make_span_layout(tmp_path / "data", (1, 2))
    (root / name).write_bytes((root / "span-1" / name).read_bytes())
    with pytest.raises(idx.IdxError, match="span folders both") as caught:
        spans.discover(root)
    assert caught.value.path == str(root / name)


@pytest.mark.parametrize(("is_a_file", "problem"), [(False, "folder not found"), (True, "cannot list the data folder")])
def test_a_data_folder_missing_or_a_file_is_an_error_naming_it(tmp_path: Path, is_a_file: bool, problem: str):
    _ = is_a_file and (tmp_path / "data").write_bytes(b"")
    with pytest.raises(idx.IdxError, match=problem) as caught:
        spans.discover(tmp_path / "data")
    assert caught.value.path == str(tmp_path / "data")


# --- verify ---------------------------------------------------------------------------------------


def _decompressed_sha256(path: Path) -> str:
    return hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()


def test_verify_reads_the_test_set_and_every_span(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (1, 3), n_train=30, n_test=20)
    dataset = spans.verify(spans.discover(root), source="the fixture")
    assert dataset.root == root
    assert dataset.span_numbers == (1, 3)
    assert dataset.test_count == 20
    assert dataset.test_sha256 == {name: _decompressed_sha256(root / name) for name in spans.TEST_FILES}
    for span in dataset.spans:
        folder = root / f"span-{span.number}"
        assert span.directory == folder
        assert span.count == 30
        assert span.sha256 == {name: _decompressed_sha256(folder / name) for name in spans.SPAN_FILES}
    assert dataset.spans[0].sha256 != dataset.spans[1].sha256, "each span is hashed from its own files"
    assert (dataset.official, dataset.source) == (False, "the fixture")


def _fault(name: str, path: Path) -> None:
    """Breaks the 30-example training file ``path`` in the way ``name`` says."""
    raw = path.read_bytes()
    if name == "missing":
        path.unlink()
    elif name in ("empty", "not gzip", "truncated"):
        path.write_bytes({"empty": b"", "not gzip": gzip.decompress(raw), "truncated": raw[: len(raw) // 2]}[name])
    elif "images" in path.name:  # wrong magic: each file with the other one's
        write_idx(path, np.zeros((30, 28, 28)), magic=idx.LABELS_MAGIC)
    else:
        write_idx(path, np.arange(30) % 10, magic=idx.IMAGES_MAGIC)


FAULTS = {
    "missing": "file not found",
    "empty": "empty file",
    "not gzip": "not a gzip file",
    "truncated": "truncated gzip stream",
    "wrong magic": "wrong magic number",
}


@pytest.mark.parametrize("file_name", spans.SPAN_FILES)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_broken_span_file_is_named_with_its_span_folder(tmp_path: Path, fault: str, file_name: str):
    root = make_span_layout(tmp_path / "data", (1, 2, 3))
    broken = root / "span-2" / file_name
    _fault(fault, broken)
    with pytest.raises(idx.IdxError, match=FAULTS[fault]) as caught:
        spans.verify(spans.discover(root), source="fixture")
    assert caught.value.path == str(broken)
    assert f"span-2/{file_name}" in str(caught.value)


def test_span_files_whose_counts_differ_are_named_by_the_labels_file(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (1, 2), n_train=30)
    write_idx(root / "span-2" / sources.TRAIN_LABELS, np.arange(29) % 10)
    with pytest.raises(idx.IdxError, match="29 labels for 30 images") as caught:
        spans.verify(spans.discover(root), source="fixture")
    assert caught.value.path == str(root / "span-2" / sources.TRAIN_LABELS)


def test_a_span_label_outside_0_to_9_is_named(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (1, 2), n_train=30)
    labels = np.arange(30) % 10
    labels[17] = 10
    write_idx(root / "span-2" / sources.TRAIN_LABELS, labels)
    with pytest.raises(idx.IdxError, match=r"label 10 at index 17 is outside 0\.\.9") as caught:
        spans.verify(spans.discover(root), source="fixture")
    assert caught.value.path == str(root / "span-2" / sources.TRAIN_LABELS)


def test_a_span_truncated_inside_the_idx_body_is_refused(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (1,))
    path = root / "span-1" / sources.TRAIN_IMAGES
    content = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(content[:-100]))
    with pytest.raises(idx.IdxError, match="truncated: header declares") as caught:
        spans.verify(spans.discover(root), source="fixture")
    assert caught.value.path == str(path)


@pytest.mark.parametrize("file_name", spans.TEST_FILES)
def test_the_test_set_at_the_top_is_verified_too(tmp_path: Path, file_name: str):
    root = make_span_layout(tmp_path / "data", (1,))
    (root / file_name).unlink()
    with pytest.raises(idx.IdxError, match="file not found") as caught:
        spans.verify(spans.discover(root), source="fixture")
    assert caught.value.path == str(root / file_name)


def test_a_span_folder_without_training_files_is_refused(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (1,))
    (root / "span-2").mkdir()
    with pytest.raises(idx.IdxError, match="file not found") as caught:
        spans.verify(spans.discover(root), source="fixture")
    assert caught.value.path == str(root / "span-2" / sources.TRAIN_IMAGES)


def _copy(root: Path, how: str) -> None:
    if how == "symlink":
        return (root / "span-2").symlink_to(root / "span-1")
    shutil.copytree(root / "span-1", root / "span-2")
    if how == "relabelled copy":
        write_idx(root / "span-2" / sources.TRAIN_LABELS, np.arange(30) % 10)
    if how == "the test set":
        shutil.copy(root / sources.TEST_IMAGES, root / "span-2" / sources.TRAIN_IMAGES)


@pytest.mark.parametrize(
    ("how", "problem"),
    [("symlink", "the same folder as span-1"), ("byte copy", "the same images as span-1"),
     ("relabelled copy", "the same images as span-1"), ("the test set", "the same images as the test set")],
)  # fmt: skip
def test_a_span_that_repeats_another_is_refused_naming_both(tmp_path: Path, how: str, problem: str):
    """Issue 25, defect 7: training on the same images twice would weigh them double in the window."""
    _copy(root := make_span_layout(tmp_path / "data", (1, 3), n_test=30), how)
    with pytest.raises(idx.IdxError, match=problem) as caught:
        spans.verify(spans.discover(root), source="fixture")
    assert caught.value.path == str(root / "span-2")


# --- from_flat, locate ----------------------------------------------------------------------------


def test_from_flat_makes_the_training_files_span_1(dataset_dir: Path):
    raw = sources.verify_directory(dataset_dir, require_official=False, source="fixture")
    dataset = spans.from_flat(raw)

    assert dataset.root == dataset_dir
    assert dataset.test_sha256 == {name: raw.sha256[name] for name in spans.TEST_FILES}
    assert dataset.test_count == 20
    assert dataset.spans == (
        spans.Span(
            number=1,
            directory=dataset_dir,
            sha256={name: raw.sha256[name] for name in spans.SPAN_FILES},
            count=60,
        ),
    )
    assert (dataset.official, dataset.source) == (False, "fixture")


def test_from_flat_keeps_the_official_verdict(dataset_dir: Path):
    raw = sources.verify_directory(dataset_dir, require_official=False, source="fixture")
    official = sources.RawDataset(raw.directory, raw.sha256, raw.counts, official=True, source="Debian")
    assert spans.from_flat(official).official is True


def test_locate_verifies_a_span_layout(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (2, 5))
    dataset = spans.locate(data_dir=root, raw_dir=tmp_path / "raw", allow_apt=False, allow_download=False)
    assert dataset.span_numbers == (2, 5)
    assert dataset.source == f"DATA_DIR {root}"
    assert dataset.official is False
    assert not (tmp_path / "raw").exists(), "a span layout is read where it is, never copied"


def test_locate_reads_the_flat_layout_as_span_1(dataset_dir: Path, tmp_path: Path):
    dataset = spans.locate(data_dir=dataset_dir, raw_dir=tmp_path / "raw", allow_apt=False, allow_download=False)
    raw = sources.verify_directory(dataset_dir, require_official=False, source=f"DATA_DIR {dataset_dir}")
    assert dataset == spans.from_flat(raw)


def test_locate_keeps_the_official_check_of_a_flat_data_folder(dataset_dir: Path, tmp_path: Path, monkeypatch):
    """The flat layout goes through sources.locate, which knows the official hashes; verify() does not."""
    fixture = sources.verify_directory(dataset_dir, require_official=False, source="fixture")
    monkeypatch.setattr(sources, "OFFICIAL_SHA256", dict(fixture.sha256))
    dataset = spans.locate(data_dir=dataset_dir, raw_dir=tmp_path / "raw", allow_apt=False, allow_download=False)
    assert dataset.official is True


def test_locate_names_the_broken_span(tmp_path: Path):
    root = make_span_layout(tmp_path / "data", (1, 2))
    (root / "span-2" / sources.TRAIN_LABELS).write_bytes(b"")
    with pytest.raises(idx.IdxError, match="empty file") as caught:
        spans.locate(data_dir=root, raw_dir=tmp_path / "raw", allow_apt=False, allow_download=False)
    assert caught.value.path == str(root / "span-2" / sources.TRAIN_LABELS)


def test_locate_in_a_folder_without_training_data_names_the_missing_file(tmp_path: Path):
    root = make_dataset_dir(tmp_path / "data")
    for name in spans.SPAN_FILES:
        (root / name).unlink()
    with pytest.raises(idx.IdxError, match="file not found") as caught:
        spans.locate(data_dir=root, raw_dir=tmp_path / "raw", allow_apt=False, allow_download=False)
    assert caught.value.path == str(root / sources.TRAIN_IMAGES)


def test_a_span_round_trips_through_json(tmp_path: Path):
    span = spans.Span(number=4, directory=tmp_path / "span-4", sha256={"a": "1" * 64, "b": "2" * 64}, count=12)
    assert spans.Span.from_json(4, span.to_json()) == span
