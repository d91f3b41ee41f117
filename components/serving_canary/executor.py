"""Executor of ServingCanary: reads the split and writes an InfraBlessing from ``checks.examine``'s canary check;
for a servable model, also the test images it gets most confidently wrong (``mistakes.py``), for the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tfx.dsl.components.base import base_executor
from tfx.types import artifact, artifact_utils
from tfx.utils import path_utils

from components import split_examples
from components.contract import files, keys, properties
from components.serving_canary import checks, lite_checks, mistakes

# Same marker files and property (properties.BLESSED) as TFX's InfraValidator, so Pusher's checks apply unchanged.
_BLESSED_FILE, _NOT_BLESSED_FILE = "INFRA_BLESSED", "INFRA_NOT_BLESSED"


class Executor(base_executor.BaseExecutor):
    """Writes an InfraBlessing: blessed when the canary check finds nothing wrong."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        model = artifact_utils.get_single_instance(input_dict[keys.MODEL_KEY])
        split_uri = artifact_utils.get_split_uri(input_dict[keys.EXAMPLES_KEY], exec_properties[keys.SPLIT_KEY])
        # The whole split: its first examples are the canary; for a model that serves, every one is scored
        # through serving_default for the report's gallery of mistakes.
        examination = checks.examine(
            path_utils.serving_model_path(model.uri),
            split_examples.read_examples(split_uri),
            canary_size=exec_properties[keys.CANARY_SIZE_KEY],
        )
        problems = examination.problems
        lite_models = input_dict.get(keys.LITE_MODEL_KEY) or []
        conversion_problem = (
            lite_models[0].get_string_custom_property(properties.CONVERSION_PROBLEM) if lite_models else ""
        )
        if conversion_problem:
            problems = [*problems, conversion_problem]
        elif lite_models and not problems:
            path = Path(path_utils.serving_model_path(lite_models[0].uri), files.TFLITE_FILE)
            try:
                flatbuffer = path.read_bytes()
            except OSError as e:
                problems = [f"the TFLite model cannot be read: {path}: {e.strerror}"]
            else:
                problems = lite_checks.lite_problems(flatbuffer, examination.images, examination.probabilities)
        blessing = artifact_utils.get_single_instance(output_dict[keys.BLESSING_KEY])
        Path(blessing.uri).mkdir(parents=True, exist_ok=True)
        if not problems and not lite_models:
            found = mistakes.confident_mistakes(examination.probabilities, examination.labels)
            mistakes.write(found, Path(blessing.uri))
        (Path(blessing.uri) / (_NOT_BLESSED_FILE if problems else _BLESSED_FILE)).write_text("; ".join(problems))
        blessing.set_int_custom_property(properties.BLESSED, 0 if problems else 1)
        if problems:
            blessing.set_string_custom_property(properties.CANARY_PROBLEMS, "; ".join(problems))
