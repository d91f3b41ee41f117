"""What the DAG file reads from the environment of Airflow's processes, and the settings it needs there.

Shared by the DAG file (pipeline/airflow/dags/), ``make airflow`` (pipeline/airflow/local.py) and
``make airflow-dag``; imports nothing of Airflow or TensorFlow.
"""

from __future__ import annotations

from pipeline.config import REPO_ROOT

DAGS_FOLDER = REPO_ROOT / "pipeline" / "airflow" / "dags"
# Airflow settings the DAG needs (import timeouts, Keras 2), as NAME=value lines.
DAG_SETTINGS_FILE = DAGS_FOLDER / "airflow.env"
# The local runner's flags for every run, e.g. "--profile=smoke --output-dir=/srv/fmnist".
PIPELINE_ARGS_ENV = "FASHION_MNIST_PIPELINE_ARGS"
# An Airflow schedule; "none" for triggered runs only.
SCHEDULE_ENV = "FASHION_MNIST_SCHEDULE"
DEFAULT_SCHEDULE = "@daily"


def dag_settings() -> dict[str, str]:
    """The ``NAME=value`` lines of ``airflow.env``."""
    lines = DAG_SETTINGS_FILE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def parse_schedule(text: str) -> str | None:
    """An Airflow schedule from the environment; ``none`` (or nothing) means runs are only triggered."""
    return None if text.strip().lower() in ("", "none") else text.strip()
