"""components/serving_canary/checks.py: a servable model passes, one a server could not use does not; scoring."""

from pathlib import Path

import numpy as np
import tensorflow as tf

from components.contract import features
from components.ingestion import examples
from components.serving_canary import checks


def _canary(exported_model, n=16) -> list[bytes]:
    return [
        examples.to_example(img, int(label))
        for img, label in zip(exported_model.images[:n], exported_model.labels[:n], strict=True)
    ]


def test_a_servable_model_passes(exported_model):
    assert checks.check_signatures(str(exported_model.path), _canary(exported_model)) == []


def test_a_missing_signature_fails(exported_model, tmp_path: Path):
    loaded = tf.saved_model.load(str(exported_model.path))
    partial = tmp_path / "partial"
    tf.saved_model.save(
        loaded, str(partial), signatures={features.SERVING_SIGNATURE: loaded.signatures[features.SERVING_SIGNATURE]}
    )
    assert checks.check_signatures(str(partial), _canary(exported_model)) == ["signature predict_images is missing"]


def test_a_folder_that_is_no_model_fails(tmp_path: Path, exported_model):
    (problem,) = checks.check_signatures(str(tmp_path), _canary(exported_model))
    assert problem.startswith("the SavedModel does not load")


def test_scores_come_through_serving_default_without_labels(exported_model):
    examination = checks.examine(str(exported_model.path), _canary(exported_model, 30), canary_size=8, batch_size=8)
    probabilities, labels = examination.probabilities, examination.labels
    assert examination.problems == [] and probabilities.shape == (30, features.NUM_CLASSES)
    assert labels.tolist() == exported_model.labels[:30].tolist()
    expected = exported_model.keras_model.predict(exported_model.images[:30, ..., None] / 255.0, verbose=0)
    np.testing.assert_allclose(probabilities, expected, atol=1e-5)


def test_a_model_that_does_not_serve_is_not_scored(tmp_path: Path, exported_model):
    examination = checks.examine(str(tmp_path), _canary(exported_model), canary_size=8)
    assert examination.problems[0].startswith("the SavedModel does not load") and examination.probabilities is None
