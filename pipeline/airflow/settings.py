"""What the DAG file reads from the environment of Airflow's processes, spelled for the TFX side.

The DAG file (pipeline/airflow/dags/) runs in Airflow's virtualenv and cannot import this module, so it
spells the same names itself; tests/unit/pipeline/airflow/test_settings.py holds the two together. Shared by
``make airflow`` (pipeline/airflow/local.py) and ``make airflow-dag``; imports nothing of Airflow or TensorFlow.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import REPO_ROOT

DAGS_FOLDER = REPO_ROOT / "pipeline" / "airflow" / "dags"
DAG_FILE = DAGS_FOLDER / "fashion_mnist_dag.py"
# The node graph the DAG is built from (pipeline/airflow/node_graph.py), written by `launch_node compile`.
NODES_ENV = "FASHION_MNIST_AIRFLOW_NODES"
# An Airflow schedule; "none" for triggered runs only.
SCHEDULE_ENV = "FASHION_MNIST_SCHEDULE"
DEFAULT_SCHEDULE = "@daily"
# Where `make airflow` and `make airflow-dag` write the DAG's shape: AIRFLOW_DIR/shape/nodes.json.
SHAPE_FOLDER = "shape"


def dag_settings(nodes_file: Path, schedule: str) -> dict[str, str]:
    """The settings that point an Airflow 3 at this project's DAG, as ``NAME: value``."""
    return {
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        NODES_ENV: str(nodes_file),
        SCHEDULE_ENV: schedule,
    }
