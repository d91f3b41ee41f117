"""The pipeline scheduled for real on Airflow 3: ``airflow dags test`` of a smoke run, then a scheduler running
three DAG runs as spans arrive (the first a rerun cached from ML Metadata), its web UI showing them, and
Ctrl-C stopping every process, a running task's included.

One Airflow serves every test here, started as `make airflow` starts it: its runs go on while the other tests
run (tests/support/airflow_schedule.py), and these tests come last. The last one stops it with Ctrl-C's signal;
the session stops it however it ends.
"""

from __future__ import annotations

import os
import signal
import stat
import time

import psutil
import pytest

from tests.e2e.conftest import inspect_json, node_states, show_json
from tests.support.airflow_schedule import ARTIFACTS_DIR, RUNS, Scheduled
from tests.support.airflow_ui import grid
from tests.support.pipeline_nodes import NODE_ORDER, ON_DEVICE_NODES, RESOLVERS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def scheduled(airflow_schedule) -> Scheduled:
    return airflow_schedule.result()


def _family(scheduled: Scheduled) -> list[psutil.Process]:
    launcher = psutil.Process(scheduled.launcher.pid)
    return [launcher, *launcher.children(recursive=True)]


def test_the_dag_has_one_task_per_node_and_its_operational_settings(scheduled: Scheduled):
    details = scheduled.api.call("GET", f"dags/{scheduled.dag_id}/details")
    assert details["max_active_runs"] == 1 and details["catchup"] is False and not details["is_paused"]
    assert details["dag_run_timeout"] == "PT2H"
    tasks = {t["task_id"]: t for t in scheduled.api.call("GET", f"dags/{scheduled.dag_id}/tasks")["tasks"]}
    assert set(tasks) == {"compile_pipeline", *NODE_ORDER} - set(ON_DEVICE_NODES), "built with --no-on-device"
    assert tasks["AnomalyGate"]["retries"] == 0 and tasks["DriftGate"]["retries"] == 0
    assert tasks["Trainer"]["retries"] == 2 and tasks["Trainer"]["retry_exponential_backoff"] == 2.0


def test_airflow_dags_test_runs_the_smoke_pipeline_and_the_scheduled_rerun_is_cached(scheduled: Scheduled):
    tested = scheduled.dags_test
    assert tested.returncode == 0, tested.output[-3000:]
    assert len(tested.versions) == 1, "dags test pushed the first model"
    assert len(tested.lite_versions) == 1, "and its on-device model: every node of the full DAG ran as a task"
    run_id = RUNS[0]
    assert scheduled.runs[run_id]["state"] == "success"
    assert scheduled.versions[run_id] == tested.versions, "the same data: nothing new to push"
    states = node_states(scheduled.cfg, index=1)  # ML Metadata: the dags test's run, then this one
    scheduled_nodes = set(NODE_ORDER) - set(ON_DEVICE_NODES)
    assert not set(states) & set(ON_DEVICE_NODES), states
    # Every node whose inputs and settings are those of the dags test's run is cached. The Pusher's are not: its
    # model card records the run's flags, and --no-on-device is one. It runs, and pushes nothing: already served.
    assert {n for n in scheduled_nodes - RESOLVERS if states.get(n) != "cached"} == {"Pusher"}, states
    assert states["Pusher"] == "done"


def test_two_runs_as_a_span_arrives_push_a_version_each_with_its_lineage(scheduled: Scheduled):
    assert {t["state"] for t in scheduled.tasks[RUNS[1]].values()} == {"success"}
    first, second = scheduled.versions[RUNS[1]]
    assert first == scheduled.dags_test.versions[0]
    lineage = inspect_json(scheduled.cfg.output_dir, "lineage", second)
    assert [s["span"] for s in lineage["spans"]] == [1, 2]
    assert lineage["spans"][1]["drift"]["compared_with"] == 1
    listed = list(reversed(inspect_json(scheduled.cfg.output_dir, "runs")))  # ML Metadata's view of the same runs
    assert [r["run_id"] for r in listed][1:] == list(RUNS)  # one code path for dags test, scheduler and runner
    assert [[s["span"] for s in r["ingestion"]["spans"]] for r in listed] == [[1], [1], [2], [3]]


