"""The Airflow 3 DAG file, imported by Airflow 3's own virtualenv (.venv-airflow, make setup-airflow) in a
subprocess: it imports no TensorFlow, TFX or project module, builds one task per node of a node graph the TFX side
wrote, and maps the launcher's reserved exit status to a failure without retries."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from pipeline.airflow import node_graph, settings
from tests.conftest import REPO_ROOT

AIRFLOW_PYTHON = REPO_ROOT / ".venv-airflow" / "bin" / "python"
DAG_FILE = settings.DAG_FILE
# Modules of the TFX side that must never load when Airflow parses the DAG.
FORBIDDEN = ("tensorflow", "tfx", "ml_metadata", "apache_beam", "keras", "pipeline", "components", "data")


@pytest.fixture(autouse=True)
def _airflow_venv() -> None:
    assert AIRFLOW_PYTHON.exists(), f"no Airflow 3 virtualenv at {AIRFLOW_PYTHON.parent.parent}: make setup-airflow"


# Imports Airflow first, then times the DAG file alone, as Airflow's DAG processor (which has Airflow loaded) does.
PARSE = """
import importlib.util, json, sys, time
import airflow.sdk, airflow.providers.standard.operators.bash
before = set(sys.modules)
started = time.process_time()
spec = importlib.util.spec_from_file_location("fashion_mnist_dag", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
seconds = time.process_time() - started
dag = module.DAG_OBJECT
print(json.dumps({
    "seconds": seconds,
    "loaded": sorted(set(sys.modules) - before),
    "dag_id": dag.dag_id,
    "max_active_runs": dag.max_active_runs,
    "catchup": dag.catchup,
    "tasks": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks},
    "retries": {t.task_id: t.retries for t in dag.tasks},
    "commands": {t.task_id: t.bash_command for t in dag.tasks},
}))
"""


def _graph(tmp_path: Path) -> Path:
    nodes = (
        node_graph.Node("FashionMnistExampleGen", ()),
        node_graph.Node("ImportSchemaGen", ()),
        node_graph.Node("AnomalyGate", ("FashionMnistExampleGen", "ImportSchemaGen")),
        node_graph.Node("Trainer", ("AnomalyGate",)),
    )
    graph = node_graph.NodeGraph(
        pipeline_name="fashion_mnist",
        nodes=nodes,
        python="/bin/echo",  # the commands below print their arguments instead of running the launcher
        checkout=str(tmp_path),
        pipeline_args=("--profile=smoke", "--output-dir=/srv/it's here"),
        runs_dir=str(tmp_path / "runs of 'it'"),
        no_retry=("AnomalyGate",),
    )
    path = tmp_path / "nodes.json"
    node_graph.write(path, graph)
    return path


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "airflow-home"
    home.mkdir(exist_ok=True)
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {**keep, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False", **extra}


def _parse(tmp_path: Path) -> dict:
    env = _env(tmp_path, FASHION_MNIST_AIRFLOW_NODES=str(_graph(tmp_path)), FASHION_MNIST_SCHEDULE="none")
    done = subprocess.run(
        [str(AIRFLOW_PYTHON), "-c", PARSE, str(DAG_FILE)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_dag_file_imports_nothing_of_tfx_and_parses_in_well_under_a_second(tmp_path: Path):
    parsed = _parse(tmp_path)
    assert [m for m in parsed["loaded"] if m.split(".")[0] in FORBIDDEN] == []
    assert parsed["seconds"] < 1.0


def test_one_task_per_node_after_the_compile_task_with_the_graph_s_dependencies(tmp_path: Path):
    parsed = _parse(tmp_path)
    assert (parsed["dag_id"], parsed["max_active_runs"], parsed["catchup"]) == ("fashion_mnist", 1, False)
    assert parsed["tasks"] == {
        node_graph.COMPILE_TASK_ID: [],
        "FashionMnistExampleGen": [node_graph.COMPILE_TASK_ID],
        "ImportSchemaGen": [node_graph.COMPILE_TASK_ID],
        "AnomalyGate": ["FashionMnistExampleGen", "ImportSchemaGen"],
        "Trainer": ["AnomalyGate"],
    }
    assert parsed["retries"]["AnomalyGate"] == 0 and parsed["retries"]["Trainer"] == 2


def test_the_commands_pass_every_path_and_the_run_id_as_one_word(tmp_path: Path):
    """Run with /bin/echo as the TFX Python: what the launcher would get, argument by argument."""
    commands = _parse(tmp_path)["commands"]
    run_id = "manual__2026-12-06T05:00:00+00:00"
    env = _env(tmp_path, AIRFLOW_CTX_DAG_RUN_ID=run_id)
    printed = {
        task: subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, check=True).stdout
        for task, command in commands.items()
    }
    run_dir = f"{tmp_path}/runs of 'it'/{run_id}"
    launcher = f"-m {node_graph.LAUNCHER_MODULE}"
    assert printed[node_graph.COMPILE_TASK_ID] == (
        f"{launcher} compile --run-dir {run_dir} --expect-nodes {tmp_path}/nodes.json -- "
        "--profile=smoke --output-dir=/srv/it's here\n"
    )
    assert printed["Trainer"] == (
        f"{launcher} launch --ir {run_dir}/{node_graph.PIPELINE_IR_FILE} --run-id {run_id} --node Trainer\n"
    )


def test_without_a_node_graph_the_import_error_says_what_to_do(tmp_path: Path):
    done = subprocess.run(
        [str(AIRFLOW_PYTHON), str(DAG_FILE)], env=_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "FASHION_MNIST_AIRFLOW_NODES is not set" in done.stderr and "launch_node compile" in done.stderr


# Runs NodeTask.execute on commands that exit with each status, outside a scheduler.
EXECUTE = """
import importlib.util, sys
from airflow.sdk.exceptions import AirflowFailException
spec = importlib.util.spec_from_file_location("fashion_mnist_dag", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
for status in sys.argv[2:]:
    task = module.NodeTask(task_id=f"exit_{status}", bash_command=f"exit {status}", data_stop_exit_status=65)
    try:
        task.execute({})
        print(status, "done")
    except AirflowFailException:
        print(status, "failed without retries")
    except Exception:
        print(status, "failed, may retry")
"""


def test_the_reserved_exit_status_fails_the_task_without_retries_and_others_may_retry(tmp_path: Path):
    env = _env(tmp_path, FASHION_MNIST_AIRFLOW_NODES=str(_graph(tmp_path)))
    done = subprocess.run(
        [str(AIRFLOW_PYTHON), "-c", EXECUTE, str(DAG_FILE), "0", "1", str(node_graph.DATA_STOP_EXIT_STATUS), "99"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcomes = [line for line in done.stdout.splitlines() if re.match(r"^\d+ (done|failed)", line)]  # not the logs
    assert outcomes == [
        "0 done",
        "1 failed, may retry",
        f"{node_graph.DATA_STOP_EXIT_STATUS} failed without retries",
        "99 failed, may retry",  # BashOperator's default skip status is a failure here, not a skipped node
    ]
