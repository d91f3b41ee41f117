"""The Kubeflow Pipelines v2 / Vertex AI spec: compiled from the same pipeline, checked with kfp's own protos."""

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from kfp.pipeline_spec import pipeline_spec_pb2

from components.contract import keys
from pipeline import config as config_lib
from pipeline import node_ids
from pipeline.definition import pipeline as definition
from pipeline.definition import vertex_training
from pipeline.kubeflow import runner
from tests.conftest import REPO_ROOT
from tests.support.pipeline_nodes import build_arguments

IMAGE = "europe-docker.pkg.dev/project/repo/fashion-mnist-tfx:1"
TRAIN_PROJECT = "training-project"


def _compile(out: Path, real_data_dir: Path, *extra_args: str) -> dict[str, Any]:
    runner.compile_spec(
        [
            f"--image={IMAGE}",
            "--pipeline-root=gs://bucket/fmnist",
            "--input-base=gs://bucket/data",
            f"--output-file={out}",
            f"--raw-dir={real_data_dir}",
            "--profile=smoke",
            *extra_args,
        ]
    )
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path):
    job = _compile(tmp_path_factory.mktemp("kfp") / "spec.json", real_data_dir)
    spec = json_format.ParseDict(job["pipelineSpec"], pipeline_spec_pb2.PipelineSpec(), ignore_unknown_fields=True)
    local = definition.create_pipeline(
        config_lib.parse_args(["--profile=smoke"]), **build_arguments("/data"), custom_resolvers=False
    )
    return job, spec, local


def _task_for(node_id: str, tasks) -> list[str]:
    # The Resolver becomes one task per resolved channel: <id>-model-resolver, <id>-model-blessing-resolver.
    return [name for name in tasks if name == node_id or name.startswith(f"{node_id}-")]


def test_every_component_is_a_task_with_the_image(compiled):
    job, spec, local = compiled
    tasks = spec.root.dag.tasks
    for component in local.components:
        assert _task_for(component.id, tasks), component.id
    for gate in ("AnomalyGate", "ServingCanary", "Evaluator"):
        assert gate in tasks
    assert any(name.startswith(node_ids.BASELINE_RESOLVER) for name in tasks)
    deployment = json_format.ParseDict(
        job["pipelineSpec"]["deploymentSpec"], pipeline_spec_pb2.PipelineDeploymentConfig()
    )
    containers = [e.container for e in deployment.executors.values() if e.HasField("container")]
    # Every component but the Resolvers (which Kubeflow itself runs) is a container of the image.
    resolvers = [c for c in local.components if c.id.endswith("_resolver")]
    assert {c.id for c in resolvers} == {node_ids.BASELINE_RESOLVER, node_ids.WARM_START_RESOLVER}
    assert len(containers) == len(local.components) - len(resolvers) and {c.image for c in containers} == {IMAGE}
    assert job["runtimeConfig"]["gcsOutputDirectory"] == "gs://bucket/fmnist"
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", spec.pipeline_info.name)


def test_dependencies_match_the_local_dag(compiled):
    _, spec, local = compiled
    tasks = spec.root.dag.tasks
    for component in local.components:
        if component.id in (node_ids.BASELINE_RESOLVER, node_ids.WARM_START_RESOLVER):
            continue
        # The resolver's model task is the one that hands the baseline on.
        expected = {
            f"{u.id}-model-resolver" if u.id in (node_ids.BASELINE_RESOLVER, node_ids.WARM_START_RESOLVER) else u.id
            for u in component.upstream_nodes
        }
        assert set(tasks[component.id].dependent_tasks) == expected, component.id


def test_the_data_is_read_from_the_cluster_location_and_checked(compiled):
    _, spec, _ = compiled
    params = spec.root.dag.tasks["FashionMnistExampleGen"].inputs.parameters
    # TFX 1.16 writes the pipeline spec 2.0 form of constants (constant_value).
    assert params["input_base"].runtime_value.constant_value.string_value == "gs://bucket/data"
    # The spec is compiled once: its ExampleGen takes the spans it finds when a run starts, uncached.
    assert json.loads(params["spans"].runtime_value.constant_value.string_value) == {}
    assert not spec.root.dag.tasks["FashionMnistExampleGen"].caching_options.enable_cache
    assert spec.root.dag.tasks["Transform"].caching_options.enable_cache
    hashes = json.loads(params["input_sha256"].runtime_value.constant_value.string_value)
    assert hashes["t10k-labels-idx1-ubyte.gz"].startswith("0402a96d")


def test_the_dockerfile_builds_from_the_lock_file_and_what_exists():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "COPY requirements.lock" in dockerfile and "-r requirements.lock" in dockerfile
    assert "TF_USE_LEGACY_KERAS=1" in dockerfile
    for source in re.findall(r"^COPY (?!--from=)(.+?) \S+$", dockerfile, flags=re.M):  # not another image's files
        for path in source.split():
            assert (REPO_ROOT / path).exists(), f"the Dockerfile copies {path}, which does not exist"
    assert f"WORKDIR {runner.IMAGE_PROJECT_DIR}" in dockerfile


