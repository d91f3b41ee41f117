"""A real Airflow 3 running the pipeline as spans arrive, driven in the background (tests/e2e/test_airflow.py).

Two phases on one pipeline output (one ML Metadata store, one serving folder):

1. ``airflow dags test`` of the DAG on span 1, in an Airflow home of its own: a smoke run, start to push, with
   no scheduler (what a DAG author runs before deploying).
2. ``make airflow``'s Airflow (python -m pipeline.airflow.local) in another home on a free port: its scheduler
   runs three DAG runs, triggered one after the other through the REST API: span 1 again (the same data, so
   every node is cached from ML Metadata: the rerun of phase 1), span 2 as it arrives (a second push, with the
   lineage of both spans), and a drifted span 3 (stopped at the drift gate in one try). Its pipeline is built
   with ``--no-on-device``: phase 1 runs the on-device model's five tasks under Airflow, and each task here
   costs its process's TFX import (about 16 s of CPU), so the scheduler's DAG runs the SavedModel's 16.

A scheduled smoke run costs minutes here, nearly all of it each task's process importing TFX and TensorFlow
on one core; ``make test`` otherwise keeps about one of the two cores busy. So the phases start with the
session and go on in Airflow's own processes, niced, while the other tests run, and the Airflow tests come last
(tests/e2e/conftest.py) and read what the runs did.
"""

from __future__ import annotations

import dataclasses
import json
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from pipeline import config as config_lib
from pipeline.airflow import site as airflow_site
from pipeline.airflow.api import Api, Credentials
from pipeline.local.beam_services import free_port
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import NICE, versions, write_spans
from tests.support.background import Background

ARTIFACTS_DIR = REPO_ROOT / "output" / "test-artifacts"
# A smoke run takes several minutes under the scheduler on a quiet machine; other tests share the CPU.
RUN_TIMEOUT_SECONDS = 1800
START_TIMEOUT_SECONDS = 600
RUNS = ("span-1-again", "span-2", "drifted-span-3")


@dataclasses.dataclass
class DagsTest:
    """Phase 1: ``airflow dags test`` on span 1."""

    returncode: int
    output: str
    seconds: float
    versions: list[str]
    lite_versions: list[str]


@dataclasses.dataclass
class Scheduled:
    launcher: subprocess.Popen  # `make airflow`'s process
    output: list[str]  # what it printed
    home: Path
    url: str
    dag_id: str
    api: Api
    credentials: Credentials
    cfg: config_lib.PipelineConfig
    dags_test: DagsTest
    runs: dict[str, dict] = dataclasses.field(default_factory=dict)  # run id: the DAG run, finished
    tasks: dict[str, dict[str, dict]] = dataclasses.field(default_factory=dict)  # run id: {task id: instance}
    versions: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # run id: versions served after it
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)

    def trigger_and_wait(self, run_id: str) -> None:
        started = time.monotonic()
        self.api.trigger(self.dag_id, run_id)
        while (run := self.api.run(self.dag_id, run_id))["state"] not in ("success", "failed"):
            assert self.launcher.poll() is None, self.output
            assert time.monotonic() - started < RUN_TIMEOUT_SECONDS, (run_id, self._task_states(run_id))
            time.sleep(5)
        self.seconds[run_id] = round(time.monotonic() - started, 1)
        self.runs[run_id] = run
        self.tasks[run_id] = {t["task_id"]: t for t in self.api.task_instances(self.dag_id, run_id)}
        self.versions[run_id] = versions(self.cfg.model_serving_dir)

    def _task_states(self, run_id: str) -> dict[str, str]:
        return {t["task_id"]: t["state"] for t in self.api.task_instances(self.dag_id, run_id)}

    def task_log(self, run_id: str, task_id: str, attempt: int = 1) -> str:
        return self.api.task_log(self.dag_id, run_id, task_id, attempt)


