"""components/records/evaluation_results.py against an Evaluator folder in TFMA's own format, without TFMA."""

from pathlib import Path

import tensorflow_model_analysis as tfma

from components.records import evaluation_results as evaluation_lib
from tests.support.evaluation_fixtures import write_evaluation


def test_an_evaluation_reads_back_without_tfma(tmp_path: Path):
    write_evaluation(tmp_path / "ev", candidate=0.85, baseline=0.92, failed=True)
    ev = evaluation_lib.read_evaluation(tmp_path / "ev")
    assert (ev.accuracy, ev.baseline_accuracy, ev.example_count) == (0.85, 0.92, 1000)
    assert ev.class_accuracy == {c: 0.5 + c / 100 for c in range(10)}
    assert ev.baseline_class_accuracy == dict.fromkeys(range(10), 0.6)
    assert ev.validation_ok is False
    assert ev.failures == ["overall: sparse_categorical_accuracy 0.8500 is below the floor 0.9000"]
    assert [f"{t.where}: {t.rule}" for t in ev.thresholds] == [
        "overall: SparseCategoricalAccuracy >= 0.9000",
        "overall: SparseCategoricalAccuracy no more than 0.0100 below the baseline model's",
        "each label slice: SparseCategoricalAccuracy >= 0.5000",
    ]
    assert ev.confusion_matrix[3][3] == 90 and ev.confusion_matrix[3][4] == 10
    assert sum(map(sum, ev.confusion_matrix)) == 1000


def test_tfma_reads_the_same_numbers(tmp_path: Path):
    """The hand-written folder is one TFMA itself accepts, so the reader above is tested on the real format."""
    write_evaluation(tmp_path / "ev", candidate=0.85, baseline=None, failed=False)
    loaded = list(tfma.load_metrics(str(tmp_path / "ev")))
    assert len(loaded) == 11
    assert tfma.load_validation_result(str(tmp_path / "ev")).validation_ok
