"""The Kubeflow Pipelines v2 / Vertex AI spec: compiled from the same pipeline, checked with kfp's own protos."""

import json
import re
from pathlib import Path

import pytest
from google.protobuf import json_format
from kfp.pipeline_spec import pipeline_spec_pb2

from pipeline import config as config_lib
from pipeline import definition, kubeflow_runner, nodes
from tests.conftest import REPO_ROOT

IMAGE = "europe-docker.pkg.dev/project/repo/fashion-mnist-tfx:1"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path):
    out = tmp_path_factory.mktemp("kfp") / "spec.json"
    kubeflow_runner.compile_spec(
        [
            f"--image={IMAGE}",
            "--pipeline-root=gs://bucket/fmnist",
            "--input-base=gs://bucket/data",
            f"--output-file={out}",
            f"--raw-dir={real_data_dir}",
            "--profile=smoke",
        ]
    )
    job = json.loads(out.read_text())
    spec = json_format.ParseDict(job["pipelineSpec"], pipeline_spec_pb2.PipelineSpec(), ignore_unknown_fields=True)
    local = definition.create_pipeline(config_lib.parse_args(["--profile=smoke"]), input_base="/data", input_sha256={})
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
    assert any(name.startswith(nodes.BASELINE_RESOLVER) for name in tasks)
    deployment = json_format.ParseDict(
        job["pipelineSpec"]["deploymentSpec"], pipeline_spec_pb2.PipelineDeploymentConfig()
    )
    containers = [e.container for e in deployment.executors.values() if e.HasField("container")]
    # Every component but the Resolver (which Kubeflow itself runs) is a container of the image.
    assert len(containers) == len(local.components) - 1 and {c.image for c in containers} == {IMAGE}
    assert job["runtimeConfig"]["gcsOutputDirectory"] == "gs://bucket/fmnist"
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", spec.pipeline_info.name)


def test_dependencies_match_the_local_dag(compiled):
    _, spec, local = compiled
    tasks = spec.root.dag.tasks
    for component in local.components:
        if component.id == nodes.BASELINE_RESOLVER:
            continue
        # The resolver's model task is the one that hands the baseline on.
        expected = {
            f"{u.id}-model-resolver" if u.id == nodes.BASELINE_RESOLVER else u.id for u in component.upstream_nodes
        }
        assert set(tasks[component.id].dependent_tasks) == expected, component.id


def test_the_data_is_read_from_the_cluster_location_and_checked(compiled):
    _, spec, _ = compiled
    params = spec.root.dag.tasks["FashionMnistExampleGen"].inputs.parameters
    # TFX 1.16 writes the pipeline spec 2.0 form of constants (constant_value).
    assert params["input_base"].runtime_value.constant_value.string_value == "gs://bucket/data"
    hashes = json.loads(params["input_sha256"].runtime_value.constant_value.string_value)
    assert hashes["train-images-idx3-ubyte.gz"].startswith("c59f468a")


def test_the_dockerfile_builds_from_the_lock_file_and_what_exists():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "COPY requirements.lock" in dockerfile and "-r requirements.lock" in dockerfile
    assert "TF_USE_LEGACY_KERAS=1" in dockerfile
    for source in re.findall(r"^COPY (?!--from=)(.+?) \S+$", dockerfile, flags=re.M):  # not another image's files
        for path in source.split():
            assert (REPO_ROOT / path).exists(), f"the Dockerfile copies {path}, which does not exist"
    assert f"WORKDIR {kubeflow_runner.IMAGE_PROJECT_DIR}" in dockerfile


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
