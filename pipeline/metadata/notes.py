"""Notes on a component's execution in ML Metadata: why it failed or what interrupted it, in one line.

TFX records neither an in-process executor's exception nor an interrupt in ML Metadata: a failed
execution has no message, an interrupted one stays "running". The runners (the local runner, the
Airflow tasks) write these notes, and ``make inspect`` and the report show them (``store.FAILURE_MESSAGE``,
``store.INTERRUPTED_BY``). The local runner also notes the warnings about the data it printed on the run's
ingestion (``store.DATA_WARNINGS``).
"""

from __future__ import annotations

import re
from pathlib import Path

from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

from pipeline.metadata.store import Store

# "package.module.SomeError: message", a traceback's last line, as it appears inside a runner's message.
_EXCEPTION_LINE = re.compile(r"^((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception)): (.+)$")
_PROJECT_PACKAGES = ("components.", "data.", "pipeline.")
# The states a stopped or failed component's execution can be in when its runner notes it: TFX's launcher leaves it
# NEW or RUNNING when the stop passes through it, and records it FAILED when the executor raised an ordinary
# exception (a library on the way up may wrap a signal's stop in one: TensorFlow, Beam).
STOPPED_STATES = (
    metadata_store_pb2.Execution.NEW,
    metadata_store_pb2.Execution.RUNNING,
    metadata_store_pb2.Execution.FAILED,
)


def one_line(failure: BaseException) -> str:
    """The first line of an exception's message, or its type where it has none.

    A Beam runner reports a worker's failure as "Pipeline ... failed: Error running pipeline." followed by the
    worker's traceback; when that holds one of this project's errors, its message is the line that says why. A
    failed gRPC call (Beam's job service) is its status and details: its message's first line says neither.
    """
    rpc = _rpc_status(failure)
    if rpc:
        return rpc
    text = str(failure).strip()
    if not text:
        return type(failure).__name__
    lines = text.splitlines()
    ours = [m.group(2) for m in map(_EXCEPTION_LINE.match, lines[1:]) if m and m.group(1).startswith(_PROJECT_PACKAGES)]
    return ours[-1] if ours else lines[0]


def _rpc_status(failure: BaseException) -> str | None:
    """A failed gRPC call's status and details ("gRPC DEADLINE_EXCEEDED: Stream removed"): of a
    ``grpc.RpcError`` that is also a ``grpc.Call``, with ``code()`` and ``details()``. None for other errors."""
    code, details = getattr(failure, "code", None), getattr(failure, "details", None)
    if not (callable(code) and callable(details)):
        return None
    try:
        status = code()
        return f"gRPC {getattr(status, 'name', status)}: {details()}"
    except Exception:  # noqa: BLE001 - not a call's error after all: the message stands
        return None


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
