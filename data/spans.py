"""Training data that arrives in spans: where each span is, and the check of a span layout.

A data folder holds the fixed test set at the top and one folder per arrival of training data::

    DATA_DIR/t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz    the test set
    DATA_DIR/span-1/train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz
    DATA_DIR/span-2/...

The flat layout (all four files at the top) is one span, span 1. Span numbers start at 1 (span 0
is the test set's, in ML Metadata). Spans are ordered by number and may have gaps: a number can be
a date (``span-20261127``). A folder whose name starts with ``span-`` but is not ``span-<number>``
is refused rather than ignored, since ignoring it would skip a span silently; any other entry is
not data and is ignored, but a folder that looks like a span (``Span-2``, ``span_3``, or one holding
training files) is named in a warning. A span that repeats another (a link to its folder, or the
same images) is refused, and so is one holding the test set's images. Needs no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

from data import idx, sources

SPAN_PREFIX = "span-"
# The span the flat layout's training files are.
FLAT_SPAN = 1
SPAN_FILES: tuple[str, ...] = (sources.TRAIN_IMAGES, sources.TRAIN_LABELS)
TEST_FILES: tuple[str, ...] = (sources.TEST_IMAGES, sources.TEST_LABELS)


@dataclasses.dataclass(frozen=True)
class SpanFolder:
    """Where one span's two training files are."""

    number: int
    directory: Path


@dataclasses.dataclass(frozen=True)
class Layout:
    """The test set's folder (the data folder) and the spans in it, by ascending number.

    Attributes:
      root: the data folder; the test files are at its top.
      spans: the spans, ascending; for the flat layout one span, ``FLAT_SPAN``, whose folder is ``root``.
      ignored: folders that look like spans but are not named ``span-<number>``, skipped (``ignored_warning``).
    """

    root: Path
    spans: tuple[SpanFolder, ...]
    ignored: tuple[Path, ...] = ()

    @property
    def flat(self) -> bool:
        return len(self.spans) == 1 and self.spans[0].directory == self.root


@dataclasses.dataclass(frozen=True)
class Span:
    """One verified span.

    Attributes:
      number: the span number.
      directory: its folder.
      sha256: each of its two files' name -> SHA-256 of the decompressed content.
      count: the examples it holds.
    """

    number: int
    directory: Path
    sha256: dict[str, str]
    count: int

    def to_json(self) -> dict[str, object]:
        return {"directory": str(self.directory), "sha256": dict(self.sha256), "count": self.count}

    @classmethod
    def from_json(cls, number: int, record: dict) -> Span:
        return cls(number=number, directory=Path(record["directory"]), sha256=dict(record["sha256"]),
                   count=int(record["count"]))  # fmt: skip


@dataclasses.dataclass(frozen=True)
class SpannedDataset:
    """A verified data folder: the test set and every span.

    Attributes:
      root: the data folder.
      test_sha256: each test file's name -> SHA-256 of its decompressed content.
      test_count: the examples of the test set.
      spans: the verified spans, ascending by number.
      official: whether the data is the official Fashion-MNIST (flat layout, official hashes).
      source: where it came from, in words.
      ignored: as ``Layout.ignored``.
    """

    root: Path
    test_sha256: dict[str, str]
    test_count: int
    spans: tuple[Span, ...]
    official: bool
    source: str
    ignored: tuple[Path, ...] = ()

    @property
    def span_numbers(self) -> tuple[int, ...]:
        return tuple(s.number for s in self.spans)

    @property
    def flat(self) -> bool:
        """The flat four-file layout: one span, whose folder is the data folder."""
        return len(self.spans) == 1 and self.spans[0].directory == self.root


def span_number(name: str) -> int | None:
    """The number of a span folder's name; None for a name that is not a span's.

    Raises:
      ValueError: the name starts with ``span-`` but the rest is not a number.
    """
    if not name.startswith(SPAN_PREFIX):
        return None
    digits = name[len(SPAN_PREFIX) :]
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"a span folder is named {SPAN_PREFIX}<number>, e.g. {SPAN_PREFIX}2")
    return int(digits)


def ignored_warning(folder: Path) -> str:
    """The warning about a folder that looks like a span but is skipped."""
    return f"{folder}: not a span folder, skipped (a span folder is named {SPAN_PREFIX}<number>, e.g. {SPAN_PREFIX}2)"


def _looks_like_a_span(entry: os.DirEntry) -> bool:
    """A visible folder named like a span in another spelling (``Span-2``, ``span_3``) or holding training files."""
    if entry.name.startswith(".") or not entry.is_dir():
        return False
    return entry.name.casefold().startswith("span") or any(os.path.exists(Path(entry.path, n)) for n in SPAN_FILES)


