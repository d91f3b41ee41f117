"""What a local run that did not finish reports: the component, why in one line, and a note in ML Metadata.

TFX records neither an in-process executor's exception nor an interrupt in ML
Metadata: a failed execution has no message, an interrupted one stays "running".
The notes written here are what ``make inspect`` shows instead. The console gets
one line; the full traceback goes to the run's log.
"""

from __future__ import annotations

import re
import sys
import traceback
from pathlib import Path

from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

from pipeline import console as console_lib
from pipeline.config import PipelineConfig
from pipeline.inspection.store import FAILURE_MESSAGE, INTERRUPTED_BY, Store

_UNFINISHED = (metadata_store_pb2.Execution.NEW, metadata_store_pb2.Execution.RUNNING)


# "package.module.SomeError: message", a traceback's last line, as it appears inside a runner's message.
_EXCEPTION_LINE = re.compile(r"^((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception)): (.+)$")
_PROJECT_PACKAGES = ("components.", "data.", "pipeline.")


def one_line(failure: BaseException) -> str:
    """The first line of an exception's message, or its type where it has none.

    A Beam runner reports a worker's failure as "Pipeline ... failed: Error running pipeline." followed by the
    worker's traceback; when that holds one of this project's errors, its message is the line that says why.
    """
    text = str(failure).strip()
    if not text:
        return type(failure).__name__
    lines = text.splitlines()
    ours = [m.group(2) for m in map(_EXCEPTION_LINE.match, lines[1:]) if m and m.group(1).startswith(_PROJECT_PACKAGES)]
    return ours[-1] if ours else lines[0]


def note_execution(
    metadata_path: Path,
    pipeline_name: str,
    node_id: str,
    *,
    states: tuple[int, ...],
    notes: dict[str, str],
    new_state: int | None = None,
    run_id: str | None = None,
) -> bool:
    """Sets ``notes`` (custom properties) on the newest execution of ``node_id`` in ``states`` in the run
    ``run_id`` (the orchestrator's id; by default the latest run).

    Returns whether such an execution was found.
    """
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(metadata_path)
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE
    writer = metadata_store.MetadataStore(config)
    records = Store(writer)
    runs = [run for _, run in records.runs(pipeline_name) if run_id is None or Store.run_id(run) == run_id]
    if not runs:
        return False
    executions = {e.id: e for e in writer.get_executions_by_context(runs[-1].id)}
    for record in sorted(records.records(executions.values()), key=lambda r: -r.id):
        execution = executions[record.id]
        if record.node_id != node_id or execution.last_known_state not in states:
            continue
        for key, value in notes.items():
            execution.custom_properties[key].string_value = value
        if new_state is not None:
            execution.last_known_state = new_state
        writer.put_executions([execution])
        return True
    return False


def _note(config: PipelineConfig, node_id: str, **kwargs: object) -> None:
    try:
        note_execution(config.metadata_path, config.tfx_pipeline_name, node_id, **kwargs)
    except Exception as e:  # noqa: BLE001 - the note is a courtesy; the run's outcome stands
        print(f"could not note the run's end in ML Metadata: {e}", file=sys.stderr)


def report_failure(failure: BaseException, terminal: console_lib.Console, config: PipelineConfig) -> None:
    """Prints which component failed and why, in one line; the traceback to the log; a note in ML Metadata."""
    traceback.print_exception(type(failure), failure, failure.__traceback__, file=sys.stderr)
    failed_node = terminal.current_node
    terminal.node_failed()
    reason = one_line(failure)
    terminal.error(f"{failed_node or 'pipeline'} failed: {reason}")
    if failed_node:
        _note(config, failed_node, states=(metadata_store_pb2.Execution.FAILED,), notes={FAILURE_MESSAGE: reason})


def report_interruption(
    stopped: BaseException, signal_name: str, terminal: console_lib.Console, config: PipelineConfig, log_path: Path
) -> None:
    """Prints which component a signal stopped, in one line; the traceback to the log; the execution noted
    as interrupted (cancelled) in ML Metadata."""
    print(f"interrupted by {signal_name}:", file=sys.stderr)
    traceback.print_exception(type(stopped), stopped, stopped.__traceback__, file=sys.stderr)
    node = terminal.current_node
    if node is None:
        terminal.error(f"interrupted ({signal_name}) {terminal.progress_words()}; full log: {log_path}")
        return
    terminal.error(
        f"{node} interrupted ({signal_name}); a rerun resumes from the cached components; full log: {log_path}"
    )
    _note(
        config,
        node,
        states=_UNFINISHED,
        notes={INTERRUPTED_BY: signal_name},
        new_state=metadata_store_pb2.Execution.CANCELED,
    )
