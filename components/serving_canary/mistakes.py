"""The test images the served model gets most confidently wrong, grouped by confusion pair.

Plain NumPy and JSON: the serving canary (executor.py) writes them beside its blessing after scoring
the test split through ``serving_default``; the report (pipeline/report/mistakes_section.py) reads
them without TensorFlow.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

# Beside the canary's InfraBlessing marker file.
MISTAKES_FILE = "confident_mistakes.json"
PAIRS = 6  # confusion pairs shown: the ones with the most mistakes
PER_PAIR = 8  # mistakes shown per pair: the most confident ones


@dataclasses.dataclass(frozen=True)
class Mistake:
    index: int  # the example's place in the split (its files in name order, records in file order)
    true_class: int
    predicted: int
    confidence: float  # the predicted class's probability


@dataclasses.dataclass(frozen=True)
class Mistakes:
    scored: int  # examples scored
    wrong: int  # of them, predicted wrong
    pair_counts: dict[tuple[int, int], int]  # (true, predicted) -> mistakes, for the pairs shown
    shown: list[Mistake]  # grouped by pair (most mistakes first), most confident first within a pair


def confident_mistakes(
    probabilities: np.ndarray, labels: np.ndarray, *, pairs: int = PAIRS, per_pair: int = PER_PAIR
) -> Mistakes:
    """probabilities [N, classes] and labels [N] -> the ``per_pair`` most confident mistakes of each of the
    ``pairs`` (true, predicted) pairs with the most mistakes (ties: the smaller class ids first)."""
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    counts: dict[tuple[int, int], int] = {}
    for i in wrong:
        key = (int(labels[i]), int(predicted[i]))
        counts[key] = counts.get(key, 0) + 1
    top = sorted(counts, key=lambda pair: (-counts[pair], pair))[:pairs]
    shown = []
    for true_class, predicted_class in top:
        members = [i for i in wrong if labels[i] == true_class and predicted[i] == predicted_class]
        members.sort(key=lambda i: (-confidence[i], i))
        shown += [
            Mistake(int(i), true_class, predicted_class, round(float(confidence[i]), 6)) for i in members[:per_pair]
        ]
    return Mistakes(scored=len(labels), wrong=len(wrong), pair_counts={pair: counts[pair] for pair in top}, shown=shown)


def write(mistakes: Mistakes, folder: Path) -> Path:
    path = Path(folder) / MISTAKES_FILE
    document = {
        "scored": mistakes.scored,
        "wrong": mistakes.wrong,
        "pairs": [{"true": t, "predicted": p, "count": n} for (t, p), n in mistakes.pair_counts.items()],
        "shown": [dataclasses.asdict(m) for m in mistakes.shown],
    }
    path.write_text(json.dumps(document, indent=1))
    return path


def read(folder: Path) -> Mistakes | None:
    """What ``write`` wrote in ``folder``; None when it holds none (a canary from before, or a failed one)."""
    path = Path(folder) / MISTAKES_FILE
    if not path.is_file():
        return None
    document = json.loads(path.read_text())
    return Mistakes(
        scored=document["scored"],
        wrong=document["wrong"],
        pair_counts={(p["true"], p["predicted"]): p["count"] for p in document["pairs"]},
        shown=[Mistake(**m) for m in document["shown"]],
    )
