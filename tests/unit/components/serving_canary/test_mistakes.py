"""The most confident mistakes, grouped by confusion pair, and their JSON round trip."""

from pathlib import Path

import numpy as np

from components.serving_canary import mistakes


def _probabilities(rows: list[tuple[int, float]], classes: int = 4) -> np.ndarray:
    """One row per (predicted class, its probability), the rest spread evenly."""
    out = np.zeros((len(rows), classes))
    for i, (predicted, p) in enumerate(rows):
        out[i] = (1 - p) / (classes - 1)
        out[i, predicted] = p
    return out


def test_pairs_with_the_most_mistakes_first_each_most_confident_first():
    rows = [(1, 0.9), (1, 0.6), (1, 0.95), (2, 0.99), (0, 0.8), (3, 0.7), (3, 0.5)]
    labels = np.array([0, 0, 0, 0, 0, 2, 2])  # row 4 is right; rows 5 and 6 are 2 taken for 3
    found = mistakes.confident_mistakes(_probabilities(rows), labels, pairs=2, per_pair=2)
    assert (found.scored, found.wrong) == (7, 6)
    assert found.pair_counts == {(0, 1): 3, (2, 3): 2}, "the (0, 2) pair has one mistake: left out"
    assert [(m.index, m.true_class, m.predicted) for m in found.shown] == [(2, 0, 1), (0, 0, 1), (5, 2, 3), (6, 2, 3)]
    assert [m.confidence for m in found.shown] == [0.95, 0.9, 0.7, 0.5]


def test_no_mistakes_shows_nothing():
    found = mistakes.confident_mistakes(_probabilities([(1, 0.9), (2, 0.8)]), np.array([1, 2]))
    assert (found.wrong, found.pair_counts, found.shown) == (0, {}, [])


def test_written_and_read_back_the_same(tmp_path: Path):
    rows = [(1, 0.9), (2, 0.7), (1, 0.8)]
    found = mistakes.confident_mistakes(_probabilities(rows), np.array([0, 0, 3]))
    assert mistakes.write(found, tmp_path).name == mistakes.MISTAKES_FILE
    assert mistakes.read(tmp_path) == found
    assert mistakes.read(tmp_path / "elsewhere") is None
