"""The end-of-run summary, read from ML Metadata and the Evaluator's output.

``collect`` reads the store (ML Metadata needs no TensorFlow); the evaluation
numbers come from TFMA's files, loaded only when asked for.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

from components import artifact_properties, features
from components.evaluation import ACCURACY_METRIC
from pipeline.config import PipelineConfig

if TYPE_CHECKING:  # TFMA's protos import TensorFlow; the annotations alone do not need it.
    from tensorflow_model_analysis.proto import metrics_for_slice_pb2, validation_result_pb2

_RUN_CONTEXT = "pipeline_run"
_NODE_CONTEXT = "node"
_STATE_NAMES = {
    metadata_store_pb2.Execution.COMPLETE: "done",
    metadata_store_pb2.Execution.CACHED: "cached",
    metadata_store_pb2.Execution.FAILED: "failed",
    metadata_store_pb2.Execution.RUNNING: "running",
}


@dataclasses.dataclass(frozen=True)
class NodeRun:
    node_id: str
    state: str
    seconds: float


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """What the Evaluator decided, and why."""

    accuracy: float | None
    class_accuracy: dict[int, float]
    baseline_accuracy: float | None
    blessed: bool
    failures: list[str]


@dataclasses.dataclass(frozen=True)
class RunSummary:
    run_id: str
    nodes: list[NodeRun]
    evaluation: Evaluation | None
    pushed_path: str | None
    already_served_version: int | None
    canary_problems: str | None = None


def open_store(metadata_path: Path) -> metadata_store.MetadataStore:
    """Opens an existing SQLite ML Metadata store read-only."""
    if not metadata_path.is_file():
        raise FileNotFoundError(f"{metadata_path}: no ML Metadata store (has the pipeline run here?)")
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(metadata_path)
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READONLY
    return metadata_store.MetadataStore(config)


def pipeline_runs(store: metadata_store.MetadataStore, pipeline_name: str) -> list[metadata_store_pb2.Context]:
    """The pipeline_run contexts of ``pipeline_name``, oldest first."""
    runs = [
        run
        for run in store.get_contexts_by_type(_RUN_CONTEXT)
        if any(p.name == pipeline_name for p in store.get_parent_contexts_by_context(run.id))
    ]
    return sorted(runs, key=lambda r: (r.create_time_since_epoch, r.id))


def node_runs(store: metadata_store.MetadataStore, run: metadata_store_pb2.Context) -> list[NodeRun]:
    """Each execution of a run: its node id, state and duration, in execution order."""
    nodes = []
    for execution in sorted(store.get_executions_by_context(run.id), key=lambda e: e.id):
        node = next(
            (
                c.name.split(".", 1)[-1]
                for c in store.get_contexts_by_execution(execution.id)
                if c.type == _NODE_CONTEXT
            ),
            str(execution.type),
        )
        seconds = (execution.last_update_time_since_epoch - execution.create_time_since_epoch) / 1000
        nodes.append(NodeRun(node, _STATE_NAMES.get(execution.last_known_state, "unknown"), seconds))
    return nodes


def run_artifacts(
    store: metadata_store.MetadataStore, run: metadata_store_pb2.Context
) -> dict[str, metadata_store_pb2.Artifact]:
    """The artifacts a run used or produced, by type name (the newest of each type)."""
    types = {t.id: t.name for t in store.get_artifact_types()}
    return {types[a.type_id]: a for a in sorted(store.get_artifacts_by_context(run.id), key=lambda a: a.id)}


def collect(config: PipelineConfig) -> RunSummary:
    """Summarizes the newest run of the configured pipeline."""
    store = open_store(config.metadata_path)
    runs = pipeline_runs(store, config.model_name)
    if not runs:
        raise LookupError(f"{config.metadata_path}: no run of pipeline {config.model_name}")
    run = runs[-1]
    nodes = node_runs(store, run)
    artifacts_by_type = run_artifacts(store, run)

    evaluation = None
    if "ModelEvaluation" in artifacts_by_type and "ModelBlessing" in artifacts_by_type:
        blessing = artifacts_by_type["ModelBlessing"]
        evaluation = load_evaluation(
            artifacts_by_type["ModelEvaluation"].uri,
            blessed=blessing.custom_properties["blessed"].int_value == 1,
        )
    pushed = artifacts_by_type.get("PushedModel")
    pushed_path = already = None
    if pushed is not None:
        props = pushed.custom_properties
        if props.get("pushed") and props["pushed"].int_value == 1:
            pushed_path = props["pushed_destination"].string_value
        if artifact_properties.ALREADY_SERVED_VERSION in props:
            already = props[artifact_properties.ALREADY_SERVED_VERSION].int_value
    canary = artifacts_by_type.get("InfraBlessing")
    problems = None
    if canary is not None and canary.custom_properties["blessed"].int_value != 1:
        problems = canary.custom_properties[artifact_properties.CANARY_PROBLEMS].string_value or "unknown"
    return RunSummary(run.name, nodes, evaluation, pushed_path, already, problems)


def load_evaluation(evaluation_uri: str, *, blessed: bool) -> Evaluation:
    """Reads TFMA's metrics and validation result (imports TFMA, hence TensorFlow)."""
    import tensorflow_model_analysis as tfma

    accuracy = baseline = None
    class_accuracy: dict[int, float] = {}
    for metrics in tfma.load_metrics(evaluation_uri):
        slices = list(metrics.slice_key.single_slice_keys)
        for kv in metrics.metric_keys_and_values:
            if kv.key.name != ACCURACY_METRIC or kv.key.is_diff:
                continue
            value = kv.value.double_value.value
            is_baseline = kv.key.model_name == "baseline"
            if not slices:
                if is_baseline:
                    baseline = value
                else:
                    accuracy = value
            elif slices[0].column == features.LABEL_KEY and not is_baseline:
                class_accuracy[int(slices[0].int64_value)] = value
    failures = []
    validation = tfma.load_validation_result(evaluation_uri)
    for per_slice in validation.metric_validations_per_slice:
        where = _slice_name(per_slice.slice_key)
        for failure in per_slice.failures:
            failures.append(f"{where}: {failure.metric_key.name} {_threshold_text(failure)}")
    return Evaluation(accuracy, class_accuracy, baseline, blessed, failures)


