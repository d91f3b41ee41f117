"""The local Beam services' settings and their record, without starting them (tests/e2e starts them)."""

import json
import sys
from pathlib import Path

from pipeline.local import beam_services


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


def test_a_record_of_ended_processes_is_not_running_services(tmp_path: Path):
    assert beam_services.read(tmp_path) is None and not beam_services.stop(tmp_path)
    ended = 2**22 + 12345  # above the default pid_max: no such process
    record = {"job_pid": ended, "job_port": 1, "worker_pid": ended, "worker_port": 2}
    (tmp_path / beam_services.STATE_FILE).write_text(json.dumps(record))
    assert beam_services.read(tmp_path) is None
    assert beam_services.stop(tmp_path) and not (tmp_path / beam_services.STATE_FILE).exists()
