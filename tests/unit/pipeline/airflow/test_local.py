"""The local Airflow's settings, credentials and shutdown (pipeline/airflow/local.py), without starting Airflow."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from pipeline.airflow import local
from pipeline.airflow.api import Credentials
from pipeline.airflow.settings import DAGS_FOLDER, PIPELINE_ARGS_ENV, SCHEDULE_ENV, dag_settings
from tests.conftest import REPO_ROOT


def _site(tmp_path: Path) -> local.Site:
    return local.Site(home=tmp_path / "af", port=18123, pipeline_args="--profile=smoke", schedule="none")


def test_every_airflow_process_gets_the_dag_folder_its_settings_and_the_venv_first_on_path(tmp_path: Path):
    env = _site(tmp_path).environment({"PATH": "/usr/bin"})
    assert env["AIRFLOW_HOME"] == str(tmp_path / "af")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(DAGS_FOLDER)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path / 'af' / 'airflow.db'}"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "SequentialExecutor"
    assert env["AIRFLOW__WEBSERVER__WEB_SERVER_PORT"] == "18123"
    assert env[PIPELINE_ARGS_ENV] == "--profile=smoke" and env[SCHEDULE_ENV] == "none"
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    for name, value in dag_settings().items():
        assert env[name] == value
    assert dag_settings()["TF_USE_LEGACY_KERAS"] == "1" and dag_settings()["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert _site(tmp_path).dag_id == "fashion_mnist_smoke"


def test_the_credentials_file_is_read_back_and_a_damaged_one_is_not_trusted(tmp_path: Path):
    path = tmp_path / local.CREDENTIALS_FILE
    assert local.read_credentials(path) is None
    path.write_text("username: admin\npassword: s3cr:et\n")
    assert local.read_credentials(path) == Credentials("admin", "s3cr:et")
    path.write_text("username: admin\n")
    assert local.read_credentials(path) is None
    assert Credentials("a", "b").header() == "Basic YTpi"


_TREE = """
import subprocess, sys, time
# a child in a session of its own, as Airflow gives a task's process
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"], start_new_session=True)
deaf = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"
subprocess.Popen([sys.executable, "-c", deaf])
print("started", flush=True)
time.sleep(300)
"""


def test_stop_ends_every_process_started_even_in_another_session_or_deaf_to_sigterm():
    parent = subprocess.Popen([sys.executable, "-c", _TREE], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert parent.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 10
    while len(psutil.Process(parent.pid).children(recursive=True)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    family = [psutil.Process(parent.pid), *psutil.Process(parent.pid).children(recursive=True)]
    assert len(family) == 3
    local.stop(local.Running({"tree": parent}, {}), grace=2)
    assert not [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_a_mistake_in_the_pipeline_flags_is_one_line_before_anything_starts(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.airflow.local", f"--home={tmp_path / 'af'}", "--pipeline-args=--epochs=0"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "epochs" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "af").exists()
