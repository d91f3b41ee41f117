"""What the DAG file reads from Airflow's environment (pipeline/airflow/settings.py)."""

import pytest

from pipeline.airflow import settings


@pytest.mark.parametrize(("text", "schedule"), [("@daily", "@daily"), (" 0 3 * * * ", "0 3 * * *"), ("None", None)])
def test_a_schedule_of_none_means_triggered_runs_only(text: str, schedule: str | None):
    assert settings.parse_schedule(text) == schedule
