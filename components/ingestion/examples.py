"""Turning decoded IDX arrays into split-assigned, serialized tf.Examples.

Plain functions: the ingestion executor wraps them in Beam, the tests call them
directly.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from components.contract import features


@dataclasses.dataclass(frozen=True)
class SpanPlan:
    """Which rows of a span's training file go to which split.

    Attributes:
      train: row indices kept for training.
      eval: row indices held out for evaluation during training.
    """

    train: np.ndarray
    eval: np.ndarray


def stratified_sample(labels: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Picks ``count`` row indices whose label mix matches that of ``labels``.

    Each class gets its proportional share, rounded by largest remainder (ties
    to the lower class id), so the total is exactly ``count``. Returns sorted
    indices.
    """
    if not 0 <= count <= len(labels):
        raise ValueError(f"cannot sample {count} of {len(labels)} rows")
    classes, class_counts = np.unique(labels, return_counts=True)
    quotas = class_counts * (count / len(labels)) if len(labels) else class_counts * 0.0
    shares = np.floor(quotas).astype(np.int64)
    remainder = count - int(shares.sum())
    # Stable sort on the negated fractional part: largest remainders first, ties by class order.
    for i in np.argsort(-(quotas - shares), kind="stable")[:remainder]:
        shares[i] += 1
    picked = [
        rng.permutation(np.flatnonzero(labels == cls))[:share] for cls, share in zip(classes, shares, strict=True)
    ]
    return np.sort(np.concatenate(picked)) if picked else np.empty(0, np.int64)


def plan_span(labels: np.ndarray, *, eval_fraction: float, seed: int, train_limit: int | None = None) -> SpanPlan:
    """Deterministic, stratified split of one span's rows into ``train`` and ``eval``.

    ``eval`` is a stratified sample of ``eval_fraction`` of the rows (at least one, and never all
    of a span of two or more), ``train`` the rest; ``train_limit`` keeps a stratified subset of it
    (the smoke profile).
    """
    count = len(labels)
    eval_count = min(max(round(count * eval_fraction), 1), count - 1) if count > 1 else 0
    rng = np.random.default_rng(seed)
    eval_rows = stratified_sample(labels, eval_count, rng)
    rest = np.setdiff1d(np.arange(count), eval_rows, assume_unique=True)
    if train_limit is not None and train_limit < len(rest):
        rest = rest[stratified_sample(labels[rest], train_limit, rng)]
    return SpanPlan(train=rest, eval=eval_rows)


def plan_test(labels: np.ndarray, *, seed: int, test_limit: int | None = None) -> np.ndarray:
    """The rows of the fixed test file to use: all of them, or a stratified ``test_limit`` of them."""
    if test_limit is not None and test_limit < len(labels):
        return stratified_sample(labels, test_limit, np.random.default_rng(seed))
    return np.arange(len(labels))


def to_example(image: np.ndarray, label: int) -> bytes:
    """Serializes one image and its label as a tf.Example in the record contract.

    Args:
      image: uint8 [28, 28].
      label: class id in 0..9.
    """
    # Imported here: only the ingestion executor and tests need the proto, and
    # the pre-flight check must not pay TensorFlow's import.
    from tensorflow.core.example import example_pb2

    if image.dtype != np.uint8 or image.shape != (features.IMAGE_HEIGHT, features.IMAGE_WIDTH):
        raise ValueError(f"expected a uint8 28x28 image, got {image.dtype} {image.shape}")
    if not 0 <= int(label) < features.NUM_CLASSES:
        raise ValueError(f"label {label} is outside 0..{features.NUM_CLASSES - 1}")
    example = example_pb2.Example()
    feature = example.features.feature
    feature[features.IMAGE_KEY].bytes_list.value.append(image.tobytes())
    feature[features.LABEL_KEY].int64_list.value.append(int(label))
    return example.SerializeToString()


# Pixel levels of a span profile's histogram: every grey level, so that drift measures see small shifts.
PIXEL_LEVELS = 256


def span_profile(images: np.ndarray, labels: np.ndarray) -> dict[str, list[int]]:
    """What the drift check compares between spans: exact label counts and a 256-level pixel histogram.

    ``images`` is [N, 28, 28] uint8 and ``labels`` [N]: every row of the span, train and eval alike.
    """
    return {
        "label_counts": [int(c) for c in np.bincount(labels, minlength=features.NUM_CLASSES)],
        "pixel_histogram": [int(c) for c in np.bincount(images.reshape(-1), minlength=PIXEL_LEVELS)],
    }


# Pixel-value histogram bins of a split summary: 16 bins of 16 values each.
HISTOGRAM_BINS = 16
# The histogram is drawn from a systematic sample of about this many images (a chart, not a count).
HISTOGRAM_SAMPLE = 5000


def split_summary(images: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> dict[str, object]:
    """What a split looks like: count, pixel value range, mean, std and histogram, examples per class.

    ``images`` is [N, 28, 28] uint8 and ``labels`` [N]; ``rows`` selects the split. TFDV sees each
    image as one bytes value, so these pixel statistics come from here. Count, range, mean and std
    are exact (integer sums); the histogram is of a systematic sample of the split's images.
    """
    pixels = images[rows].reshape(-1)
    count = pixels.size
    if not count:
        return {"count": 0, "pixel_min": 0, "pixel_max": 0, "pixel_mean": 0.0, "pixel_std": 0.0,
                "pixel_histogram": [0] * HISTOGRAM_BINS, "label_counts": [0] * features.NUM_CLASSES}  # fmt: skip
    total = int(pixels.sum(dtype=np.uint64))
    squares = int(np.square(pixels, dtype=np.uint16).sum(dtype=np.uint64))  # 255² fits in 16 bits
    mean = total / count
    sample = images[rows[:: max(1, len(rows) // HISTOGRAM_SAMPLE)]].reshape(-1)
    histogram = np.bincount(sample >> 4, minlength=HISTOGRAM_BINS)
    return {
        "count": len(rows),
        "pixel_min": int(pixels.min()),
        "pixel_max": int(pixels.max()),
        "pixel_mean": mean,
        "pixel_std": max(squares / count - mean * mean, 0.0) ** 0.5,
        "pixel_histogram": [int(c) for c in histogram],
        "label_counts": [int(c) for c in np.bincount(labels[rows], minlength=features.NUM_CLASSES)],
    }
