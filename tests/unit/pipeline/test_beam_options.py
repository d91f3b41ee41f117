"""The Beam options a run is given, read, and the job deadline added for portable runners."""

import pytest
from apache_beam.options.pipeline_options import PipelineOptions, PortableOptions

from pipeline import beam_options

DEADLINE = f"--job_server_timeout={beam_options.PORTABLE_JOB_SECONDS}"


@pytest.mark.parametrize(
    ("args", "runner"),
    [
        ([], "direct"),
        (["--runner=PortableRunner"], "portable"),
        (["--runner", "apache_beam.runners.portability.flink_runner.FlinkRunner"], "flink"),
        (["--runner=SparkRunner", "--runner=DataflowRunner"], "dataflow"),  # the last one counts, as in Beam
    ],
)
def test_the_runner_in_either_spelling(args, runner):
    assert beam_options.runner(args) == runner


@pytest.mark.parametrize("runner", ["PortableRunner", "FlinkRunner", "SparkRunner"])
def test_a_portable_runner_gets_a_deadline_beam_reads(runner):
    args = (f"--runner={runner}", "--job_endpoint=localhost:8099")
    extended = beam_options.for_run(args)
    assert extended == (*args, DEADLINE)
    assert PipelineOptions(list(extended)).view_as(PortableOptions).job_server_timeout == 3600
    assert PipelineOptions(list(args)).view_as(PortableOptions).job_server_timeout == 60, "Beam's own: a minute"


@pytest.mark.parametrize(
    "args",
    [
        ("--runner=PortableRunner", "--job_server_timeout=120"),
        ("--runner=PortableRunner", "--job_server_timeout", "120"),
        ("--runner=PortableRunner", "--job-server-timeout=120"),  # Beam's older spelling
        ("--direct_running_mode=multi_processing", "--direct_num_workers=2"),  # the DirectRunner: no job service
        ("--runner=DataflowRunner", "--project=p"),
    ],
)
def test_options_that_set_their_own_deadline_or_need_none_are_left_alone(args):
    assert beam_options.for_run(args) == args
