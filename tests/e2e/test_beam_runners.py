"""Beam beyond the in-memory DirectRunner, with real processes: Beam's portable job service with an SDK worker
pool (the Job API a Flink or Spark job server offers), and the DirectRunner's multi_processing mode.

Each run of the smoke profile is compared with the shared in-memory run: the same example counts and statistics,
and the same Transform output for a sample of examples. The runs here build no on-device model (``--no-on-device``):
what they prove is the Beam components' (ExampleGen, StatisticsGen, Transform, Evaluator), and under
multi_processing every Beam job starts its own worker processes, each importing TFX.
"""

import subprocess
import sys
from pathlib import Path

import grpc
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_transform as tft
from apache_beam.portability.api import beam_job_api_pb2, beam_job_api_pb2_grpc
from tfx.types import standard_component_specs as specs

from components.contract import features, keys
from components.records import split_files, tfrecord
from pipeline import config as config_lib
from pipeline import node_ids
from pipeline.inspection import data_views
from pipeline.local import beam_services
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import Runs, output_uri, run_details, run_pipeline, versions

pytestmark = pytest.mark.e2e

# A transform of each Beam-powered component's job: FashionMnistExampleGen, StatisticsGen, Transform, Evaluator.
COMPONENT_TRANSFORMS = ("IdxToExamples", "GenerateStatistics", "Analyze", "ExtractEvaluateAndWriteResults")


def _beam_args(args: list[str]) -> list[str]:
    return [f"--beam-arg={arg}" for arg in args]


def _jobs(services: beam_services.Services) -> list[tuple[str, set[str]]]:
    """(state, top-level transform names) of every job the job service ran."""
    with grpc.insecure_channel(f"localhost:{services.job_port}") as channel:
        stub = beam_job_api_pb2_grpc.JobServiceStub(channel)
        jobs = []
        for job in stub.GetJobs(beam_job_api_pb2.GetJobsRequest()).job_info:
            pipeline = stub.GetPipeline(beam_job_api_pb2.GetJobPipelineRequest(job_id=job.job_id)).pipeline
            names = {t.unique_name.split("/")[0].split("[")[0] for t in pipeline.components.transforms.values()}
            jobs.append((beam_job_api_pb2.JobState.Enum.Name(job.state), names))
    return jobs


def _uri(details, type_name: str, folder: str | None = None) -> str:
    """The URI of a run's artifact of ``type_name`` (in ``folder``, the last part of its URI, when given)."""
    (uri,) = [a.uri for a in details.artifacts if a.type == type_name and folder in (None, Path(a.uri).name)]
    return uri


def _transformed_sample(details, count: int = 16) -> dict[str, np.ndarray]:
    """The Transform graph of a run applied to the first examples of its test split."""
    test_examples = output_uri(details, node_ids.EXAMPLE_GEN, keys.TEST_EXAMPLES_KEY)
    files = sorted(split_files.split_dir(test_examples, features.TEST_SPLIT).glob("*"))
    records = [r for _, r in zip(range(count), tfrecord.read_records(files[0]), strict=False)]
    output = tft.TFTransformOutput(output_uri(details, node_ids.TRANSFORM, specs.TRANSFORM_GRAPH_KEY))
    raw = tf.io.parse_example(tf.constant(records), output.raw_feature_spec())
    return {k: v.numpy() for k, v in output.transform_raw_features(raw).items()}


def _assert_same_data_as_the_direct_runner(runs: Runs, cfg: config_lib.PipelineConfig) -> None:
    direct, other = run_details(runs.config, 0), run_details(cfg)
    assert [s.count for s in other.splits] == [s.count for s in direct.splits]
    assert other.splits == direct.splits, "pixel statistics, label counts and TFDV's figures per split"
    for folder in ("span-1", "test"):  # StatisticsGen's output per span and for the test set
        uris = (_uri(d, "ExampleStatistics", folder) for d in (direct, other))
        assert data_views.tfdv_summary(Path(next(uris))) == data_views.tfdv_summary(Path(next(uris))), folder
    a, b = _transformed_sample(direct), _transformed_sample(other)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def _args(tmp_path: Path, real_data_dir: Path) -> list[str]:
    out, serving = f"--output-dir={tmp_path / 'out'}", f"--serving-dir={tmp_path / 'serving'}"
    return [out, serving, f"--raw-dir={real_data_dir}", "--no-on-device"]


def test_the_portable_job_service_runs_every_beam_component(
    runs: Runs, beam_job_services: beam_services.Services, tmp_path: Path, real_data_dir: Path
):
    args = _args(tmp_path, real_data_dir)
    cfg = config_lib.parse_args(["--profile=smoke", *args])
    result = run_pipeline(*args, *_beam_args(beam_job_services.beam_args))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert len(versions(cfg.model_serving_dir)) == 1, "pushed"
    assert versions(cfg.lite_serving_dir) == [], "no on-device model"

    jobs = _jobs(beam_job_services)
    assert all(state == "DONE" for state, _ in jobs), jobs
    for transform in COMPONENT_TRANSFORMS:
        assert any(transform in names for _, names in jobs), f"no job ran {transform}: {jobs}"
    _assert_same_data_as_the_direct_runner(runs, cfg)

    # The same job service with a worker pool started without TF_USE_LEGACY_KERAS (as a cluster's workers would be
    # without the project's environment), on the same port: only the Evaluator runs again (a new floor).
    beam_services.stop_pids([beam_job_services.worker_pid])
    env = beam_services.worker_environment()
    env.pop("TF_USE_LEGACY_KERAS")
    bare_pool = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "apache_beam.runners.worker.worker_pool_main",
            f"--service_port={beam_job_services.worker_port}",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        failed = run_pipeline(*args, "--accuracy-floor=0.3", *_beam_args(beam_job_services.beam_args))
    finally:
        beam_services.stop_pids([bare_pool.pid])
    assert failed.returncode == 1
    (error,) = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith("error: Evaluator failed: Beam worker pid ")
    assert "set TF_USE_LEGACY_KERAS=1 before TensorFlow is imported" in error and "Traceback" not in failed.stderr


def test_multi_processing_with_two_workers(runs: Runs, tmp_path: Path, real_data_dir: Path):
    args = _args(tmp_path, real_data_dir)
    cfg = config_lib.parse_args(["--profile=smoke", *args])
    beam_args = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    result = run_pipeline(*args, *_beam_args(beam_args))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert len(versions(cfg.model_serving_dir)) == 1
    _assert_same_data_as_the_direct_runner(runs, cfg)
