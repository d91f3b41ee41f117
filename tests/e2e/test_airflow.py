"""The pipeline scheduled by a real Airflow: its DagBag loads the DAG, and a DAG run pushes a model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import config as config_lib
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import versions, write_spans

pytestmark = pytest.mark.e2e

DAGS_FOLDER = REPO_ROOT / "pipeline" / "dags"


def _airflow_env(tmp_path: Path, pipeline_args: str) -> dict[str, str]:
    settings = dict(
        line.split("=", 1)
        for line in (DAGS_FOLDER / "airflow.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    return {
        **os.environ,
        **settings,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow' / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "FASHION_MNIST_PIPELINE_ARGS": pipeline_args,
    }


def _run(command: list[str], env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-3000:])
    return result


def test_two_dag_runs_with_a_span_arriving_between_them_push_two_versions(tmp_path: Path, real_data_dir: Path):
    data = tmp_path / "spans"
    write_spans(real_data_dir, data, release=1)
    args = (
        f"--profile=smoke --data-dir={data} --output-dir={tmp_path / 'out'} --serving-dir={tmp_path / 'serving'} "
        f"--raw-dir={real_data_dir}"
    )
    cfg = config_lib.parse_args(args.split())
    env = _airflow_env(tmp_path, args)
    airflow = str(Path(sys.executable).parent / "airflow")
    _run([airflow, "db", "migrate"], env)

    dagbag = _run(
        [
            sys.executable,
            "-c",
            (
                "from airflow.models import DagBag\n"
                "bag = DagBag(include_examples=False)\n"
                "print('errors', bag.import_errors)\n"
                "dag = bag.dags['fashion_mnist_smoke']\n"
                "print('tasks', sorted(dag.task_dict))\n"
                "print('schedule', dag.schedule_interval, 'catchup', dag.catchup)\n"
            ),
        ],
        env,
    )
    assert "errors {}" in dagbag.stdout
    assert "schedule @daily catchup False" in dagbag.stdout
    assert "'Pusher'" in dagbag.stdout and "'AnomalyGate'" in dagbag.stdout and "'DriftGate'" in dagbag.stdout

    _run([airflow, "dags", "test", cfg.model_name, "2026-11-26"], env, timeout=1800)
    first = versions(cfg.model_serving_dir)
    assert len(first) == 1 and first[0].isdigit()

    write_spans(real_data_dir, data, release=2)  # a span arrives between the two runs
    _run([airflow, "dags", "test", cfg.model_name, "2026-11-27"], env, timeout=1800)
    pushed = versions(cfg.model_serving_dir)
    assert len(pushed) == 2 and pushed[0] == first[0], pushed
    card = json.loads((cfg.model_serving_dir / pushed[1] / "assets.extra" / "model_card.json").read_text())
    assert [s["span"] for s in card["training"]["spans"]] == [1, 2]
    assert card["training"]["spans"][1]["drift"]["compared_with"] == 1
