"""Queries over the ML Metadata store that TFX's orchestrators write.

TFX records a run as a ``pipeline_run`` context, each component as a ``node``
context (named ``<pipeline>.<node id>``), each execution with INPUT and OUTPUT
events to its artifacts: the local runner, the Airflow 3 DAG's node launcher
(pipeline/airflow/launch_node.py) and Kubeflow alike, so one code path reads them all.
ML Metadata's client needs no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from pathlib import Path

from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

from pipeline.metadata import health

RUN_CONTEXT = "pipeline_run"
NODE_CONTEXT = "node"
# An execution's node id when it has no node context (written by TFX's launchers before the IR).
_COMPONENT_ID = "component_id"
# Set by the local runner on the execution that failed: the exception's message.
FAILURE_MESSAGE = "failure_message"
# Set by the local runner on the execution a signal stopped (then "canceled"): the signal's name.
INTERRUPTED_BY = "interrupted_by"
INTERRUPTED = "interrupted"
# Set by the local runner on a run's ExampleGen execution: JSON [the warnings about the data it printed].
DATA_WARNINGS = "data_warnings"
_NOTES = (FAILURE_MESSAGE, INTERRUPTED_BY, DATA_WARNINGS)
# Where TFX keeps an execution's result (with the error message of a failure).
_EXECUTION_RESULT = "__execution_result__"

# The last line of a traceback: "package.module.SomeError: message".
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*: (.*)$")

# The states of an execution whose outputs exist: it ran to the end, or reused an earlier execution's.
DONE = "done"
CACHED = "cached"
_STATE_NAMES = {
    metadata_store_pb2.Execution.NEW: "new",
    metadata_store_pb2.Execution.RUNNING: "running",
    metadata_store_pb2.Execution.COMPLETE: DONE,
    metadata_store_pb2.Execution.FAILED: "failed",
    metadata_store_pb2.Execution.CACHED: CACHED,
    metadata_store_pb2.Execution.CANCELED: "canceled",
}
_INPUT_EVENTS = {metadata_store_pb2.Event.INPUT, metadata_store_pb2.Event.DECLARED_INPUT}
_OUTPUT_EVENTS = {
    metadata_store_pb2.Event.OUTPUT,
    metadata_store_pb2.Event.DECLARED_OUTPUT,
    metadata_store_pb2.Event.PENDING_OUTPUT,
}


class EmptyStoreError(LookupError):
    """The store exists but holds no run (or no store at all)."""


def open_store(metadata_path: Path) -> metadata_store.MetadataStore:
    """Opens an existing SQLite ML Metadata store read-only.

    Raises:
      EmptyStoreError: there is no store.
      health.StoreDamagedError: the file is not a sound store.
    """
    health.check(Path(metadata_path))
    if not Path(metadata_path).is_file():
        raise EmptyStoreError(
            f"{metadata_path}: no ML Metadata store; run the pipeline first (make run-pipeline), "
            "or point OUTPUT_DIR at the output folder of a run"
        )
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(metadata_path)
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READONLY
    return metadata_store.MetadataStore(config)


@dataclasses.dataclass(frozen=True)
class ArtifactRef:
    """An artifact as one execution saw it."""

    id: int
    type: str
    key: str  # the input or output name, e.g. "examples"
    uri: str
    properties: dict[str, str | int | float]


@dataclasses.dataclass(frozen=True)
class ExecutionRecord:
    """One component's execution in one run."""

    id: int
    node_id: str
    state: str
    started_ms: int
    ended_ms: int
    error: str | None
    exec_properties: dict[str, str | int | float]
    inputs: list[ArtifactRef]
    outputs: list[ArtifactRef]
    notes: dict[str, str] = dataclasses.field(default_factory=dict)  # what the runners noted (_NOTES)

    @property
    def seconds(self) -> float:
        return (self.ended_ms - self.started_ms) / 1000

    def output(self, type_name: str) -> ArtifactRef | None:
        return next((a for a in self.outputs if a.type == type_name), None)

    def input(self, key: str) -> ArtifactRef | None:
        return next((a for a in self.inputs if a.key == key), None)


def _value(v: metadata_store_pb2.Value) -> str | int | float:
    kind = v.WhichOneof("value")
    if kind == "int_value":
        return v.int_value
    if kind == "double_value":
        return v.double_value
    if kind == "string_value":
        return v.string_value
    if kind == "bool_value":
        return int(v.bool_value)
    return str(getattr(v, kind)) if kind else ""


def _properties(item: metadata_store_pb2.Artifact | metadata_store_pb2.Execution) -> dict[str, str | int | float]:
    props = {k: _value(v) for k, v in item.properties.items()}
    props.update({k: _value(v) for k, v in item.custom_properties.items()})
    return props


def error_message(execution: metadata_store_pb2.Execution) -> str | None:
    """Why an execution failed: the local runner's note, or the last line of the error TFX recorded.

    TFX records an executor's error only when the executor reports it in its
    output; an exception raised by an in-process executor is not recorded, so
    the local runner adds the message it caught (``FAILURE_MESSAGE``).
    """
    note = execution.custom_properties.get(FAILURE_MESSAGE)
    if note is not None and note.string_value:
        return note.string_value
    signal_name = execution.custom_properties.get(INTERRUPTED_BY)
    if signal_name is not None and signal_name.string_value:
        return f"interrupted by {signal_name.string_value}"
    raw = execution.custom_properties.get(_EXECUTION_RESULT)
    if raw is None or not raw.string_value:
        return None
    try:
        message = json.loads(raw.string_value).get("resultMessage", "")
    except ValueError:
        return None
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return None
    # A traceback: the last line is "SomeError: message"; show the message.
    match = _EXCEPTION_LINE.match(lines[-1])
    return match.group(1) if match else lines[-1]


