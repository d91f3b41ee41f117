"""A real Airflow running three DAG runs as spans arrive, driven in the background (tests/e2e/test_airflow.py).

Airflow is started as `make airflow` starts it (python -m pipeline.airflow.local), in a temporary
AIRFLOW_HOME on a free port. A scheduled smoke run takes about seven minutes here, nearly all of it
each task's process importing TFX and TensorFlow on one core; `make test` otherwise keeps about one
of the two cores busy (user time equal to wall time). So the runs start with the session and go on
in Airflow's own processes while the other tests run, and the Airflow tests come last
(tests/e2e/conftest.py) and read what the runs did.
"""

from __future__ import annotations

import dataclasses
import json
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from pipeline import config as config_lib
from pipeline.airflow import local as airflow_local
from pipeline.airflow.api import Api, Credentials
from pipeline.local.beam_services import free_port
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import versions, write_spans

ARTIFACTS_DIR = REPO_ROOT / "output" / "test-artifacts"
# A smoke run takes about seven minutes under the scheduler on a quiet machine; other tests share the CPU.
RUN_TIMEOUT_SECONDS = 1800
START_TIMEOUT_SECONDS = 600
RUNS = ("span-1", "span-2", "drifted-span-3")


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
    runs: dict[str, dict] = dataclasses.field(default_factory=dict)  # run id: the DAG run, finished
    tasks: dict[str, dict[str, dict]] = dataclasses.field(default_factory=dict)  # run id: {task id: instance}
    versions: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # run id: versions served after it
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)

    def trigger_and_wait(self, run_id: str) -> None:
        started = time.monotonic()
        self.api.call("POST", f"dags/{self.dag_id}/dagRuns", {"dag_run_id": run_id})
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
        folder = self.home / "logs" / f"dag_id={self.dag_id}" / f"run_id={run_id}"
        return (folder / f"task_id={task_id}" / f"attempt={attempt}.log").read_text()


def _read_until(process: subprocess.Popen, output: list[str], marker: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not any(marker in line for line in output):
        assert process.poll() is None, "".join(output)
        assert time.monotonic() < deadline, "".join(output)
        if select.select([process.stdout], [], [], 1)[0]:
            output.append(process.stdout.readline())


class Schedule:
    """Starts Airflow and a thread that triggers the three runs one after the other, writing the spans."""

    def __init__(self, root: Path, real_data_dir: Path) -> None:
        self._root, self._raw = root, real_data_dir
        self._data = root / "spans"
        self._args = (
            f"--profile=smoke --data-dir={self._data} --output-dir={root / 'out'} "
            f"--serving-dir={root / 'serving'} --raw-dir={real_data_dir}"
        )
        self._home, self._port = root / "airflow", free_port()
        self._output: list[str] = []
        self._launcher: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._drive, name="airflow-schedule", daemon=True)
        self._result: Scheduled | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        write_spans(self._raw, self._data, release=1)  # the DAG file finds the spans when Airflow parses it
        self._launcher = subprocess.Popen(
            [sys.executable, "-m", "pipeline.airflow.local", f"--home={self._home}", f"--port={self._port}",
             "--schedule=none", f"--pipeline-args={self._args}"],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        self._thread.start()

    def _drive(self) -> None:
        try:
            launcher = self._launcher
            _read_until(launcher, self._output, "Airflow is up", START_TIMEOUT_SECONDS)
            credentials = airflow_local.read_credentials(self._home / airflow_local.CREDENTIALS_FILE)
            url = f"http://127.0.0.1:{self._port}"
            cfg = config_lib.parse_args(self._args.split())
            result = Scheduled(launcher, self._output, self._home, url, cfg.model_name, Api(url, credentials),
                               credentials, cfg)  # fmt: skip
            result.trigger_and_wait(RUNS[0])
            write_spans(self._raw, self._data, release=2)  # a span arrives
            result.trigger_and_wait(RUNS[1])
            write_spans(self._raw, self._data, release=3, alter={3: "invert"})  # a drifted one
            result.trigger_and_wait(RUNS[2])
            ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS_DIR / "airflow-runs.json").write_text(json.dumps(result.seconds, indent=1))
            self._result = result
        except BaseException as error:  # noqa: BLE001 - handed to the tests that wait for the runs
            self._error = error

    def result(self) -> Scheduled:
        """The three runs, once done; raises what stopped the thread."""
        self._thread.join(timeout=START_TIMEOUT_SECONDS + 3 * RUN_TIMEOUT_SECONDS)
        if self._error is not None:
            raise self._error
        assert self._result is not None, ("the runs did not finish", self._output)
        return self._result

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
        self._thread.join(timeout=30)
