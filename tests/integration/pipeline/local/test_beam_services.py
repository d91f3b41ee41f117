"""`make beam-services` with real services: a pool left running by a pair whose job service ended is stopped
before a new pair replaces the record (issue 25, defect 2), and `make beam-services-stop` stops what it records."""

import contextlib
import json
from pathlib import Path

import psutil

from components import processes
from pipeline.local import beam_services

MODULES = ("apache_beam.runners.portability.local_job_service_main", "apache_beam.runners.worker.worker_pool_main")


def _stop_what_still_runs(pids: list[int]) -> None:
    """Whatever an assertion left running, among the services this test started (checked without the code under
    test, so that the test cleans up after itself however that code behaves)."""
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            if any(module in psutil.Process(pid).cmdline() for module in MODULES):
                beam_services.stop_pids([pid])


def test_a_new_pair_stops_the_worker_pool_the_last_one_left(tmp_path: Path, capsys):
    state_dir = tmp_path / "beam-services"
    old = beam_services.start(state_dir)
    started = [old.job_pid, old.worker_pid]
    try:
        beam_services.stop_pids([old.job_pid])  # the job service dies; its worker pool runs on
        assert processes.alive(old.worker_pid)
        status = beam_services.main(["start", f"--dir={state_dir}"])
        new = json.loads((state_dir / beam_services.STATE_FILE).read_text())
        started += [new["job_pid"], new["worker_pid"]]
        assert status == 0
        assert not processes.alive(old.worker_pid), "the old pool is stopped, not left running unrecorded"
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == (
            f"stopped the worker pool (pid {old.worker_pid}) of {state_dir}, left running after the other had ended "
            f"(job service pid {old.job_pid}: no such process)"
        )
        assert lines[1].startswith("Beam job service on localhost:") and lines[2].startswith('BEAM_ARGS="')
        assert beam_services.main(["start", f"--dir={state_dir}"]) == 1, "a running pair is not replaced"
        assert "Beam services are already running" in capsys.readouterr().err
        assert beam_services.stop(state_dir) == (
            f"stopped the Beam services of {state_dir} "
            f"(job service pid {new['job_pid']}, worker pool pid {new['worker_pid']})"
        )
        assert not processes.alive(new["job_pid"]) and not processes.alive(new["worker_pid"])
    finally:
        _stop_what_still_runs(started)
