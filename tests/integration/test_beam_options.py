"""Every Beam option set docs/scaling.md documents is accepted by Beam's parser and reaches every Beam component,
with the job deadline the project gives portable runners (pipeline/beam_options.py)."""

import re
import shlex
import time

import apache_beam as beam
import grpc
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from tfx.dsl.compiler import compiler
from tfx.proto.orchestration import executable_spec_pb2, pipeline_pb2

from pipeline import beam_options
from pipeline import config as config_lib
from pipeline.definition import pipeline as definition
from tests.conftest import REPO_ROOT
from tests.support.pipeline_nodes import build_arguments

BEAM_COMPONENTS = {"FashionMnistExampleGen", "StatisticsGen", "Transform", "Evaluator", "LiteEvaluator"}


def documented_option_sets() -> list[list[str]]:
    """The BEAM_ARGS of each command in the "Beam runners" section of docs/scaling.md."""
    scaling = (REPO_ROOT / "docs" / "scaling.md").read_text()
    runners = scaling[scaling.index("## Beam runners") :]
    runners = runners[: runners.index("\n## ")]
    return [shlex.split(found) for found in re.findall(r'BEAM_ARGS="([^"]+)"', runners)]


def test_the_docs_document_flink_spark_and_dataflow():
    runners = {PipelineOptions(args).view_as(StandardOptions).runner for args in documented_option_sets()}
    # Beside the cluster recipes, the two paths proven here: the portable job service and multi_processing.
    assert runners == {"FlinkRunner", "SparkRunner", "DataflowRunner", "PortableRunner", "DirectRunner"}


@pytest.mark.parametrize("beam_args", documented_option_sets(), ids=lambda a: a[0])
def test_options_parse_and_reach_every_beam_component(beam_args: list[str]):
    known = set(PipelineOptions([]).get_all_options())
    for arg in beam_args:
        name = arg.removeprefix("--").split("=", 1)[0]
        assert name in known, f"Beam does not know the option {arg}"
    config = config_lib.parse_args([f"--beam-arg={arg}" for arg in beam_args])
    deadline = [f"--job_server_timeout={beam_options.PORTABLE_JOB_SECONDS}"]
    portable = PipelineOptions(beam_args).view_as(StandardOptions).runner in {
        "PortableRunner",
        "FlinkRunner",
        "SparkRunner",
    }
    expected = beam_args + deadline if portable else beam_args
    assert list(config.beam_args) == expected
    ir = compiler.Compiler().compile(definition.create_pipeline(config, **build_arguments("/data")))
    deployment = pipeline_pb2.IntermediateDeploymentConfig()
    ir.deployment_config.Unpack(deployment)
    beam_nodes = set()
    for node_id, any_spec in deployment.executor_specs.items():
        if any_spec.Is(executable_spec_pb2.BeamExecutableSpec.DESCRIPTOR):
            spec = executable_spec_pb2.BeamExecutableSpec()
            any_spec.Unpack(spec)
            assert list(spec.beam_pipeline_args) == expected, node_id
            beam_nodes.add(node_id)
    assert beam_nodes == BEAM_COMPONENTS


def _job_of(seconds: float, options: list[str]) -> None:
    """Runs a Beam job of one element that takes ``seconds``."""

    def wait(element: int) -> int:
        time.sleep(seconds)
        return element

    with beam.Pipeline(options=PipelineOptions(options)) as p:
        _ = p | beam.Create([1]) | beam.Map(wait)


# Beam's own thread that reads the failed job's messages dies of the same deadline: expected here, not a warning.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_beams_job_server_timeout_is_the_deadline_of_the_whole_job(beam_job_services):
    """Why portable runners get an hour (pipeline/beam_options.py): Beam 2.59 fails a job that outlives
    --job_server_timeout, however healthy. When Beam stops doing so, this fails, and the workaround can go."""
    args = [
        "--runner=PortableRunner",
        f"--job_endpoint=localhost:{beam_job_services.job_port}",
        "--environment_type=LOOPBACK",
    ]
    with pytest.raises(grpc.RpcError) as failure:
        _job_of(5, [*args, "--job_server_timeout=2"])
    assert failure.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    _job_of(5, list(beam_options.for_run(args)))
