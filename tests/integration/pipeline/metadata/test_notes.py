"""pipeline/metadata/notes.py on the records TFX's Airflow runner writes (tests/support/airflow_records.py)."""

from pathlib import Path

from ml_metadata.proto import metadata_store_pb2

from pipeline import node_ids
from pipeline.metadata.notes import note_execution
from pipeline.metadata.store import Store
from tests.support.airflow_records import PIPELINE, airflow_run


def test_a_failure_is_noted_on_the_component_of_the_run_airflow_names(tmp_path: Path):
    store_path = tmp_path / "metadata.sqlite"
    airflow_run(store_path, "span-1", span=1)
    airflow_run(store_path, "span-2", span=2)
    unfinished = (metadata_store_pb2.Execution.NEW, metadata_store_pb2.Execution.RUNNING)
    assert note_execution(
        store_path,
        PIPELINE,
        node_ids.DRIFT_GATE,
        run_id="span-1",
        states=unfinished,
        notes={"failure_message": "span 1 drifted"},
        new_state=metadata_store_pb2.Execution.FAILED,
    )
    assert not note_execution(store_path, PIPELINE, node_ids.DRIFT_GATE, run_id="span-9", states=unfinished, notes={})
    store = Store.open(store_path)
    first, second = (store.executions(run) for _, run in store.runs(PIPELINE))
    gate = {e.node_id: e for e in first}[node_ids.DRIFT_GATE]
    assert gate.state == "failed" and gate.error == "span 1 drifted"
    assert {e.node_id: e for e in second}[node_ids.DRIFT_GATE].error is None
