"""How the DAG's tasks behave under Airflow's scheduler: retries, timeouts, and what a failure leaves behind.

A retry helps where a failure can be passing: a file system or a worker that went
away, memory another job took. It cannot help a gate that stopped the run on its
data (the AnomalyGate, the DriftGate) or a file that is not what it must be: those
fail at once, whatever the task's retries, so a drifted span is not read three times
before an operator hears of it. The failure callback runs in the task's process: the
line it logs is in the task's log in the web UI, and the note it leaves on the
component's execution in ML Metadata is what ``make inspect`` shows.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from airflow.exceptions import AirflowFailException
from ml_metadata.proto import metadata_store_pb2

from components.anomaly_gate.checks import DataAnomaliesError
from components.drift_gate.checks import DriftError
from components.records.tfrecord import TFRecordError
from data.idx import IdxError
from data.sources import DataSourceError
from pipeline import node_ids
from pipeline.metadata.notes import note_execution, one_line
from pipeline.metadata.store import FAILURE_MESSAGE

# Errors that say the data stopped the run: retrying reads the same data and stops again.
STOPS: tuple[type[BaseException], ...] = (DataAnomaliesError, DriftError, IdxError, DataSourceError, TFRecordError)
# The gates never retry, even on an error not in STOPS: their whole work is a decision on data at hand.
GATES = frozenset({node_ids.DATA_GATE, node_ids.DRIFT_GATE})

RETRIES = 2
RETRY_DELAY = datetime.timedelta(seconds=30)
MAX_RETRY_DELAY = datetime.timedelta(minutes=10)
# A scheduled smoke run took about 7 minutes here, each of its 15 tasks first importing TFX for ~20 s; a full
# run adds about 8 minutes of work. A run that takes two hours is stuck, and the next must not wait forever.
RUN_TIMEOUT = datetime.timedelta(hours=2)

_log = logging.getLogger("airflow.task")


def dag_settings(schedule: str | None) -> dict[str, Any]:
    """The keyword arguments of the DAG (TFX's AirflowPipelineConfig passes them to ``airflow.DAG``)."""
    return {
        "schedule": schedule,
        "start_date": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
        # Runs share one ML Metadata store, one pipeline root and one serving folder.
        "max_active_runs": 1,
        "catchup": False,
        "dagrun_timeout": RUN_TIMEOUT,
        "default_args": {
            "retries": RETRIES,
            "retry_delay": RETRY_DELAY,
            "retry_exponential_backoff": True,
            "max_retry_delay": MAX_RETRY_DELAY,
        },
    }


def fail_at_once_on_stops(callable_: Callable[..., Any]) -> Callable[..., Any]:
    """``callable_``, with the errors in ``STOPS`` turned into Airflow's no-retry failure."""

    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callable_(*args, **kwargs)
        except STOPS as stop:
            raise AirflowFailException(one_line(stop)) from stop

    run.__name__ = getattr(callable_, "__name__", "run")
    run.__doc__ = callable_.__doc__
    return run


def failure_reason(exception: BaseException | None) -> str:
    """One line: the project's error message where there is one, else the exception's first line."""
    if exception is None:
        return "no error was raised: the task was stopped (timed out, killed or marked failed)"
    cause = exception.__cause__ if isinstance(exception, AirflowFailException) else None
    return one_line(cause or exception)


def failure_callback(*, metadata_path: Path, pipeline_name: str) -> Callable[[Mapping[str, Any]], None]:
    """The ``on_failure_callback`` of every task: one line in the task log and a note in ML Metadata."""

    def on_failure(context: Mapping[str, Any]) -> None:
        task = context["task_instance"]
        reason = failure_reason(context.get("exception"))
        _log.error("pipeline %s stopped at %s (run %s): %s", pipeline_name, task.task_id, task.run_id, reason)
        try:
            noted = note_execution(
                metadata_path,
                pipeline_name,
                task.task_id,
                run_id=task.run_id,
                states=(
                    metadata_store_pb2.Execution.NEW,
                    metadata_store_pb2.Execution.RUNNING,
                    metadata_store_pb2.Execution.FAILED,
                ),
                notes={FAILURE_MESSAGE: reason},
                new_state=metadata_store_pb2.Execution.FAILED,
            )
        except Exception as error:  # noqa: BLE001 - the note is a courtesy; the task has failed either way
            _log.warning("could not note the failure in ML Metadata (%s): %s", metadata_path, error)
            return
        if not noted:
            _log.warning("no execution of %s in run %s to note the failure on in %s", task.task_id, task.run_id,
                         metadata_path)  # fmt: skip

    return on_failure


def apply(dag: Any, *, metadata_path: Path, pipeline_name: str) -> None:
    """Gives every task of the DAG built by TFX's AirflowDagRunner its failure handling."""
    on_failure = failure_callback(metadata_path=metadata_path, pipeline_name=pipeline_name)
    for task in dag.tasks:
        task.on_failure_callback = on_failure
        task.python_callable = fail_at_once_on_stops(task.python_callable)
        if task.task_id in GATES:
            task.retries = 0
