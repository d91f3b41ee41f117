"""pipeline/local/failure.py: a signal noted on the stopped component's execution, whatever state TFX left it in."""

import io
from pathlib import Path

import pytest
from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

from pipeline.config import parse_args
from pipeline.local import console, failure
from pipeline.metadata.store import INTERRUPTED, RUN_CONTEXT, Store

Execution = metadata_store_pb2.Execution


def _store_with_one_run(path: Path, pipeline_name: str, states: dict[str, int]) -> None:
    """An ML Metadata store shaped as TFX writes one run: pipeline, run and node contexts, one execution a node."""
    connection = metadata_store_pb2.ConnectionConfig()
    connection.sqlite.filename_uri = str(path)
    connection.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    writer = metadata_store.MetadataStore(connection)
    type_ids = {
        name: writer.put_context_type(metadata_store_pb2.ContextType(name=name))
        for name in ("pipeline", RUN_CONTEXT, "node")
    }
    execution_type = writer.put_execution_type(metadata_store_pb2.ExecutionType(name="tfx.components.Trainer"))
    pipeline, run = writer.put_contexts(
        [
            metadata_store_pb2.Context(type_id=type_ids["pipeline"], name=pipeline_name),
            metadata_store_pb2.Context(type_id=type_ids[RUN_CONTEXT], name="run-1"),
        ]
    )
    writer.put_parent_contexts([metadata_store_pb2.ParentContext(child_id=run, parent_id=pipeline)])
    for node, state in states.items():
        (context,) = writer.put_contexts(
            [metadata_store_pb2.Context(type_id=type_ids["node"], name=f"{pipeline_name}.{node}")]
        )
        (execution,) = writer.put_executions([Execution(type_id=execution_type, last_known_state=state)])
        writer.put_attributions_and_associations(
            [],
            [metadata_store_pb2.Association(context_id=c, execution_id=execution) for c in (pipeline, run, context)],
        )


@pytest.mark.parametrize(
    "left_as",
    [Execution.RUNNING, Execution.FAILED],
    ids=["left running", "recorded failed (the stop wrapped in an ordinary exception on its way up)"],
)
def test_the_stopped_component_is_noted_interrupted(tmp_path: Path, left_as: int):
    config = parse_args(["--profile=smoke", f"--output-dir={tmp_path}"])
    _store_with_one_run(
        config.metadata_path, config.tfx_pipeline_name, {"Transform": Execution.COMPLETE, "Trainer": left_as}
    )
    err = io.StringIO()
    terminal = console.Console(io.StringIO(), error_stream=err)
    terminal.node_started("Trainer")
    stop = KeyboardInterrupt()
    failure.report_interruption(stop, "SIGINT", terminal, config, tmp_path / "run.log")

    assert err.getvalue().startswith("error: Trainer interrupted (SIGINT); a rerun resumes from the cached components")
    store = Store.open(config.metadata_path)
    (run,) = [context for _, context in store.runs(config.tfx_pipeline_name)]
    states = {e.node_id: (e.state, e.error) for e in store.executions(run)}
    assert states == {"Transform": ("done", None), "Trainer": (INTERRUPTED, "interrupted by SIGINT")}
