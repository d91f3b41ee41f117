"""``make airflow``'s process handling with Airflow 3's real processes (pipeline/airflow/local.py), tried as a
hostile user would: a port already taken, a second ``make airflow`` on the same folder, a site that is never
ready, and a scheduler killed while a task runs. Each ends in one line, at once, and no process left behind."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from pipeline.airflow import site as site_lib
from pipeline.airflow.api import Api
from tests.conftest import REPO_ROOT


class Started:
    """``python -m pipeline.airflow.local`` with smoke flags, every descendant it ever had recorded."""

    def __init__(self, home: Path, port: int, real_data_dir: Path, *extra: str) -> None:
        args = f"--profile=smoke --output-dir={home.parent / 'out'} --serving-dir={home.parent / 'serving'}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.airflow.local", f"--home={home}", f"--port={port}", "--schedule=none",
             f"--pipeline-args={args} --raw-dir={real_data_dir}", *extra],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        self.seen: dict[int, psutil.Process] = {}
        self.commands: dict[int, str] = {}
        self._watch = threading.Thread(target=self._record, daemon=True)
        self._watch.start()

    def _record(self) -> None:
        parent = psutil.Process(self.process.pid)
        while self.process.poll() is None:
            try:
                for child in parent.children(recursive=True):
                    if child.pid not in self.seen:
                        self.seen[child.pid] = child
                        self.commands[child.pid] = " ".join(_cmdline(child))
            except psutil.NoSuchProcess:
                return
            time.sleep(0.05)

    def cmdlines(self) -> list[str]:
        """The command line of every descendant seen, as it was when first seen."""
        return list(self.commands.values())

    def left(self) -> list[str]:
        return [self.commands[pid] for pid, p in list(self.seen.items()) if _alive(p)]


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return []


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_taken_port_and_a_second_make_airflow_are_one_line_at_once(tmp_path: Path, real_data_dir: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        site = Started(tmp_path / "af", port, real_data_dir)
        _, err = site.process.communicate(timeout=60)
    assert site.process.returncode == 1 and time.monotonic() - started < 15
    assert err == f"error: port {port} on 127.0.0.1 is in use (Address already in use): pass AIRFLOW_PORT=...\n"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import pathlib, sys, time; from pipeline.airflow import site\n"
         "with site.claimed(pathlib.Path(sys.argv[1])):\n print('held', flush=True); time.sleep(60)",
         str(tmp_path / "af")],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        second = Started(tmp_path / "af", _free_port(), real_data_dir)
        _, err = second.process.communicate(timeout=60)
    finally:
        holder.kill()
        holder.wait()
    assert second.process.returncode == 1
    assert err.startswith(f"error: {tmp_path / 'af'} is in use by another make airflow (pid {holder.pid}, since")
    assert err.count("\n") == 1 and not second.seen, "refused before anything started"


def test_never_ready_and_a_killed_scheduler_leave_no_process_behind(tmp_path: Path, real_data_dir: Path):
    home = tmp_path / "af"
    # Never ready: the services start, the wait gives up, every process they started is stopped.
    site = Started(home, _free_port(), real_data_dir, "--ready-timeout=3")
    _, err = site.process.communicate(timeout=600)
    assert site.process.returncode == 1 and "was not ready after 3 s" in err and err.count("\n") == 1, err
    assert sum("airflow" in c for c in site.cmdlines()) >= 4, site.cmdlines()
    assert site.left() == []

    # A scheduler killed while a task runs: one line, and the task and the other services stopped with it.
    port = _free_port()
    site = Started(home, port, real_data_dir)
    deadline = time.monotonic() + 600
    for line in site.process.stdout:
        assert time.monotonic() < deadline
        if line.startswith("Airflow is up"):
            break
    dag_id = line.split("/dags/")[1].strip()
    Api(f"http://127.0.0.1:{port}", site_lib.admin_credentials(site_lib.Site(home, port))).trigger(dag_id, "killed")
    while not [c for c in site.cmdlines() if "pipeline.airflow.launch_node compile" in c]:
        assert time.monotonic() < deadline and site.process.poll() is None, "no task started"
        time.sleep(0.2)
    services = psutil.Process(site.process.pid).children()  # the services, not what they started
    [scheduler] = [p for p in services if _cmdline(p)[-2:] == ["scheduler", "--skip-serve-logs"]]
    scheduler.send_signal(signal.SIGKILL)
    _, err = site.process.communicate(timeout=120)
    assert site.process.returncode == 1 and err.startswith("error: the scheduler stopped"), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert site.left() == []


@pytest.fixture(autouse=True)
def _airflow_venv() -> None:
    assert site_lib.DEFAULT_VENV.exists(), f"no Airflow 3 virtualenv at {site_lib.DEFAULT_VENV}: make setup-airflow"