def test_every_step_starts_code_that_exists(compiled):
    import importlib
    import importlib.util

    job, _, _ = compiled
    deployment = json_format.ParseDict(
        job["pipelineSpec"]["deploymentSpec"], pipeline_spec_pb2.PipelineDeploymentConfig()
    )
    for name, executor in deployment.executors.items():
        if not executor.HasField("container"):
            continue
        command = list(executor.container.command)
        assert command[:2] == ["python", "-m"] and importlib.util.find_spec(command[2]), (name, command)
        args = list(executor.container.args)
        class_path = args[args.index("--executor_class_path") + 1]
        module, _, cls = class_path.rpartition(".")
        assert hasattr(importlib.import_module(module), cls), (name, class_path)


def test_beam_components_get_the_setup_file_inside_the_image(compiled):
    job, _, _ = compiled
    beam_args = re.findall(r'"--setup_file=([^"]+)"', json.dumps(job["pipelineSpec"]["deploymentSpec"]))
    assert beam_args and set(beam_args) == {"/pipeline/setup.py"}


@pytest.fixture(scope="module")
def compiled_with_replicas(tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("kfp-replicas") / "spec.json"
    replicas = ["--train-replicas=3", f"--train-project={TRAIN_PROJECT}", "--train-machine-type=n1-standard-8"]
    return _compile(out, real_data_dir, *replicas)


def _parameter(job: dict[str, Any], node_id: str, name: str) -> dict[str, Any]:
    parameters = job["pipelineSpec"]["root"]["dag"]["tasks"][node_id]["inputs"]["parameters"]
    return json.loads(parameters[name]["runtimeValue"]["constantValue"]["stringValue"])


def _executor_label(spec: dict[str, Any], node_id: str) -> str:
    return spec["components"][spec["root"]["dag"]["tasks"][node_id]["componentRef"]["name"]]["executorLabel"]


def _executor_class_path(job: dict[str, Any], node_id: str) -> str:
    spec = job["pipelineSpec"]
    args = spec["deploymentSpec"]["executors"][_executor_label(spec, node_id)]["container"]["args"]
    return args[args.index("--executor_class_path") + 1]


def test_train_replicas_make_the_trainer_a_vertex_job_of_a_chief_and_the_other_workers(compiled_with_replicas):
    from tfx.extensions.google_cloud_ai_platform import constants
    from tfx.extensions.google_cloud_ai_platform.trainer import executor as vertex_executor

    custom_config = _parameter(compiled_with_replicas, node_ids.TRAINER, "custom_config")
    job_args = custom_config[vertex_executor.TRAINING_ARGS_KEY]
    pools = job_args["job_spec"]["worker_pool_specs"]
    assert [pool["replica_count"] for pool in pools] == [1, 2], "a chief and two workers"
    assert {pool["container_spec"]["image_uri"] for pool in pools} == {IMAGE}
    assert {pool["machine_spec"]["machine_type"] for pool in pools} == {"n1-standard-8"}
    assert job_args["project"] == TRAIN_PROJECT
    assert custom_config[constants.ENABLE_VERTEX_KEY] is True
    assert custom_config[constants.VERTEX_REGION_KEY] == vertex_training.DEFAULT_REGION
    assert custom_config[keys.TRAINING_CONFIG_KEY]["distribution"] == "multi_worker_mirrored"
    vertex_class = f"{vertex_executor.__name__}.{vertex_executor.GenericExecutor.__name__}"
    assert _executor_class_path(compiled_with_replicas, node_ids.TRAINER) == vertex_class


def test_one_replica_is_the_plain_trainer_and_replicas_change_nothing_else(compiled, compiled_with_replicas):
    job, _, _ = compiled
    custom_config = _parameter(job, node_ids.TRAINER, "custom_config")
    assert set(custom_config) == {keys.TRAINING_CONFIG_KEY, keys.CODE_FINGERPRINT_KEY}
    assert custom_config[keys.TRAINING_CONFIG_KEY]["distribution"] == "default"
    assert _executor_class_path(job, node_ids.TRAINER) == "tfx.components.trainer.executor.GenericExecutor"

    def without_the_trainer_job(job: dict[str, Any]) -> dict[str, Any]:
        spec = copy.deepcopy(job["pipelineSpec"])
        del spec["root"]["dag"]["tasks"][node_ids.TRAINER]["inputs"]["parameters"]["custom_config"]
        del spec["deploymentSpec"]["executors"][_executor_label(spec, node_ids.TRAINER)]["container"]["args"]
        # The model card's record of the configuration names the distribution.
        provenance = spec["root"]["dag"]["tasks"][node_ids.PUSHER]["inputs"]["parameters"]["provenance"]
        del provenance["runtimeValue"]
        return spec

    assert without_the_trainer_job(job) == without_the_trainer_job(compiled_with_replicas)
    provenance = _parameter(compiled_with_replicas, node_ids.PUSHER, "provenance")
    provenance["config"]["training"]["distribution"] = "default"
    assert provenance == _parameter(job, node_ids.PUSHER, "provenance")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--train-replicas=2"], "give its --train-project"),
        (["--train-replicas=0"], "--train-replicas must be within"),
    ],
)
def test_bad_train_replicas_flags_stop_the_compile_in_one_line(flags, message, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as stopped:
        runner.compile_spec(["--pipeline-root=gs://b/r", f"--output-file={tmp_path / 's.json'}", *flags])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "s.json").exists()
