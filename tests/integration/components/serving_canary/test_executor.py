"""ServingCanary's executor: an InfraBlessing the Pusher understands, and every test example scored."""

from pathlib import Path

from tfx.types import artifact_utils, standard_artifacts

from components.contract import keys
from components.serving_canary import executor, mistakes
from tests.support.example_records import write_examples


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
        {keys.MODEL_KEY: [model], keys.EXAMPLES_KEY: [examples_artifact]},
        {keys.BLESSING_KEY: [blessing]},
        {keys.SPLIT_KEY: "test", keys.CANARY_SIZE_KEY: 8},
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


def _lite_canary(
    tmp_path: Path, models, flatbuffer: bytes, conversion_problem: str = ""
) -> standard_artifacts.InfraBlessing:
    model = standard_artifacts.Model()
    model.uri = str(tmp_path / "model")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "Format-Serving").symlink_to(models.saved_model)
    lite = standard_artifacts.Model()
    lite.uri = str(tmp_path / "lite")
    if conversion_problem:
        lite.set_string_custom_property("conversion_problem", conversion_problem)
    (tmp_path / "lite" / "Format-Serving").mkdir(parents=True)
    (tmp_path / "lite" / "Format-Serving" / "tflite").write_bytes(flatbuffer)
    examples_artifact = standard_artifacts.Examples()
    examples_artifact.uri = str(tmp_path / "examples")
    examples_artifact.split_names = artifact_utils.encode_split_names(["test"])
    (tmp_path / "examples" / "Split-test").mkdir(parents=True)
    write_examples(tmp_path / "examples" / "Split-test" / "data_tfrecord-00000-of-00001", models.images, models.labels)
    blessing = standard_artifacts.InfraBlessing()
    blessing.uri = str(tmp_path / "blessing")
    executor.Executor().Do(
        {keys.MODEL_KEY: [model], keys.EXAMPLES_KEY: [examples_artifact], keys.LITE_MODEL_KEY: [lite]},
        {keys.BLESSING_KEY: [blessing]},
        {keys.SPLIT_KEY: "test", keys.CANARY_SIZE_KEY: 8},
    )
    return blessing


def test_the_lite_canary_blesses_a_faithful_tflite_model_and_writes_no_gallery(brightness_models, tmp_path: Path):
    from tfx.components.util import model_utils

    blessing = _lite_canary(tmp_path, brightness_models, brightness_models.flatbuffer)
    assert model_utils.is_infra_validated(blessing)
    assert sorted(p.name for p in (tmp_path / "blessing").iterdir()) == ["INFRA_BLESSED"]


def test_the_lite_canary_refuses_a_tflite_model_that_disagrees(brightness_models, tmp_path: Path):
    from tfx.components.util import model_utils

    from components.contract import properties

    blessing = _lite_canary(tmp_path, brightness_models, brightness_models.shifted_flatbuffer)
    assert not model_utils.is_infra_validated(blessing)
    problems = blessing.get_string_custom_property(properties.CANARY_PROBLEMS)
    assert problems.startswith("the TFLite model disagrees with the SavedModel on 90.0% of 40 images")
    assert (tmp_path / "blessing" / "INFRA_NOT_BLESSED").read_text() == problems


def test_the_lite_canary_refuses_a_model_that_missed_the_quantization_bar(brightness_models, tmp_path: Path):
    from tfx.components.util import model_utils

    from components.contract import properties

    missed = "no quantized TFLite model clears the bar: full_integer: 0.34 of the float model's size (at most 0.33)"
    blessing = _lite_canary(tmp_path, brightness_models, brightness_models.flatbuffer, conversion_problem=missed)
    assert not model_utils.is_infra_validated(blessing)
    assert blessing.get_string_custom_property(properties.CANARY_PROBLEMS) == missed
