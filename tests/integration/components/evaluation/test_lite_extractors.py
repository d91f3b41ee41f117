"""TFX's Evaluator scoring an on-device (TFLite) model: TFMA's tf_lite model type, on pixels decoded from the
records by lite_extractors.py, with the project's thresholds."""

import json
from pathlib import Path

import numpy as np
import pytest
from google.protobuf import json_format
from tfx.components.evaluator import executor as evaluator_executor
from tfx.types import artifact_utils, standard_artifacts

from components.contract import files, keys
from components.evaluation import eval_config
from components.lite_conversion import runtime
from components.records import evaluation_results
from pipeline.definition.pipeline import LITE_EVAL_MODULE
from tests.support.example_records import write_examples


def _evaluate(tmp_path: Path, flatbuffer: bytes, images: np.ndarray, labels: np.ndarray, floor: float):
    model = standard_artifacts.Model()
    model.uri = str(tmp_path / "lite")
    model.id = 3
    (tmp_path / "lite" / "Format-Serving").mkdir(parents=True)
    (tmp_path / "lite" / "Format-Serving" / files.TFLITE_FILE).write_bytes(flatbuffer)
    examples = standard_artifacts.Examples()
    examples.uri = str(tmp_path / "examples")
    examples.split_names = artifact_utils.encode_split_names(["test"])
    (tmp_path / "examples" / "Split-test").mkdir(parents=True)
    write_examples(tmp_path / "examples" / "Split-test" / "data_tfrecord-00000-of-00001", images, labels)
    evaluation, blessing = standard_artifacts.ModelEvaluation(), standard_artifacts.ModelBlessing()
    evaluation.uri, blessing.uri = str(tmp_path / "evaluation"), str(tmp_path / "blessing")
    config = eval_config.build_eval_config(
        accuracy_floor=floor, class_accuracy_floor=0.0, max_accuracy_drop=0.0, on_device=True
    )
    evaluator_executor.Executor().Do(
        {keys.EXAMPLES_KEY: [examples], keys.MODEL_KEY: [model]},
        {keys.EVALUATION_KEY: [evaluation], keys.BLESSING_KEY: [blessing]},
        {
            "eval_config": json_format.MessageToJson(config),
            "example_splits": json.dumps(["test"]),
            "module_path": LITE_EVAL_MODULE,
        },
    )
    return evaluation_results.read_evaluation(str(tmp_path / "evaluation")), blessing


def test_the_evaluator_scores_the_tflite_model_as_the_interpreter_does(brightness_models, tmp_path: Path):
    models = brightness_models
    # Half the labels off by one class: the accuracy then says the model was really run.
    labels = np.where(np.arange(len(models.labels)) % 2 == 0, models.labels, (models.labels + 1) % 10)
    result, blessing = _evaluate(tmp_path, models.flatbuffer, models.images, labels, floor=0.4)
    interpreter = runtime.OnDeviceModel(models.flatbuffer).predict(models.images).argmax(axis=1)
    assert result.example_count == len(labels)
    assert result.accuracy == float(np.mean(interpreter == labels)) == 0.5
    assert set(result.class_accuracy) == set(range(10))
    assert blessing.get_int_custom_property("blessed") == 1


def test_a_tflite_model_below_the_floor_is_not_blessed(brightness_models, tmp_path: Path):
    models = brightness_models
    result, blessing = _evaluate(tmp_path, models.shifted_flatbuffer, models.images, models.labels, floor=0.5)
    assert result.accuracy == pytest.approx(0.1)  # only the brightest images, still class 9
    assert blessing.get_int_custom_property("blessed") == 0
    assert any("below the floor 0.5000" in failure for failure in result.failures)
