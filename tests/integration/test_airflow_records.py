"""What TFX's Airflow runner writes to ML Metadata, read and noted by the project's tools.

TFX's Airflow runner launches components the way TFX did before its intermediate representation
(``run`` and ``component_run`` contexts, a ``component_id`` property). The records here are written
by that same writer (tfx.orchestration.metadata), as an Airflow task does.
"""

import json
from pathlib import Path

from ml_metadata.proto import metadata_store_pb2
from tfx.orchestration import data_types, metadata
from tfx.types import standard_artifacts

from components import properties
from pipeline import arrivals, nodes
from pipeline.inspection.store import Store
from pipeline.run_failure import note_execution

PIPELINE = "fashion_mnist_smoke"


def _component(run_id: str, node_id: str) -> data_types.ComponentInfo:
    pipeline = data_types.PipelineInfo(PIPELINE, "/pipeline_root", run_id=run_id)
    return data_types.ComponentInfo(f"components.{node_id}", node_id, pipeline)


def _airflow_run(store: Path, run_id: str, *, span: int) -> None:
    """One Airflow run's records: an ExampleGen that emitted ``span``, and a DriftGate still running."""
    with metadata.Metadata(metadata.sqlite_metadata_connection_config(str(store))) as m:
        example_gen = _component(run_id, nodes.EXAMPLE_GEN)
        contexts = m.register_pipeline_contexts_if_not_exists(example_gen.pipeline_info)
        m.register_execution(
            pipeline_info=example_gen.pipeline_info, component_info=example_gen, contexts=list(contexts)
        )
        examples = standard_artifacts.Examples()
        examples.uri = f"/pipeline_root/{run_id}/span-{span}"
        examples.span = span
        examples.set_string_custom_property(properties.SPAN_SHA256, json.dumps({"train.gz": f"hash{span}"}))
        m.publish_execution(component_info=example_gen, output_artifacts={properties.SPAN_EXAMPLES_KEY: [examples]})
        gate = _component(run_id, nodes.DRIFT_GATE)
        m.register_execution(pipeline_info=gate.pipeline_info, component_info=gate, contexts=list(contexts))


def test_airflow_runs_are_listed_by_their_run_ids_with_their_components(tmp_path: Path):
    store_path = tmp_path / "metadata.sqlite"
    _airflow_run(store_path, "span-1", span=1)
    _airflow_run(store_path, "span-2", span=2)
    store = Store.open(store_path)
    runs = store.runs(PIPELINE)
    assert [(name, Store.run_id(run)) for name, run in runs] == [(PIPELINE, "span-1"), (PIPELINE, "span-2")]
    assert [e.node_id for e in store.executions(runs[-1][1])] == [nodes.EXAMPLE_GEN, nodes.DRIFT_GATE]
    assert len(store.node_executions(PIPELINE, nodes.EXAMPLE_GEN)) == 2
    assert store.node_executions("another_pipeline", nodes.EXAMPLE_GEN) == []


def test_the_spans_airflow_runs_ingested_are_known_to_the_next_run(tmp_path: Path):
    store_path = tmp_path / "metadata.sqlite"
    _airflow_run(store_path, "span-1", span=1)
    _airflow_run(store_path, "span-2", span=2)
    ingested, last = arrivals.read_ingested(store_path, PIPELINE)
    assert sorted(ingested) == [1, 2] and last == [2]
    assert ingested[2].sha256 == {"train.gz": "hash2"}


def test_a_failure_is_noted_on_the_component_of_the_run_airflow_names(tmp_path: Path):
    store_path = tmp_path / "metadata.sqlite"
    _airflow_run(store_path, "span-1", span=1)
    _airflow_run(store_path, "span-2", span=2)
    unfinished = (metadata_store_pb2.Execution.NEW, metadata_store_pb2.Execution.RUNNING)
    assert note_execution(
        store_path,
        PIPELINE,
        nodes.DRIFT_GATE,
        run_id="span-1",
        states=unfinished,
        notes={"failure_message": "span 1 drifted"},
        new_state=metadata_store_pb2.Execution.FAILED,
    )
    assert not note_execution(store_path, PIPELINE, nodes.DRIFT_GATE, run_id="span-9", states=unfinished, notes={})
    store = Store.open(store_path)
    first, second = (store.executions(run) for _, run in store.runs(PIPELINE))
    gate = {e.node_id: e for e in first}[nodes.DRIFT_GATE]
    assert gate.state == "failed" and gate.error == "span 1 drifted"
    assert {e.node_id: e for e in second}[nodes.DRIFT_GATE].error is None
