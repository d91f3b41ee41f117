"""Airflow 3 DAG of the Fashion-MNIST pipeline: one task per TFX node, each run in the TFX virtualenv.

This file runs in Airflow's own virtualenv, which has neither TFX nor this project: it imports only Airflow 3's
SDK, its standard provider and the standard library, and parses in well under a second. Its shape comes from
the node graph the TFX side wrote (pipeline/airflow/node_graph.py), named by an environment variable of the
Airflow processes:

  FASHION_MNIST_AIRFLOW_NODES  the nodes.json of a compile (python -m pipeline.airflow.launch_node compile)
  FASHION_MNIST_SCHEDULE       an Airflow schedule (default "@daily"; "none": triggered runs only)

The first task of each run compiles the pipeline (deciding which spans the run ingests) and freezes its IR in
the run's folder; every other task launches one node of that IR, with the run id as TFX's pipeline run id, so
the run is one ``pipeline_run`` in ML Metadata. Runs never overlap or catch up; tasks retry with back-off
except the gates, and except when the launcher's exit status says the data stopped the run.
"""

from __future__ import annotations

import datetime
import json
import os
import shlex
from pathlib import Path
from typing import Any

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException

NODES_ENV = "FASHION_MNIST_AIRFLOW_NODES"
SCHEDULE_ENV = "FASHION_MNIST_SCHEDULE"
DEFAULT_SCHEDULE = "@daily"
# Set by Airflow in the environment of a BashOperator's command (airflow.utils.operator_helpers).
RUN_ID_VARIABLE = "AIRFLOW_CTX_DAG_RUN_ID"

RETRIES = 2
RETRY_DELAY = datetime.timedelta(seconds=30)
MAX_RETRY_DELAY = datetime.timedelta(minutes=10)
# A run that takes two hours is stuck (a full run is about 11 minutes of work here), and the next must not wait.
RUN_TIMEOUT = datetime.timedelta(hours=2)


class NodeTask(BashOperator):
    """A launcher command; its reserved exit status fails the task at once, whatever its retries."""

    def __init__(self, *, data_stop_exit_status: int, **kwargs: Any) -> None:
        super().__init__(skip_on_exit_code=None, **kwargs)
        self.data_stop_exit_status = data_stop_exit_status

    def execute(self, context: Any) -> Any:
        try:
            return super().execute(context)
        except Exception:
            process = self.subprocess_hook.sub_process
            if process is not None and process.returncode == self.data_stop_exit_status:
                raise AirflowFailException("the data stopped the run (the line above says why): no retry") from None
            raise


def parse_schedule(text: str) -> str | None:
    """``none`` (or nothing) means runs are only triggered."""
    return None if text.strip().lower() in ("", "none") else text.strip()


def read_nodes(path: str) -> dict[str, Any]:
    """The node graph, with a message that says what to do when there is none."""
    try:
        if not path:
            raise OSError(f"{NODES_ENV} is not set")
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise RuntimeError(
            f"cannot read the pipeline's node graph {path} ({error}): write it with "
            "`python -m pipeline.airflow.launch_node compile --run-dir DIR -- FLAGS` in the TFX virtualenv "
            f"(make airflow does) and set {NODES_ENV}=DIR/nodes.json"
        ) from error


def launcher_command(graph: dict[str, Any], *args: str) -> str:
    """The shell command that runs the launcher in the TFX virtualenv; ``$RUN_DIR`` is this run's folder."""
    run_dir = f'{shlex.quote(graph["runs_dir"])}/"${RUN_ID_VARIABLE}"'
    launcher = [graph["python"], "-m", graph["launcher_module"]]
    return (
        f"cd {shlex.quote(graph['checkout'])} && RUN_DIR={run_dir} && "
        f"exec {' '.join(shlex.quote(a) for a in launcher)} {' '.join(args)}"
    )


def build_dag(nodes_file: str, schedule: str | None) -> DAG:
    graph = read_nodes(nodes_file)
    dag = DAG(
        dag_id=graph["pipeline_name"],
        schedule=schedule,
        start_date=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
        # Runs share one ML Metadata store, one pipeline root and one serving folder.
        max_active_runs=1,
        catchup=False,
        dagrun_timeout=RUN_TIMEOUT,
        default_args={
            "retries": RETRIES,
            "retry_delay": RETRY_DELAY,
            "retry_exponential_backoff": 2.0,  # a multiplier in Airflow 3, not a flag
            "max_retry_delay": MAX_RETRY_DELAY,
        },
        tags=["tfx"],
    )
    stop_status = int(graph["data_stop_exit_status"])
    compile_args = ["compile", '--run-dir "$RUN_DIR"', "--expect-nodes", shlex.quote(nodes_file), "--"]
    compile_args += [shlex.quote(a) for a in graph["pipeline_args"]]
    with dag:
        compiled = NodeTask(
            task_id=graph["compile_task_id"],
            bash_command=launcher_command(graph, *compile_args),
            data_stop_exit_status=stop_status,
        )
        tasks = {}
        ir = f'"$RUN_DIR"/{shlex.quote(graph["pipeline_ir_file"])}'
        for node in graph["nodes"]:
            node_id = node["id"]
            launch_args = ["launch", "--ir", ir, "--run-id", f'"${RUN_ID_VARIABLE}"', "--node", shlex.quote(node_id)]
            task = NodeTask(
                task_id=node_id,
                bash_command=launcher_command(graph, *launch_args),
                data_stop_exit_status=stop_status,
                **({"retries": 0} if node_id in graph["no_retry"] else {}),
            )
            tasks[node_id] = task
            upstream = [tasks[u] for u in node["upstream"]] or [compiled]
            for before in upstream:
                before >> task
    return dag


DAG_OBJECT = build_dag(os.environ.get(NODES_ENV, ""), parse_schedule(os.environ.get(SCHEDULE_ENV, DEFAULT_SCHEDULE)))
