"""One worker of tests/integration/test_multi_worker.py: TFX's Trainer executor running the project's run_fn.

``python -m tests.support.multi_worker_driver JOB RESULT``, with ``TF_CONFIG`` naming this worker's task. JOB
is a JSON file of the artifact folders, the same for every worker (as Vertex AI gives each replica
the same command); TFX's ``GenericExecutor().Do`` trains through ``components.training.trainer.run_fn`` and
then checks that the serving model exists, as on a cluster. RESULT gets what this worker did, seen
through two seams wrapped here: the strategy it trained under and the model it exported.
The chief's export is held back (``OTHERS_EXPORTED``) to make the race with the executor's check certain.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from components.contract import keys

# Keys of the JOB file, shared with the test.
EXAMPLES_URI = "examples_uri"
TRANSFORM_GRAPH_URI = "transform_graph_uri"
MODEL_URI = "model_uri"
MODEL_RUN_URI = "model_run_uri"
TRAINING_CONFIG = "training_config"
# A file the other workers create once they have exported: the chief exports only after it appears
# (and a moment more), so a worker that did not wait for the chief would reach the executor's check
# for the serving model before the chief has begun to write it.
OTHERS_EXPORTED = "others_exported"
# Keys of the RESULT file.
TASK = "task"
REPLICAS_IN_SYNC = "replicas_in_sync"
EXPORT_DIR = "export_dir"
WEIGHTS_SHA256 = "weights_sha256"


def weights_digest(weights: list[Any]) -> str:
    """SHA-256 over every weight array's bytes, in the model's order."""
    digest = hashlib.sha256()
    for array in weights:
        digest.update(array.tobytes())
    return digest.hexdigest()


def _wait_for(path: Path, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear")
        time.sleep(0.1)


def run(job: dict[str, Any]) -> dict[str, Any]:
    from tfx.components.trainer.executor import GenericExecutor
    from tfx.proto import trainer_pb2
    from tfx.types import artifact_utils, standard_artifacts, standard_component_specs
    from tfx.utils import proto_utils

    from components.contract import features
    from components.training import devices, export, trainer, workers

    seen: dict[str, Any] = {}
    roles: list[workers.WorkerRole] = []
    make_strategy, export_model = devices.distribution_strategy, export.export_serving_model
    others_exported = Path(job[OTHERS_EXPORTED])

    def recording_strategy(name: str):
        strategy = make_strategy(name)
        roles.append(devices.worker_role(strategy))
        seen[TASK] = roles[0].name
        seen[REPLICAS_IN_SYNC] = strategy.num_replicas_in_sync
        return strategy

    def recording_export(keras_model, tft_output, export_dir: str) -> None:
        seen[EXPORT_DIR] = export_dir
        seen[WEIGHTS_SHA256] = weights_digest(keras_model.get_weights())
        if roles[0].is_chief:
            _wait_for(others_exported)
            time.sleep(1)
        export_model(keras_model, tft_output, export_dir)
        if not roles[0].is_chief:
            others_exported.touch()

    devices.distribution_strategy, export.export_serving_model = recording_strategy, recording_export

    def artifact(cls: type, uri: str):
        instance = cls()
        instance.uri = uri
        return instance

    examples = artifact(standard_artifacts.Examples, job[EXAMPLES_URI])
    examples.split_names = artifact_utils.encode_split_names([features.TRAIN_SPLIT, features.EVAL_SPLIT])
    specs = standard_component_specs
    GenericExecutor().Do(
        {
            specs.EXAMPLES_KEY: [examples],
            specs.TRANSFORM_GRAPH_KEY: [artifact(standard_artifacts.TransformGraph, job[TRANSFORM_GRAPH_URI])],
        },
        {
            specs.MODEL_KEY: [artifact(standard_artifacts.Model, job[MODEL_URI])],
            specs.MODEL_RUN_KEY: [artifact(standard_artifacts.ModelRun, job[MODEL_RUN_URI])],
        },
        {
            specs.TRAIN_ARGS_KEY: proto_utils.proto_to_json(trainer_pb2.TrainArgs(splits=[features.TRAIN_SPLIT])),
            specs.EVAL_ARGS_KEY: proto_utils.proto_to_json(trainer_pb2.EvalArgs(splits=[features.EVAL_SPLIT])),
            specs.RUN_FN_KEY: f"{trainer.__name__}.{trainer.run_fn.__name__}",
            specs.CUSTOM_CONFIG_KEY: json.dumps({keys.TRAINING_CONFIG_KEY: job[TRAINING_CONFIG]}),
        },
    )
    assert roles and roles[0].in_cluster, "TF_CONFIG did not reach the strategy"
    return seen


def main(argv: list[str]) -> int:
    from components import legacy_keras

    legacy_keras.use_legacy_keras()
    job_file, result_file = map(Path, argv)
    result = run(json.loads(job_file.read_text()))
    result_file.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