def discover(root: Path | str) -> Layout:
    """The layout of the data folder ``root``: its span folders, or the flat layout as span 1.

    Raises:
      idx.IdxError: the folder is missing, a span folder's name is not ``span-<number>``, two folders have
        one number, or the flat training files and span folders are both there. A folder with neither is
        the flat layout, whose missing files ``verify`` names.
    """
    root = Path(root)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except FileNotFoundError:
        raise idx.IdxError(root, "folder not found") from None
    except OSError as e:
        raise idx.IdxError(root, f"cannot list the data folder ({e.strerror or e})") from None
    by_number: dict[int, Path] = {}
    ignored = []
    for entry in entries:
        try:
            number = span_number(entry.name)
        except ValueError as e:
            raise idx.IdxError(Path(entry.path), str(e)) from None
        if number is None:
            ignored += [Path(entry.path)] if _looks_like_a_span(entry) else []
            continue
        if number < 1:
            raise idx.IdxError(Path(entry.path), f"span numbers start at 1 ({SPAN_PREFIX}1)")
        if not entry.is_dir():
            raise idx.IdxError(Path(entry.path), "a span must be a folder holding the two training files")
        if number in by_number:
            raise idx.IdxError(Path(entry.path), f"span {number} is also {by_number[number].name}")
        by_number[number] = Path(entry.path)
    flat = [name for name in SPAN_FILES if (root / name).exists()]
    if by_number and flat:
        raise idx.IdxError(
            root / flat[0], f"training files at the top and span folders both; move them into {SPAN_PREFIX}1/"
        )
    if by_number:
        return Layout(root, tuple(SpanFolder(n, by_number[n]) for n in sorted(by_number)), tuple(ignored))
    return Layout(root=root, spans=(SpanFolder(FLAT_SPAN, root),), ignored=tuple(ignored))


def verify(layout: Layout, *, source: str) -> SpannedDataset:
    """Reads and checks the test set and every span as strictly as the flat files, and hashes them.

    Raises:
      idx.IdxError: a file is missing, empty, not gzip, truncated, has the wrong magic or size, an
        images file and its labels file disagree, or a label is outside 0..9. The path names the span.
        Or a span repeats another: its folder is the other's (a link), or its images are the same (its
        labels may differ), or they are the test set's; the path names the later span, the message the other.
    """
    test = _read_pair(layout.root, sources.TEST_IMAGES, sources.TEST_LABELS)
    folders: dict[str, Path] = {}
    for folder in layout.spans:
        real = os.path.realpath(folder.directory)
        if real in folders:
            raise idx.IdxError(folder.directory, f"the same folder as {folders[real].name} ({real}); {_ONCE}")
        folders[real] = folder.directory
    images: dict[str, str] = {test[sources.TEST_IMAGES].sha256: _TEST_SET}
    spans = []
    for folder in layout.spans:
        contents = _read_pair(folder.directory, sources.TRAIN_IMAGES, sources.TRAIN_LABELS)
        digest = contents[sources.TRAIN_IMAGES].sha256
        if digest in images:
            why = _ONCE if images[digest] != _TEST_SET else "the test set is never trained on: remove the copy"
            raise idx.IdxError(folder.directory, f"the same images as {images[digest]} ({digest[:12]}...); {why}")
        images[digest] = folder.directory.name
        spans.append(
            Span(
                number=folder.number,
                directory=folder.directory,
                sha256={name: content.sha256 for name, content in contents.items()},
                count=len(contents[sources.TRAIN_LABELS].array),
            )
        )
    return SpannedDataset(
        root=layout.root,
        test_sha256={name: content.sha256 for name, content in test.items()},
        test_count=len(test[sources.TEST_LABELS].array),
        spans=tuple(spans),
        official=False,
        source=source,
        ignored=layout.ignored,
    )


# Why a repeated span is refused rather than ingested: its images would count twice in the training window.
_ONCE = "a span is trained on once: remove the copy"
_TEST_SET = "the test set"


def from_flat(dataset: sources.RawDataset) -> SpannedDataset:
    """The flat four-file dataset as a span layout: its training files are span 1."""
    return SpannedDataset(
        root=dataset.directory,
        test_sha256={name: dataset.sha256[name] for name in TEST_FILES},
        test_count=dataset.counts[sources.TEST_LABELS],
        spans=(
            Span(
                number=FLAT_SPAN,
                directory=dataset.directory,
                sha256={name: dataset.sha256[name] for name in SPAN_FILES},
                count=dataset.counts[sources.TRAIN_LABELS],
            ),
        ),
        official=dataset.official,
        source=dataset.source,
    )


def _read_pair(directory: Path, images_name: str, labels_name: str) -> dict[str, idx.IdxContent]:
    images = idx.read_images(directory / images_name)
    labels = idx.read_labels(directory / labels_name)
    idx.check_pair(images, labels, labels_path=directory / labels_name)
    return {images_name: images, labels_name: labels}


def locate(
    *,
    data_dir: Path | None,
    raw_dir: Path,
    log: Callable[[str], None] = lambda message: None,
    allow_apt: bool = True,
    allow_download: bool = True,
) -> SpannedDataset:
    """Finds and verifies the data: ``data_dir``'s span layout when given, else the flat raw dataset (span 1).

    The flat layout goes through ``sources.locate`` as before (its official-hash check and fetching).

    Raises:
      idx.IdxError, sources.DataSourceError: as ``discover``, ``verify`` and ``sources.locate``.
    """
    ignored: tuple[Path, ...] = ()
    if data_dir is not None:
        layout = discover(data_dir)
        if not layout.flat:
            return verify(layout, source=f"DATA_DIR {data_dir}")
        ignored = layout.ignored
    flat = sources.locate(
        data_dir=data_dir, raw_dir=raw_dir, log=log, allow_apt=allow_apt, allow_download=allow_download
    )
    return dataclasses.replace(from_flat(flat), ignored=ignored)
