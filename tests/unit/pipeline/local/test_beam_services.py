"""The local Beam services' settings and their record, without starting them (tests/integration and tests/e2e
start them). A record is acted on only while its process ids still name the services (issue 25, defect 2)."""

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from components import processes
from pipeline.local import beam_services

ENDED = 2**22 + 12345  # above the default pid_max: no such process


def test_the_workers_get_keras_2_and_this_venvs_python_first():
    env = beam_services.worker_environment({"PATH": "/usr/bin"})
    assert env["TF_USE_LEGACY_KERAS"] == "1"
    assert env["PATH"].split(":")[0] == str(Path(sys.executable).parent)


def test_the_beam_args_name_both_services():
    services = beam_services.Services(job_pid=1, job_port=8099, worker_pid=2, worker_port=50000)
    assert services.beam_args == [
        "--runner=PortableRunner",
        "--job_endpoint=localhost:8099",
        "--environment_type=EXTERNAL",
        "--environment_config=localhost:50000",
    ]


def _record(state_dir: Path, **fields) -> None:
    record = {"job_pid": ENDED, "job_port": 1, "worker_pid": ENDED, "worker_port": 2} | fields
    (state_dir / beam_services.STATE_FILE).write_text(json.dumps(record))


def _started(command: list[str]) -> subprocess.Popen:
    """``command`` in a process group of its own, returned once /proc shows its command line (right after exec
    it may read empty)."""
    process = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + 10
    while not psutil.Process(process.pid).cmdline() and time.monotonic() < deadline:
        time.sleep(0.01)
    return process


@pytest.fixture
def group() -> Iterator[subprocess.Popen]:
    """A process group of its own that is no Beam service: ``sleep``, as after a reboot or a reused pid."""
    sleeper = _started(["sleep", "600"])
    try:
        yield sleeper
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_record_of_ended_processes_is_removed_and_said_stale(tmp_path: Path):
    assert beam_services.stop(tmp_path) == f"no Beam services in {tmp_path}"
    _record(tmp_path)
    assert beam_services.stop(tmp_path) == (
        f"stopped nothing: the record {tmp_path / 'services.json'} was stale (job service pid {ENDED}: no such "
        f"process; worker pool pid {ENDED}: no such process); removed it"
    )
    assert not (tmp_path / beam_services.STATE_FILE).exists()


def test_a_recorded_pid_of_another_process_group_is_not_signalled(tmp_path: Path, group: subprocess.Popen, capsys):
    """Before issue 25 this printed "stopped the Beam services" and killed the sleep's process group."""
    _record(tmp_path, job_pid=group.pid, worker_pid=group.pid)
    assert beam_services.main(["stop", f"--dir={tmp_path}"]) == 0
    assert capsys.readouterr().out == (
        f"stopped nothing: the record {tmp_path / 'services.json'} was stale (job service pid {group.pid}: another "
        f"program: sleep 600; worker pool pid {group.pid}: another program: sleep 600); removed it\n"
    )
    time.sleep(0.2)
    assert group.poll() is None, "the sleep still runs"


def _impostor(module: str, port_flag: str) -> subprocess.Popen:
    """A process whose command line holds a service's module and port, as a service's would."""
    return _started([sys.executable, "-c", "import time; time.sleep(600)", module, port_flag])


def test_a_reused_pid_with_the_same_command_line_is_told_by_its_start_time(tmp_path: Path):
    worker = _impostor(beam_services.WORKER_POOL_MODULE, "--service_port=2")
    try:
        an_hour_before = processes.started(worker.pid) - 3600
        _record(tmp_path, worker_pid=worker.pid, worker_started=an_hour_before)
        line = beam_services.stop(tmp_path)
        assert f"worker pool pid {worker.pid}: a process started at " in line and line.startswith("stopped nothing")
        assert worker.poll() is None
    finally:
        worker.kill()
        worker.wait()


def test_a_survivor_of_a_pair_is_stopped(tmp_path: Path):
    """The job service ended, the worker pool runs on: it is stopped, by its own process group only."""
    worker = _impostor(beam_services.WORKER_POOL_MODULE, "--service_port=2")
    try:
        _record(tmp_path, worker_pid=worker.pid, worker_started=processes.started(worker.pid))
        assert beam_services.stop(tmp_path) == (
            f"stopped the worker pool (pid {worker.pid}) of {tmp_path}, left running after the other had ended "
            f"(job service pid {ENDED}: no such process)"
        )
        assert worker.wait(timeout=10) is not None
        assert not (tmp_path / beam_services.STATE_FILE).exists()
    finally:
        worker.kill()
        worker.wait()


def test_a_folder_whose_name_is_not_utf8_is_named_escaped_on_a_strict_stdout(tmp_path: Path, monkeypatch):
    """Under a UTF-8 locale Python's stdout refuses the surrogate that stands for the byte 0xff (issue 25)."""
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/services-\xff"))
    out = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True))
    assert beam_services.main(["stop", f"--dir={folder}"]) == 0
    assert out.getvalue() == f"no Beam services in {tmp_path}/services-\\xff\n".encode()