def _slice_name(slice_key: metrics_for_slice_pb2.SliceKey) -> str:
    keys = list(slice_key.single_slice_keys)
    if not keys:
        return "overall"
    key = keys[0]
    if key.column == features.LABEL_KEY:
        return f"class {features.CLASS_NAMES[key.int64_value]}"
    return f"{key.column}={key.int64_value or key.bytes_value or key.float_value}"


def _threshold_text(failure: validation_result_pb2.ValidationFailure) -> str:
    value = failure.metric_value.double_value.value
    threshold = failure.metric_threshold
    if failure.message and not failure.HasField("metric_value"):
        return failure.message
    if threshold.HasField("value_threshold"):
        return f"{value:.4f} is below the floor {threshold.value_threshold.lower_bound.value:.4f}"
    if threshold.HasField("change_threshold"):
        return f"fell by {-value:.4f} against the baseline model"
    return failure.message or "failed its threshold"


def format_summary(summary: RunSummary, *, wall_seconds: float) -> list[str]:
    """The lines printed after the per-component lines."""
    cached = sum(1 for n in summary.nodes if n.state == "cached")
    lines = [f"run {summary.run_id}: {len(summary.nodes)} components, {cached} cached, {wall_seconds:.1f} s wall"]
    ev = summary.evaluation
    if ev is not None:
        acc = f"{ev.accuracy:.4f}" if ev.accuracy is not None else "n/a"
        base = f"{ev.baseline_accuracy:.4f}" if ev.baseline_accuracy is not None else "none yet"
        lines.append(f"test accuracy {acc} (baseline model: {base})")
        if ev.class_accuracy:
            per_class = sorted(ev.class_accuracy.items())
            lines.append("per class: " + ", ".join(f"{features.CLASS_NAMES[c]} {a:.3f}" for c, a in per_class))
        if ev.blessed:
            lines.append("model BLESSED")
        else:
            lines.append("model NOT BLESSED: " + ("; ".join(ev.failures) or "see the Evaluator's output"))
    if summary.canary_problems:
        lines.append(f"serving canary FAILED: {summary.canary_problems}")
    if summary.pushed_path:
        lines.append(f"pushed: {summary.pushed_path}")
    elif summary.already_served_version is not None:
        lines.append(f"nothing pushed: this model is already served as version {summary.already_served_version}")
    else:
        lines.append("nothing pushed")
    return lines
