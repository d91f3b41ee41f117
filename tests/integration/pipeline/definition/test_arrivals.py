"""pipeline/definition/arrivals.py on the records TFX's Airflow runner writes (tests/support/airflow_records.py)."""

from pathlib import Path

from pipeline.definition import arrivals
from tests.support.airflow_records import PIPELINE, airflow_run


def test_the_spans_airflow_runs_ingested_are_known_to_the_next_run(tmp_path: Path):
    store_path = tmp_path / "metadata.sqlite"
    airflow_run(store_path, "span-1", span=1)
    airflow_run(store_path, "span-2", span=2)
    ingested, last = arrivals.read_ingested(store_path, PIPELINE)
    assert sorted(ingested) == [1, 2] and last == [2]
    assert ingested[2].sha256 == {"train.gz": "hash2"}
