"""The pipeline scheduled for real: Airflow's scheduler and executor run three DAG runs as spans arrive,
and its web UI shows them.

One Airflow serves every test here, started as `make airflow` starts it, with the session: its runs go on
while the other tests run (tests/support/airflow_schedule.py), and these tests come last. The last one stops it
with Ctrl-C's signal; the session stops it however it ends.
"""

from __future__ import annotations

import os
import signal

import psutil
import pytest

from tests.e2e.conftest import inspect_json, launch_chromium, show_json
from tests.support.airflow_schedule import ARTIFACTS_DIR, RUNS, Schedule, Scheduled
from tests.support.pipeline_nodes import NODE_ORDER, ON_DEVICE_NODES

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def scheduled(airflow_schedule: Schedule) -> Scheduled:
    return airflow_schedule.result()


def test_the_dag_has_its_operational_settings(scheduled: Scheduled):
    details = scheduled.api.call("GET", f"dags/{scheduled.dag_id}/details")
    assert details["max_active_runs"] == 1 and details["catchup"] is False and not details["is_paused"]
    assert details["dag_run_timeout"]["days"] * 86400 + details["dag_run_timeout"]["seconds"] == 7200
    tasks = {t["task_id"]: t for t in scheduled.api.call("GET", f"dags/{scheduled.dag_id}/tasks")["tasks"]}
    assert set(tasks) == set(NODE_ORDER) - set(ON_DEVICE_NODES)
    assert tasks["AnomalyGate"]["retries"] == 0 and tasks["DriftGate"]["retries"] == 0
    assert tasks["Trainer"]["retries"] == 2 and tasks["Trainer"]["retry_exponential_backoff"] is True


def test_two_scheduled_runs_as_a_span_arrives_push_a_version_each(scheduled: Scheduled):
    first, second = RUNS[:2]
    assert scheduled.runs[first]["state"] == "success" and scheduled.runs[second]["state"] == "success"
    assert {t["state"] for t in scheduled.tasks[second].values()} == {"success"}
    assert len(scheduled.versions[first]) == 1
    assert len(scheduled.versions[second]) == 2 and scheduled.versions[second][0] == scheduled.versions[first][0]
    lineage = inspect_json(scheduled.cfg.output_dir, "lineage", scheduled.versions[second][1])
    assert [s["span"] for s in lineage["spans"]] == [1, 2]
    assert lineage["spans"][1]["drift"]["compared_with"] == 1
    listed = list(reversed(inspect_json(scheduled.cfg.output_dir, "runs")))  # ML Metadata's view of the same runs
    assert [[s["span"] for s in r["ingestion"]["spans"]] for r in listed] == [[1], [2], [3]]


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
    overview = show_json(scheduled.cfg.output_dir)["overview"]  # ML Metadata's view, with the callback's note
    assert overview["run_id"] == run_id and overview["outcome"] == "stopped by the drift gate"
    [gate_record] = [n for n in overview["nodes"] if n["node_id"] == "DriftGate"]
    assert gate_record["state"] == "failed" and gate_record["error"].startswith("span 3 drifted from span 2")


def test_the_web_ui_grid_shows_the_three_runs_and_their_states(scheduled: Scheduled):
    from playwright.sync_api import sync_playwright

    expected = {"success": "rgb(0, 128, 0)", "failed": "rgb(255, 0, 0)"}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{scheduled.url}/login/")
            page.fill("input#username", scheduled.credentials.username)
            page.fill("input#password", scheduled.credentials.password)
            page.click("input[type=submit]")
            page.wait_for_load_state()
            page.goto(f"{scheduled.url}/dags/{scheduled.dag_id}/grid")
            # The grid draws a bar per run once its data arrived (no wait_for_function: the page's CSP forbids eval).
            page.locator('[data-testid="run"]').nth(len(RUNS) - 1).wait_for(timeout=60_000)
            colors = {
                run_id: page.eval_on_selector(
                    f'.js-{run_id} [data-testid="run"]', "e => getComputedStyle(e).backgroundColor"
                )
                for run_id in RUNS
            }
            bars = page.eval_on_selector_all('[data-testid="run"]', "els => els.length")
            ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS_DIR / "airflow-grid.png"), full_page=True)
        finally:
            browser.close()
    assert bars == 3
    assert colors == {run_id: expected[scheduled.runs[run_id]["state"]] for run_id in RUNS}
    assert (ARTIFACTS_DIR / "airflow-grid.png").stat().st_size > 20_000


def test_ctrl_c_stops_the_scheduler_the_web_server_and_everything_they_started(scheduled: Scheduled):
    launcher = scheduled.launcher
    family = [psutil.Process(launcher.pid), *psutil.Process(launcher.pid).children(recursive=True)]
    assert len(family) >= 4, "the launcher, the scheduler, the web server and its workers"
    os.killpg(launcher.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground process group
    rest, _ = launcher.communicate(timeout=90)
    assert launcher.returncode == 0 and rest.strip().endswith("stopped"), rest
    assert not [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert scheduled.api.health() is None, "the web server is gone"
