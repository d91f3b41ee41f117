"""Split assignment and tf.Example encoding."""

import numpy as np
import pytest
import tensorflow as tf

from components import features
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


def test_plan_is_deterministic_disjoint_and_complete():
    train_labels = np.random.default_rng(1).integers(0, 10, 6000)
    test_labels = np.random.default_rng(2).integers(0, 10, 1000)
    plan = examples.plan_splits(train_labels, test_labels, eval_count=500, seed=42)
    again = examples.plan_splits(train_labels, test_labels, eval_count=500, seed=42)
    other = examples.plan_splits(train_labels, test_labels, eval_count=500, seed=43)
    np.testing.assert_array_equal(plan.eval, again.eval)
    assert not np.array_equal(plan.eval, other.eval)
    assert len(plan.eval) == 500
    assert not set(plan.eval) & set(plan.train)
    assert len(plan.train) + len(plan.eval) == 6000
    np.testing.assert_array_equal(plan.test, np.arange(1000))
    # Stratified: every class's share of eval is within one example of its share of the whole.
    expected = np.bincount(train_labels, minlength=10) * 500 / 6000
    assert np.all(np.abs(np.bincount(train_labels[plan.eval], minlength=10) - expected) < 1)


def test_plan_limits_keep_stratified_subsets():
    train_labels = np.tile(np.arange(10), 600)
    test_labels = np.tile(np.arange(10), 100)
    plan = examples.plan_splits(train_labels, test_labels, eval_count=100, seed=0, train_limit=300, test_limit=200)
    assert (len(plan.train), len(plan.eval), len(plan.test)) == (300, 100, 200)
    np.testing.assert_array_equal(np.bincount(train_labels[plan.train]), [30] * 10)
    np.testing.assert_array_equal(np.bincount(test_labels[plan.test]), [20] * 10)
    assert not set(plan.eval) & set(plan.train)


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
