"""Splits the Fashion-MNIST training set into a span layout, to try continuous training on the real data.

``python -m data.make_spans --spans 3 --release 1 --dest DIR`` writes the test set at the top of DIR and
``span-1``; the same command with ``--release 2`` adds ``span-2`` beside it, and so on (the layout of
``data.spans``). The split is stratified and deterministic: the same labels, span count, seed and span size
always give the same spans, so a later release only adds folders. A span folder that is there already is
compared, never overwritten: the same content is kept as it is, other content is an error.

``--alter SPAN=KIND`` puts deliberate drift into one span, to try the drift gate:
  invert      every pixel p becomes 255 - p
  darken      every pixel p becomes round(p * 0.7)
  label-skew  the span keeps its size, but 30% of it is class 0: its own class-0 rows, each used in turn
              and again as often as needed (drawn with replacement), and the rest a random part of its other rows
"""

from __future__ import annotations

import argparse
import dataclasses
import secrets
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from data import idx, sources, spans

ALTER_KINDS: tuple[str, ...] = ("invert", "darken", "label-skew")
DARKEN_FACTOR = 0.7
SKEW_CLASS = 0
SKEW_SHARE = 0.3
DEFAULT_RAW_DIR = Path(__file__).resolve().parent / "raw"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What ``write_layout`` did with one part of the layout.

    Attributes:
      name: ``test set``, or the span folder's name.
      count: the examples it holds.
      written: whether it was written now; False when it was there already, the same.
    """

    name: str
    count: int
    written: bool


def _shuffled(rows: np.ndarray, seed: int, stream: int) -> np.ndarray:
    # PCG64's raw output is the same in every NumPy version; Generator.permutation's algorithm is not promised to be.
    keys = np.random.PCG64([seed, stream]).random_raw(len(rows))
    return rows[np.argsort(keys, kind="stable")]


def split_rows(labels: np.ndarray, n_spans: int, seed: int, span_size: int | None = None) -> list[np.ndarray]:
    """Splits the rows of ``labels`` into ``n_spans`` disjoint, stratified spans of near-equal size.

    Each class's rows, in an order fixed by ``seed``, are dealt out in turn to span 1, 2, ..., carrying on from
    one class to the next: the spans' sizes differ by at most one, and so do their counts of any class.

    Args:
      labels: the class of each row.
      n_spans: how many spans, 1..len(labels).
      seed: which rows go where; the same arguments always give the same spans.
      span_size: at most this many rows per span: a stratified subset of the rows is split instead.

    Returns:
      each span's row indices, ascending.

    Raises:
      ValueError: ``n_spans`` is not in 1..len(labels), or ``span_size`` is below 1.
    """
    labels = np.asarray(labels)
    if not 1 <= n_spans <= len(labels):
        raise ValueError(f"the number of spans must be 1..{len(labels)} (the examples there are), not {n_spans}")
    if span_size is not None and span_size < 1:
        raise ValueError(f"the span size must be at least 1, not {span_size}")
    order = _shuffled(np.arange(len(labels)), seed, 0)
    order = order[np.argsort(labels[order], kind="stable")]  # grouped by class, each class in shuffled order
    if span_size is not None and span_size * n_spans < len(labels):
        order = _stratified_subset(order, labels[order], span_size * n_spans)
    return [np.sort(order[i::n_spans]) for i in range(n_spans)]


def _stratified_subset(grouped: np.ndarray, grouped_labels: np.ndarray, total: int) -> np.ndarray:
    """``total`` of the rows ``grouped`` (grouped by class), each class by its share (largest remainder)."""
    _, starts, counts = np.unique(grouped_labels, return_index=True, return_counts=True)
    quotas = total * counts // len(grouped)
    extra = np.argsort(-(total * counts % len(grouped)), kind="stable")[: total - int(quotas.sum())]
    quotas[extra] += 1
    return np.concatenate([grouped[start : start + quota] for start, quota in zip(starts, quotas, strict=True)])


def span_content(
    images: np.ndarray, labels: np.ndarray, rows: np.ndarray, kind: str | None, *, stream: int
) -> tuple[np.ndarray, np.ndarray]:
    """A span's images and labels: the training set's ``rows``, with the drift ``kind`` when given.

    Args:
      stream: the span number, which fixes label-skew's random draws.

    Raises:
      ValueError: an unknown kind, or label-skew of a span without class-0 rows or without others.
    """
    if kind is not None and kind not in ALTER_KINDS:
        raise ValueError(f"unknown alteration {kind!r}; one of {', '.join(ALTER_KINDS)}")
    if kind == "label-skew":
        rows = _skewed(rows, labels, stream)
    span_images, span_labels = images[rows], labels[rows]
    if kind == "invert":
        span_images = np.uint8(255) - span_images
    elif kind == "darken":
        span_images = np.rint(span_images * DARKEN_FACTOR).astype(np.uint8)
    return span_images, span_labels


def _skewed(rows: np.ndarray, labels: np.ndarray, stream: int) -> np.ndarray:
    """As many rows as ``rows``, SKEW_SHARE of them class SKEW_CLASS, all from ``rows``."""
    chosen = labels[rows] == SKEW_CLASS
    wanted = round(SKEW_SHARE * len(rows))
    parts = []
    for pool, count, stream_part in ((rows[chosen], wanted, 1), (rows[~chosen], len(rows) - wanted, 2)):
        if count and not len(pool):
            raise ValueError(f"label-skew needs rows of class {SKEW_CLASS} and of others in the span")
        # np.resize repeats the shuffled pool as often as needed: every row once before any row twice.
        parts.append(np.resize(_shuffled(pool, stream, stream_part), count))
    return _shuffled(np.concatenate(parts), stream, 3)


def write_layout(
    dest: Path | str,
    images: np.ndarray,
    labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
    rows_per_span: Sequence[np.ndarray],
    release: int,
    alter: dict[int, str] | None = None,
) -> list[Outcome]:
    """Writes the test set and spans 1..``release`` into ``dest``, in the layout ``data.spans`` reads.

    The test files are written where absent or different. Each span folder appears whole (written into a
    hidden folder beside it, then renamed); one that is there with the same content is left as it is. Every
    span folder is checked before anything is written, so a refused call changes nothing.

    Args:
      rows_per_span: each span's rows of the training set (``split_rows``); span N is ``rows_per_span[N-1]``.
      release: the spans to write, 1..release.
      alter: span number -> one of ALTER_KINDS, drift put into that span (see the module docstring).

    Returns:
      the test set's outcome, then each span's.

    Raises:
      idx.IdxError: a span folder is there with other content; the message names it.
      ValueError: ``release`` is outside 1..len(rows_per_span), or ``alter`` names an unknown span or kind.
    """
    dest = Path(dest)
    alter = alter or {}
    if not 1 <= release <= len(rows_per_span):
        raise ValueError(f"the spans to release must be 1..{len(rows_per_span)}, not {release}")
    if any(not 1 <= number <= len(rows_per_span) or kind not in ALTER_KINDS for number, kind in alter.items()):
        raise ValueError(f"alter {alter}: the spans are 1..{len(rows_per_span)}, the kinds {', '.join(ALTER_KINDS)}")
    planned = []
    for number in range(1, release + 1):
        folder = dest / f"{spans.SPAN_PREFIX}{number}"
        content = span_content(images, labels, rows_per_span[number - 1], alter.get(number), stream=number)
        planned.append((folder, content, _already_there(folder, *content)))
    dest.mkdir(parents=True, exist_ok=True)
    test_written = False
    for name, array in ((sources.TEST_IMAGES, test_images), (sources.TEST_LABELS, test_labels)):
        if not _holds(dest / name, array):
            idx.write_idx(dest / name, array)
            test_written = True
    outcomes = [Outcome("test set", len(test_labels), test_written)]
    for folder, (span_images, span_labels), there in planned:
        if not there:
            _write_span(folder, span_images, span_labels)
        outcomes.append(Outcome(folder.name, len(span_labels), written=not there))
    return outcomes


def _holds(path: Path, array: np.ndarray) -> bool:
    read = idx.read_images if array.ndim == 3 else idx.read_labels
    try:
        return np.array_equal(read(path).array, array)
    except idx.IdxError:
        return False


def _already_there(folder: Path, images: np.ndarray, labels: np.ndarray) -> bool:
    """False for no folder, True for one with this content; raises for one with other content."""
    if not folder.exists():
        return False
    if _holds(folder / sources.TRAIN_IMAGES, images) and _holds(folder / sources.TRAIN_LABELS, labels):
        return True
    problem = "holds other data than this span (another seed, span size or alteration?) and is never overwritten"
    raise idx.IdxError(folder, problem)


def _write_span(folder: Path, images: np.ndarray, labels: np.ndarray) -> None:
    # Hidden (not span-*), so data.spans.discover ignores it while it fills up, or if a crash leaves it.
    temp = folder.with_name(f".{folder.name}.{secrets.token_hex(4)}.tmp")
    temp.mkdir()
    try:
        idx.write_idx(temp / sources.TRAIN_IMAGES, images)
        idx.write_idx(temp / sources.TRAIN_LABELS, labels)
        temp.rename(folder)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


class _ArgumentParser(argparse.ArgumentParser):
    """argparse without prefix matching, whose errors are one line: ``error: <what is wrong>``, exit 2."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}\n")


