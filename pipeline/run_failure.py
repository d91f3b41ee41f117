"""What a failed local run reports: the component that failed, why in one line, and a note in ML Metadata.

TFX does not record an in-process executor's exception in ML Metadata; the note
written here is what ``make inspect`` shows as the failed execution's reason.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

from pipeline import console as console_lib
from pipeline.config import PipelineConfig
from pipeline.inspection.store import FAILURE_MESSAGE, NODE_CONTEXT, Store


def one_line(failure: BaseException) -> str:
    """The first line of an exception's message, or its type where it has none."""
    text = str(failure).strip()
    return text.splitlines()[0] if text else type(failure).__name__


def note_failure(metadata_path: Path, pipeline_name: str, node_id: str, message: str) -> bool:
    """Notes ``message`` on the failed execution of ``node_id`` in the pipeline's latest run.

    Returns whether such an execution was found.
    """
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(metadata_path)
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE
    writer = metadata_store.MetadataStore(config)
    runs = Store(writer).runs(pipeline_name)
    if not runs:
        return False
    for execution in sorted(writer.get_executions_by_context(runs[-1][1].id), key=lambda e: -e.id):
        if execution.last_known_state != metadata_store_pb2.Execution.FAILED:
            continue
        contexts = writer.get_contexts_by_execution(execution.id)
        if any(c.type == NODE_CONTEXT and c.name.split(".", 1)[-1] == node_id for c in contexts):
            execution.custom_properties[FAILURE_MESSAGE].string_value = message
            writer.put_executions([execution])
            return True
    return False


def report_failure(failure: BaseException, terminal: console_lib.Console, config: PipelineConfig) -> None:
    """Prints which component failed and why, in one line, and notes it in ML Metadata."""
    failed_node = terminal.current_node
    terminal.node_failed()
    reason = one_line(failure)
    terminal.error(f"{failed_node or 'pipeline'} failed: {reason}")
    if failed_node:
        try:
            note_failure(config.metadata_path, config.tfx_pipeline_name, failed_node, reason)
        except Exception as e:  # noqa: BLE001 - the note is a courtesy; the run's outcome stands
            print(f"could not note the failure in ML Metadata: {e}", file=sys.stderr)