class Store:
    """Read-only views of one ML Metadata store."""

    def __init__(self, store: metadata_store.MetadataStore) -> None:
        self._store = store
        self._artifact_types = {t.id: t.name for t in store.get_artifact_types()}
        self._execution_types = {t.id: t.name for t in store.get_execution_types()}

    @classmethod
    def open(cls, metadata_path: Path) -> Store:
        return cls(open_store(metadata_path))

    @property
    def raw(self) -> metadata_store.MetadataStore:
        return self._store

    def runs(self, pipeline_name: str | None = None) -> list[tuple[str, metadata_store_pb2.Context]]:
        """(pipeline name, run context) of every run, oldest first."""
        out = []
        for run in self._store.get_contexts_by_type(RUN_CONTEXT):
            parents = [p.name for p in self._store.get_parent_contexts_by_context(run.id) if p.name]
            name = parents[0] if parents else ""
            if pipeline_name is None or name == pipeline_name:
                out.append((name, run))
        return sorted(out, key=lambda item: (item[1].create_time_since_epoch, item[1].id))

    @staticmethod
    def run_id(run: metadata_store_pb2.Context) -> str:
        """The orchestrator's id of a run: its ``pipeline_run`` context's name (the local runner's or Airflow's)."""
        return run.name

    def node_executions(self, pipeline_name: str, node_id: str) -> list[metadata_store_pb2.Execution]:
        """Every execution of one of the pipeline's nodes, in every run, oldest first."""
        found = {}
        for context in self._store.get_contexts_by_type(NODE_CONTEXT):
            if context.name == f"{pipeline_name}.{node_id}":
                found.update((e.id, e) for e in self._store.get_executions_by_context(context.id))
        return [found[i] for i in sorted(found)]

    def executions(self, run: metadata_store_pb2.Context) -> list[ExecutionRecord]:
        """The executions of a run, in the order they started, with their artifacts."""
        executions = sorted(self._store.get_executions_by_context(run.id), key=lambda e: e.id)
        return self.records(executions)

    def records(self, executions: Iterable[metadata_store_pb2.Execution]) -> list[ExecutionRecord]:
        executions = list(executions)
        if not executions:
            return []
        ids = [e.id for e in executions]
        events = self._store.get_events_by_execution_ids(ids)
        artifacts = {a.id: a for a in self._store.get_artifacts_by_id(list({e.artifact_id for e in events}))}
        refs: dict[int, tuple[list[ArtifactRef], list[ArtifactRef]]] = {i: ([], []) for i in ids}
        for event in sorted(events, key=lambda e: (e.execution_id, e.artifact_id)):
            artifact = artifacts.get(event.artifact_id)
            if artifact is None:
                continue
            key = next((s.key for s in event.path.steps if s.HasField("key")), "")
            ref = ArtifactRef(
                artifact.id, self._artifact_types.get(artifact.type_id, "?"), key, artifact.uri, _properties(artifact)
            )
            if event.type in _INPUT_EVENTS:
                refs[event.execution_id][0].append(ref)
            elif event.type in _OUTPUT_EVENTS:
                refs[event.execution_id][1].append(ref)
        return [
            ExecutionRecord(
                id=e.id,
                node_id=self._node_id(e),
                state=INTERRUPTED
                if INTERRUPTED_BY in e.custom_properties
                else _STATE_NAMES.get(e.last_known_state, "unknown"),
                started_ms=e.create_time_since_epoch,
                ended_ms=e.last_update_time_since_epoch,
                error=error_message(e),
                exec_properties={k: v for k, v in _properties(e).items() if not k.startswith("__") and k not in _NOTES},
                inputs=refs[e.id][0],
                outputs=refs[e.id][1],
                notes={k: v.string_value for k, v in e.custom_properties.items() if k in _NOTES},
            )
            for e in executions
        ]

    def _node_id(self, execution: metadata_store_pb2.Execution) -> str:
        for context in self._store.get_contexts_by_execution(execution.id):
            if context.type == NODE_CONTEXT:
                return context.name.split(".", 1)[-1]
        component = execution.properties.get(_COMPONENT_ID)
        if component is not None and component.string_value:
            return component.string_value
        return self._execution_types.get(execution.type_id, "?").rsplit(".", 1)[-1]

    def run_of(self, execution_id: int) -> str | None:
        """The id of the run an execution belongs to (``run_id`` of its run context)."""
        for context in self._store.get_contexts_by_execution(execution_id):
            if context.type == RUN_CONTEXT:
                return self.run_id(context)
        return None

    def artifacts_of_type(self, type_name: str) -> list[metadata_store_pb2.Artifact]:
        try:
            return list(self._store.get_artifacts_by_type(type_name))
        except Exception:  # noqa: BLE001 - an unknown type name raises NotFoundError: no such artifacts
            return []

    def producer(self, artifact_id: int) -> ExecutionRecord | None:
        """The execution that first output an artifact (a cached execution reuses, not produces, it)."""
        events = [e for e in self._store.get_events_by_artifact_ids([artifact_id]) if e.type in _OUTPUT_EVENTS]
        if not events:
            return None
        first = min(events, key=lambda e: e.execution_id)
        (execution,) = self._store.get_executions_by_id([first.execution_id])
        return self.records([execution])[0]