def _alter_item(text: str) -> tuple[int, str]:
    number, sep, kind = text.partition("=")
    if not sep or not number.isascii() or not number.isdigit() or kind not in ALTER_KINDS:
        raise argparse.ArgumentTypeError(f"{text!r} is not SPAN=KIND, KIND one of {', '.join(ALTER_KINDS)}")
    return int(number), kind


def _parser() -> _ArgumentParser:
    parser = _ArgumentParser(prog="python -m data.make_spans", description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, required=True, help="how many spans to split into")
    parser.add_argument("--release", type=int, default=None, help="write spans 1..RELEASE (default: all)")
    parser.add_argument("--dest", type=Path, required=True, help="the data folder to write")
    parser.add_argument("--seed", type=int, default=0, help="which rows go to which span")
    parser.add_argument("--span-size", type=int, default=None, help="at most this many examples per span")
    parser.add_argument("--alter", type=_alter_item, action="append", default=[], metavar="SPAN=KIND",
                        help=f"drift in one span, KIND one of {', '.join(ALTER_KINDS)}; repeatable")  # fmt: skip
    parser.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW_DIR, help="the official files")
    return parser


def _flag_problem(args: argparse.Namespace, release: int) -> str | None:
    if args.spans < 1:
        return f"--spans must be at least 1, not {args.spans}"
    if not 1 <= release <= args.spans:
        return f"--release must be 1..{args.spans} (--spans), not {release}"
    if args.seed < 0:
        return f"--seed must be at least 0, not {args.seed}"
    if args.span_size is not None and args.span_size < 1:
        return f"--span-size must be at least 1, not {args.span_size}"
    numbers = [number for number, _ in args.alter]
    if len(set(numbers)) < len(numbers):
        return "--alter names a span twice"
    if any(not 1 <= number <= args.spans for number in numbers):
        return f"--alter names a span outside 1..{args.spans} (--spans)"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m data.make_spans --spans N [--release K] --dest DIR ...``; see the module docstring."""
    parser = _parser()
    args = parser.parse_args(argv)
    release = args.spans if args.release is None else args.release
    problem = _flag_problem(args, release)
    if problem:
        parser.error(problem)
    try:
        arrays = {name: content.array for name, content in sources.read_all(args.raw_dir).items()}
        labels = arrays[sources.TRAIN_LABELS]
        if args.spans > len(labels):
            parser.error(f"--spans {args.spans} is more than the {len(labels)} training examples")
        rows = split_rows(labels, args.spans, args.seed, args.span_size)
        outcomes = write_layout(args.dest, arrays[sources.TRAIN_IMAGES], labels, arrays[sources.TEST_IMAGES],
                                arrays[sources.TEST_LABELS], rows, release, dict(args.alter))  # fmt: skip
    except (ValueError, OSError) as e:  # idx.IdxError is a ValueError
        print(f"error: {e}", file=sys.stderr)
        return 1
    for outcome in outcomes:
        print(f"{outcome.name}: {outcome.count} images ({'written' if outcome.written else 'unchanged'})")
    if release < args.spans:
        print(f"to release span-{release + 1}: the same command with --release {release + 1} "
              f"(make spans ... RELEASE={release + 1}); the pipeline reads DATA_DIR={args.dest}")  # fmt: skip
    else:
        print(f"all {args.spans} spans are released; the pipeline reads DATA_DIR={args.dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
