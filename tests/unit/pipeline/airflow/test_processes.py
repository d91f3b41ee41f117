"""Every process a local Airflow started is stopped (pipeline/airflow/processes.py), tried on real processes."""

import subprocess
import sys

import psutil

from tests.conftest import REPO_ROOT

# A service that starts a task in a session of its own and dies, and a child deaf to SIGTERM: what a scheduler
# killed mid-task leaves, and what Airflow's task supervisor does.
_TREE = """
import os, subprocess, sys, time
task = "import time; time.sleep(300)"
if os.fork() == 0:  # a middle process that leaves its task behind when it exits
    subprocess.Popen([sys.executable, "-c", task], start_new_session=True)
    os._exit(0)
deaf = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)"
subprocess.Popen([sys.executable, "-c", deaf])
print("started", flush=True)
time.sleep(300)
"""

_STOPPER = """
import subprocess, sys, time
import psutil
from pipeline.airflow import processes
processes.become_subreaper()
service = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True,
                           start_new_session=True)
assert service.stdout.readline().strip() == "started"
deadline = time.monotonic() + 20
while len([p for p in psutil.Process().children(recursive=True) if p.status() != "zombie"]) < 3:
    assert time.monotonic() < deadline
    time.sleep(0.1)
print(" ".join(str(p.pid) for p in psutil.Process().children(recursive=True)), flush=True)
processes.stop(grace=2)
print("stopped", flush=True)
"""


def test_stop_ends_every_descendant_even_orphaned_in_another_session_or_deaf_to_sigterm():
    done = subprocess.run(
        [sys.executable, "-c", _STOPPER, _TREE], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    pids_line, last = done.stdout.strip().splitlines()
    pids = [int(p) for p in pids_line.split()]
    assert len(pids) >= 3 and last == "stopped"
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [psutil.Process(p).cmdline() for p in alive]
