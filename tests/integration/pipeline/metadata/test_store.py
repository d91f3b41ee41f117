"""pipeline/metadata/store.py on the records TFX's Airflow runner writes (tests/support/airflow_records.py)."""

from pathlib import Path

from pipeline import node_ids
from pipeline.metadata.store import Store
from tests.support.airflow_records import PIPELINE, airflow_run


def test_airflow_runs_are_listed_by_their_run_ids_with_their_components(tmp_path: Path):
    store_path = tmp_path / "metadata.sqlite"
    airflow_run(store_path, "span-1", span=1)
    airflow_run(store_path, "span-2", span=2)
    store = Store.open(store_path)
    runs = store.runs(PIPELINE)
    assert [(name, Store.run_id(run)) for name, run in runs] == [(PIPELINE, "span-1"), (PIPELINE, "span-2")]
    assert [e.node_id for e in store.executions(runs[-1][1])] == [node_ids.EXAMPLE_GEN, node_ids.DRIFT_GATE]
    assert len(store.node_executions(PIPELINE, node_ids.EXAMPLE_GEN)) == 2
    assert store.node_executions("another_pipeline", node_ids.EXAMPLE_GEN) == []
