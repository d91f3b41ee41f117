"""ServingCanary: blesses a servable model, blocks one that a server could not use."""

from pathlib import Path

import numpy as np
import tensorflow as tf
from tfx.types import artifact_utils, standard_artifacts

from components import features
from components.ingestion import examples
from components.serving_canary import checks, executor, mistakes, spec
from tests.integration.conftest import write_examples


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


def test_executor_writes_an_infra_blessing_pusher_understands(exported_model, tmp_path: Path):
    from tfx.components.util import model_utils

    model = standard_artifacts.Model()
    model.uri = str(tmp_path / "model")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "Format-Serving").symlink_to(exported_model.path)
    examples_artifact = standard_artifacts.Examples()
    examples_artifact.uri = str(tmp_path / "examples")
    examples_artifact.split_names = artifact_utils.encode_split_names(["test"])
    (tmp_path / "examples" / "Split-test").mkdir(parents=True)
    write_examples(
        tmp_path / "examples" / "Split-test" / "data_tfrecord-00000-of-00001",
        exported_model.images,
        exported_model.labels,
    )
    blessing = standard_artifacts.InfraBlessing()
    blessing.uri = str(tmp_path / "blessing")
    executor.Executor().Do(
        {spec.MODEL_KEY: [model], spec.EXAMPLES_KEY: [examples_artifact]},
        {spec.BLESSING_KEY: [blessing]},
        {spec.SPLIT_KEY: "test", spec.CANARY_SIZE_KEY: 8},
    )
    assert model_utils.is_infra_validated(blessing)
    assert (tmp_path / "blessing" / "INFRA_BLESSED").exists()
    # Every test example scored through serving_default, not just the canary batch.
    found = mistakes.read(tmp_path / "blessing")
    predicted = exported_model.keras_model.predict(exported_model.images[..., None] / 255.0, verbose=0).argmax(axis=1)
    wrong = int((predicted != exported_model.labels).sum())
    assert (found.scored, found.wrong) == (len(exported_model.labels), wrong)
    assert sum(found.pair_counts.values()) <= wrong and len(found.shown) <= mistakes.PAIRS * mistakes.PER_PAIR
    for m in found.shown:
        assert exported_model.labels[m.index] == m.true_class != m.predicted == predicted[m.index]


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