def test_a_drifted_span_fails_the_run_at_the_gate_without_a_retry(scheduled: Scheduled):
    run_id = RUNS[2]
    assert scheduled.runs[run_id]["state"] == "failed"
    gate = scheduled.tasks[run_id]["DriftGate"]
    assert gate["state"] == "failed" and gate["try_number"] == 1, gate
    assert scheduled.tasks[run_id]["Trainer"]["state"] == "upstream_failed"
    log = scheduled.task_log(run_id, "DriftGate")
    assert "span 3 drifted from span 2: pixel distribution Jensen-Shannon" in log
    assert f"pipeline {scheduled.cfg.tfx_pipeline_name} stopped at DriftGate (run {run_id})" in log
    assert scheduled.versions[run_id] == scheduled.versions[RUNS[1]], "the served model stays"
    overview = show_json(scheduled.cfg.output_dir)["overview"]  # ML Metadata's view, with the launcher's note
    assert overview["run_id"] == run_id and overview["outcome"] == "stopped by the drift gate"
    [gate_record] = [n for n in overview["nodes"] if n["node_id"] == "DriftGate"]
    assert gate_record["state"] == "failed" and gate_record["error"].startswith("span 3 drifted from span 2")


def test_the_web_ui_grid_shows_the_three_runs_and_their_states(scheduled: Scheduled):
    screenshot = ARTIFACTS_DIR / "airflow-grid.png"
    shown = grid(scheduled.url, scheduled.credentials, scheduled.dag_id, RUNS, screenshot)
    assert shown == {run_id: scheduled.runs[run_id]["state"] for run_id in RUNS}
    assert screenshot.stat().st_size > 20_000


def test_nothing_listens_beyond_localhost_no_password_in_ps_and_the_files_are_owner_only(scheduled: Scheduled):
    listening = [
        (p.name(), c.laddr) for p in _family(scheduled) for c in _connections(p) if c.status == psutil.CONN_LISTEN
    ]
    assert listening and all(address.ip == "127.0.0.1" for _, address in listening), listening
    password = scheduled.credentials.password
    assert not [p.pid for p in psutil.process_iter() if password in " ".join(_cmdline(p))]
    for name in ("airflow.db", "passwords.json", "airflow.cfg"):
        assert stat.S_IMODE((scheduled.home / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(scheduled.home.stat().st_mode) == 0o700
    assert not [p for p in (scheduled.home / "logs").rglob("*") if stat.S_IMODE(p.stat().st_mode) & 0o077]


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []


def _connections(process: psutil.Process) -> list:
    """A process's inet sockets; none for one that ended since it was listed."""
    try:
        return process.net_connections(kind="inet")
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []


def _environ(process: psutil.Process) -> dict[str, str]:
    try:
        return process.environ()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return {}


def test_ctrl_c_while_a_task_runs_stops_airflow_and_the_task(scheduled: Scheduled):
    scheduled.api.trigger(scheduled.dag_id, "interrupted")
    deadline = time.monotonic() + 300
    while not [p for p in _family(scheduled) if "pipeline.airflow.launch_node" in " ".join(_cmdline(p))]:
        assert time.monotonic() < deadline, "no task started"
        time.sleep(0.5)
    family = _family(scheduled)
    assert len(family) >= 6, "make airflow, its four services, a task"
    os.killpg(scheduled.launcher.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground process group
    rest, _ = scheduled.launcher.communicate(timeout=120)
    assert scheduled.launcher.returncode == 0 and rest.strip().endswith("stopped"), rest
    left = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, [_cmdline(p) for p in left]
    assert not [p.pid for p in psutil.process_iter() if _environ(p).get("AIRFLOW_HOME") == str(scheduled.home)]
    assert scheduled.api.health() is None, "the API server is gone"
