"""How the DAG's tasks fail and retry under Airflow's scheduler (pipeline/airflow/tasks.py), without a scheduler."""

import datetime
import types
from pathlib import Path

import pytest
from airflow.exceptions import AirflowFailException

from components.drift_gate.checks import DriftError
from data.idx import IdxError
from pipeline import node_ids
from pipeline.airflow import tasks


def test_a_drift_stop_fails_at_once_with_its_own_message():
    def gate() -> None:
        raise DriftError("span 3 drifted from span 2: pixel distribution Jensen-Shannon 0.670 > 0.1")

    with pytest.raises(AirflowFailException, match=r"^span 3 drifted from span 2: pixel") as caught:
        tasks.fail_at_once_on_stops(gate)()
    assert isinstance(caught.value.__cause__, DriftError)
    assert tasks.failure_reason(caught.value).startswith("span 3 drifted from span 2")


def test_a_bad_input_file_fails_at_once_and_a_passing_error_may_be_retried():
    def bad_file() -> None:
        raise IdxError(Path("span-2/train-images-idx3-ubyte.gz"), "truncated")

    def disk_gone() -> None:
        raise OSError("No space left on device")

    with pytest.raises(AirflowFailException):
        tasks.fail_at_once_on_stops(bad_file)()
    with pytest.raises(OSError, match="No space"):
        tasks.fail_at_once_on_stops(disk_gone)()
    assert tasks.fail_at_once_on_stops(lambda x, *, y: x + y)(1, y=2) == 3


def test_a_failure_without_an_exception_still_says_why():
    assert "timed out, killed or marked failed" in tasks.failure_reason(None)
    assert tasks.failure_reason(RuntimeError("first\nsecond")) == "first"


def test_the_dag_never_overlaps_never_catches_up_times_out_and_retries_with_back_off():
    settings = tasks.dag_settings("@daily")
    assert settings["max_active_runs"] == 1 and settings["catchup"] is False
    assert settings["dagrun_timeout"] == datetime.timedelta(hours=2)
    assert settings["default_args"]["retries"] == 2 and settings["default_args"]["retry_exponential_backoff"]
    assert settings["start_date"].tzinfo is not None


def test_apply_gives_the_gates_no_retry_and_every_task_the_callback_and_the_stop_guard():
    def task(task_id: str) -> types.SimpleNamespace:
        def run() -> None:
            raise DriftError("drifted")

        return types.SimpleNamespace(task_id=task_id, retries=2, python_callable=run, on_failure_callback=None)

    dag = types.SimpleNamespace(tasks=[task(node_ids.TRAINER), task(node_ids.DRIFT_GATE), task(node_ids.DATA_GATE)])
    tasks.apply(dag, metadata_path=Path("/nowhere/metadata.sqlite"), pipeline_name="p")
    assert {t.task_id: t.retries for t in dag.tasks} == {
        node_ids.TRAINER: 2,
        node_ids.DRIFT_GATE: 0,
        node_ids.DATA_GATE: 0,
    }
    assert all(callable(t.on_failure_callback) for t in dag.tasks)
    with pytest.raises(AirflowFailException):
        dag.tasks[0].python_callable()


def test_the_failure_callback_logs_the_component_and_reason_even_without_a_store(caplog: pytest.LogCaptureFixture):
    callback = tasks.failure_callback(metadata_path=Path("/nowhere/metadata.sqlite"), pipeline_name="p")
    instance = types.SimpleNamespace(task_id=node_ids.DRIFT_GATE, run_id="manual__1")
    caplog.set_level("INFO", logger="airflow.task")
    callback({"task_instance": instance, "exception": AirflowFailException("span 3 drifted")})
    assert "pipeline p stopped at DriftGate (run manual__1): span 3 drifted" in caplog.text
