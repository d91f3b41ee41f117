"""Split assignment and tf.Example encoding."""

import numpy as np
import pytest
import tensorflow as tf

from components.contract import features
from components.ingestion import examples


def _labels(n_per_class: list[int]) -> np.ndarray:
    return np.concatenate([np.full(n, c) for c, n in enumerate(n_per_class)])


def test_stratified_sample_is_exact_and_proportional():
    labels = _labels([600] * 10)
    rows = examples.stratified_sample(labels, 500, np.random.default_rng(0))
    assert len(rows) == 500 and len(set(rows)) == 500
    np.testing.assert_array_equal(np.bincount(labels[rows]), [50] * 10)


def test_stratified_sample_rounds_by_largest_remainder():
    labels = _labels([5, 3, 2])  # quotas for 5 rows: 2.5 / 1.5 / 1.0; the tied .5 goes to the lower class
    rows = examples.stratified_sample(labels, 5, np.random.default_rng(0))
    np.testing.assert_array_equal(np.bincount(labels[rows], minlength=3), [3, 1, 1])


def test_stratified_sample_rejects_impossible_counts():
    with pytest.raises(ValueError):
        examples.stratified_sample(np.zeros(3), 4, np.random.default_rng(0))


def test_span_plan_is_deterministic_disjoint_and_complete():
    labels = np.random.default_rng(1).integers(0, 10, 6000)
    plan = examples.plan_span(labels, eval_fraction=1 / 12, seed=42)
    again = examples.plan_span(labels, eval_fraction=1 / 12, seed=42)
    other = examples.plan_span(labels, eval_fraction=1 / 12, seed=43)
    np.testing.assert_array_equal(plan.eval, again.eval)
    assert not np.array_equal(plan.eval, other.eval)
    assert len(plan.eval) == 500
    assert not set(plan.eval) & set(plan.train)
    assert len(plan.train) + len(plan.eval) == 6000
    # Stratified: every class's share of eval is within one example of its share of the whole.
    expected = np.bincount(labels, minlength=10) * 500 / 6000
    assert np.all(np.abs(np.bincount(labels[plan.eval], minlength=10) - expected) < 1)


def test_span_plan_keeps_one_eval_row_and_never_all_rows():
    assert len(examples.plan_span(np.arange(10) % 10, eval_fraction=0.001, seed=0).eval) == 1
    tiny = examples.plan_span(np.array([3, 4]), eval_fraction=0.99, seed=0)
    assert (len(tiny.train), len(tiny.eval)) == (1, 1)


def test_span_plan_of_the_flat_layout_is_the_former_split():
    """Span 1 of the flat layout keeps the rows the single split of 60,000 gave: eval first from the same seed."""
    labels = np.random.default_rng(5).integers(0, 10, 6000)
    plan = examples.plan_span(labels, eval_fraction=500 / 6000, seed=42)
    former = examples.stratified_sample(labels, 500, np.random.default_rng(42))
    np.testing.assert_array_equal(plan.eval, former)


def test_limits_keep_stratified_subsets():
    train_labels = np.tile(np.arange(10), 600)
    test_labels = np.tile(np.arange(10), 100)
    plan = examples.plan_span(train_labels, eval_fraction=100 / 6000, seed=0, train_limit=300)
    test = examples.plan_test(test_labels, seed=0, test_limit=200)
    assert (len(plan.train), len(plan.eval), len(test)) == (300, 100, 200)
    np.testing.assert_array_equal(np.bincount(train_labels[plan.train]), [30] * 10)
    np.testing.assert_array_equal(np.bincount(test_labels[test]), [20] * 10)
    assert not set(plan.eval) & set(plan.train)
    np.testing.assert_array_equal(examples.plan_test(test_labels, seed=0), np.arange(1000))


def test_span_profile_counts_every_label_and_grey_level():
    images = np.zeros((3, 28, 28), np.uint8)
    images[1] = 255
    profile = examples.span_profile(images, np.array([0, 9, 9]))
    assert profile["label_counts"] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert len(profile["pixel_histogram"]) == 256
    assert profile["pixel_histogram"][0] == 2 * 784 and profile["pixel_histogram"][255] == 784


def test_example_follows_the_record_contract():
    image = np.arange(784, dtype=np.int64).reshape(28, 28).astype(np.uint8)
    parsed = tf.io.parse_single_example(
        examples.to_example(image, 7),
        {
            features.IMAGE_KEY: tf.io.FixedLenFeature([], tf.string),
            features.LABEL_KEY: tf.io.FixedLenFeature([], tf.int64),
        },
    )
    raw = parsed[features.IMAGE_KEY].numpy()
    assert len(raw) == 784
    np.testing.assert_array_equal(np.frombuffer(raw, np.uint8).reshape(28, 28), image)  # row-major
    assert parsed[features.LABEL_KEY].numpy() == 7


@pytest.mark.parametrize(
    ("image", "label"),
    [(np.zeros((28, 28), np.uint8), 10), (np.zeros((28, 27), np.uint8), 1), (np.zeros((28, 28), np.float32), 1)],
)
def test_example_rejects_bad_values(image, label):
    with pytest.raises(ValueError):
        examples.to_example(image, label)


def test_split_summary_counts_pixels_and_labels():
    images = np.zeros((4, 28, 28), np.uint8)
    images[1, 0, 0] = 255
    images[2] = 16
    labels = np.array([0, 1, 1, 9])
    summary = examples.split_summary(images, labels, np.array([1, 2, 3]))
    assert summary["count"] == 3
    assert (summary["pixel_min"], summary["pixel_max"]) == (0, 255)
    assert summary["pixel_mean"] == pytest.approx((255 + 16 * 784) / (3 * 784))
    assert summary["label_counts"] == [0, 2, 0, 0, 0, 0, 0, 0, 0, 1]
    assert summary["pixel_std"] == pytest.approx(images[[1, 2, 3]].std())
    assert sum(summary["pixel_histogram"]) == 3 * 784
    assert summary["pixel_histogram"][1] == 784 and summary["pixel_histogram"][15] == 1
    assert examples.split_summary(images, labels, np.array([], dtype=int))["count"] == 0