def _read_until(process: subprocess.Popen, output: list[str], marker: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not any(marker in line for line in output):
        assert process.poll() is None, "".join(output)
        assert time.monotonic() < deadline, "".join(output)
        if select.select([process.stdout], [], [], 1)[0]:
            output.append(process.stdout.readline())


def dags_test(home: Path, pipeline_args: list[str], cfg: config_lib.PipelineConfig) -> DagsTest:
    """``airflow dags test`` of the DAG, in ``home``, as the README says to try a DAG before deploying it."""
    site = airflow_site.Site(home=home, port=free_port(), schedule="none")
    airflow_site.secure_home(home)
    airflow_site.compile_shape(site, pipeline_args)
    env = site.environment()
    airflow_site.migrate(site, env)
    started = time.monotonic()
    done = subprocess.run(
        [*NICE, str(site.airflow), "dags", "test", cfg.tfx_pipeline_name], env=env, cwd=home, capture_output=True,
        text=True, timeout=RUN_TIMEOUT_SECONDS, check=False, umask=airflow_site.UMASK,
    )  # fmt: skip
    seconds = round(time.monotonic() - started, 1)
    served = versions(cfg.model_serving_dir), versions(cfg.lite_serving_dir)
    return DagsTest(done.returncode, done.stdout + done.stderr, seconds, *served)


class Schedule:
    """Runs ``dags test``, then starts Airflow and a thread that triggers the three runs, writing the spans."""

    def __init__(self, root: Path, real_data_dir: Path) -> None:
        self._root, self._raw = root, real_data_dir
        self._data = root / "spans"
        self._args = [
            "--profile=smoke", f"--data-dir={self._data}", f"--output-dir={root / 'out'}",
            f"--serving-dir={root / 'serving'}", f"--raw-dir={real_data_dir}",
        ]  # fmt: skip
        self._scheduler_args = [*self._args, "--no-on-device"]
        self._home, self._port = root / "airflow", free_port()
        self._output: list[str] = []
        self._launcher: subprocess.Popen | None = None
        self._runs = Background(
            self._drive, name="airflow-schedule", timeout=2 * START_TIMEOUT_SECONDS + 4 * RUN_TIMEOUT_SECONDS
        )

    def start(self) -> Schedule:
        self._runs.start()
        return self

    def _start_airflow(self) -> subprocess.Popen:
        return subprocess.Popen(
            [*NICE, sys.executable, "-m", "pipeline.airflow.local", f"--home={self._home}", f"--port={self._port}",
             "--schedule=none", f"--pipeline-args={subprocess.list2cmdline(self._scheduler_args)}"],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip

    def _drive(self) -> Scheduled:
        cfg = config_lib.parse_args(self._args)
        write_spans(self._raw, self._data, release=1)
        tested = dags_test(self._root / "airflow-dags-test", self._args, cfg)
        self._launcher = launcher = self._start_airflow()
        _read_until(launcher, self._output, "Airflow is up", START_TIMEOUT_SECONDS)
        credentials = airflow_site.admin_credentials(airflow_site.Site(self._home, self._port))
        url = f"http://127.0.0.1:{self._port}"
        result = Scheduled(launcher, self._output, self._home, url, cfg.tfx_pipeline_name, Api(url, credentials),
                           credentials, cfg, tested)  # fmt: skip
        result.trigger_and_wait(RUNS[0])  # span 1 again: cached
        write_spans(self._raw, self._data, release=2)  # a span arrives
        result.trigger_and_wait(RUNS[1])
        write_spans(self._raw, self._data, release=3, alter={3: "invert"})  # a drifted one
        result.trigger_and_wait(RUNS[2])
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        timings = {"airflow dags test": tested.seconds, **result.seconds}
        (ARTIFACTS_DIR / "airflow-runs.json").write_text(json.dumps(timings, indent=1))
        return result

    def result(self) -> Scheduled:
        """The runs, once done; raises what stopped the thread."""
        return self._runs.result(unfinished=("the runs did not finish", self._output))

    def stop(self) -> None:
        """Stops Airflow as Ctrl-C does, whatever happened; kills what is left after 90 s."""
        launcher = self._launcher
        if launcher is None or launcher.poll() is not None:
            return
        family = [psutil.Process(launcher.pid), *psutil.Process(launcher.pid).children(recursive=True)]
        launcher.send_signal(signal.SIGINT)
        try:
            launcher.wait(timeout=90)
        finally:
            for process in family:
                if process.is_running():
                    process.kill()
        self._runs.join(timeout=30)
