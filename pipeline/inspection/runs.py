"""What each run did and produced: the answers behind ``make inspect``, the run summary and the report."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path
from typing import Any

from components import features, properties
from components.anomaly_gate import checks
from components.records import evaluation_results as evaluation_lib
from pipeline import nodes
from pipeline.inspection.store import ArtifactRef, ExecutionRecord, Store

# Outcomes of a run.
PUSHED = "pushed"
ALREADY_SERVED = "already served"
NOT_BLESSED = "not blessed"
CANARY_FAILED = "canary failed"
STOPPED_BY_GATE = "stopped by the data gate"
FAILED = "failed"
INCOMPLETE = "incomplete"
NOT_PUSHED = "not pushed"


class UnknownRunError(LookupError):
    """No run, or no pushed version, matches what was asked for."""


@dataclasses.dataclass(frozen=True)
class NodeRun:
    node_id: str
    execution_id: int
    state: str
    seconds: float
    error: str | None


@dataclasses.dataclass(frozen=True)
class RunOverview:
    pipeline: str
    run_id: str
    started: str  # ISO 8601, UTC
    seconds: float
    outcome: str
    reason: str
    nodes: list[NodeRun]


@dataclasses.dataclass(frozen=True)
class SplitData:
    """One split, as ingestion and TFDV saw it."""

    name: str
    count: int | None
    pixel_min: int | None
    pixel_max: int | None
    pixel_mean: float | None
    pixel_std: float | None
    pixel_histogram: list[int]
    label_counts: list[int]
    image_bytes_min: float | None
    image_bytes_max: float | None


@dataclasses.dataclass(frozen=True)
class Decision:
    """The Evaluator's and the canary's verdicts and what the Pusher did."""

    blessed: bool | None
    reason: str
    baseline_model_uri: str | None
    canary_ok: bool | None
    pushed_version: int | None
    pushed_path: str | None


@dataclasses.dataclass(frozen=True)
class RunDetails:
    overview: RunOverview
    artifacts: list[dict[str, Any]]
    splits: list[SplitData]
    schema: list[str]
    anomalies: list[str]
    evaluation: evaluation_lib.Evaluation | None
    decision: Decision
    training_history: dict[str, list[float]]
    model_run_dir: str | None


def _iso(ms: int) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc).isoformat(timespec="seconds")


def _by_node(executions: list[ExecutionRecord]) -> dict[str, ExecutionRecord]:
    """The last execution of each node (a node runs once per run; retries would come later)."""
    return {e.node_id: e for e in executions}


def outcome(executions: list[ExecutionRecord], evaluation: evaluation_lib.Evaluation | None = None) -> tuple[str, str]:
    """(outcome, reason) of a run from its executions; ``evaluation``, when already read, is not read again."""
    failed = [e for e in executions if e.state == "failed"]
    if failed:
        node = failed[0]
        if node.node_id == nodes.DATA_GATE:
            return STOPPED_BY_GATE, node.error or gate_reason(node)
        return FAILED, f"{node.node_id}: {node.error or 'failed (no message recorded; see the logs of the run)'}"
    by_node = _by_node(executions)
    if any(e.state in ("running", "new") for e in executions) or nodes.PUSHER not in by_node:
        running = [e.node_id for e in executions if e.state in ("running", "new")]
        where = f"{running[0]} never finished" if running else "the run stopped before the Pusher"
        return INCOMPLETE, f"{where} (killed, or still running)"
    pushed = by_node[nodes.PUSHER].output("PushedModel")
    props = pushed.properties if pushed else {}
    if props.get("pushed") == 1 and by_node[nodes.PUSHER].state == "cached":
        # The Pusher reused an earlier run's push: this run pushed nothing.
        return ALREADY_SERVED, f"nothing changed: this model is already served as version {props.get('pushed_version')}"
    if props.get("pushed") == 1:
        return PUSHED, f"version {props.get('pushed_version')} at {props.get('pushed_destination')}"
    if properties.ALREADY_SERVED_VERSION in props:
        return (
            ALREADY_SERVED,
            f"this model is already served as version {props[properties.ALREADY_SERVED_VERSION]}",
        )
    blessing = by_node.get(nodes.EVALUATOR) and by_node[nodes.EVALUATOR].output("ModelBlessing")
    if blessing and blessing.properties.get("blessed") == 0:
        return NOT_BLESSED, _evaluation_reason(by_node[nodes.EVALUATOR], evaluation)
    canary = by_node.get(nodes.CANARY) and by_node[nodes.CANARY].output("InfraBlessing")
    if canary and canary.properties.get("blessed") == 0:
        return CANARY_FAILED, str(canary.properties.get(properties.CANARY_PROBLEMS, "unknown problem"))
    return NOT_PUSHED, "the Pusher pushed nothing"


def gate_reason(gate: ExecutionRecord) -> str:
    """Why the data gate stopped a run, decided again from the inputs it saw (the same checks)."""
    anomalies = gate.input("anomalies")
    statistics = gate.input("statistics")
    if anomalies is None:
        return "the data gate failed (its inputs are not recorded)"
    lines = checks.problems(
        checks.read_anomalies(anomalies.uri), checks.read_statistics(statistics.uri) if statistics is not None else {}
    )
    return checks.stop_message(lines) if lines else "the data gate failed, though its inputs show no anomaly"


def _evaluation_reason(evaluator: ExecutionRecord, ev: evaluation_lib.Evaluation | None) -> str:
    if ev is None:
        evaluation_ref = evaluator.output("ModelEvaluation")
        if evaluation_ref is None:
            return "no evaluation output"
        try:
            ev = evaluation_lib.read_evaluation(evaluation_ref.uri)
        except (OSError, ValueError) as e:
            return f"evaluation unreadable: {e}"
    return "; ".join(ev.failures) or "the Evaluator did not bless the model"


def overview(
    pipeline: str,
    run_id: str,
    executions: list[ExecutionRecord],
    evaluation: evaluation_lib.Evaluation | None = None,
) -> RunOverview:
    if executions:
        start = min(e.started_ms for e in executions)
        end = max(e.ended_ms for e in executions)
    else:
        start = end = 0
    result, reason = outcome(executions, evaluation)
    node_runs = [NodeRun(e.node_id, e.id, e.state, e.seconds, e.error) for e in executions]
    return RunOverview(pipeline, run_id, _iso(start), (end - start) / 1000, result, reason, node_runs)


def list_runs(store: Store, pipeline: str | None = None) -> list[RunOverview]:
    """Every run, newest first."""
    return [overview(name, run.name, store.executions(run)) for name, run in reversed(store.runs(pipeline))]


def find_run(store: Store, run_id: str | None, pipeline: str | None = None) -> tuple[str, Any]:
    """(pipeline, run context) of ``run_id`` (an exact id or a unique prefix), or of the latest run."""
    runs = store.runs(pipeline)
    if not runs:
        raise UnknownRunError("no run recorded yet: run the pipeline first (make run-pipeline)")
    if run_id in (None, "", "latest"):
        return runs[-1]
    exact = [r for r in runs if r[1].name == run_id]
    matches = exact or [r for r in runs if r[1].name.startswith(run_id)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UnknownRunError(f"no run {run_id!r}; `inspect runs` lists them")
    raise UnknownRunError(f"{run_id!r} matches {len(matches)} runs; give more of the run id")


def _split_data(example_gen: ExecutionRecord | None, statistics_gen: ExecutionRecord | None) -> list[SplitData]:
    summaries: dict[str, dict[str, Any]] = {}
    examples = example_gen.output("Examples") if example_gen else None
    if examples is not None and properties.SPLIT_SUMMARY in examples.properties:
        summaries = json.loads(str(examples.properties[properties.SPLIT_SUMMARY]))
    tfdv: dict[str, dict[str, Any]] = {}
    statistics = statistics_gen.output("ExampleStatistics") if statistics_gen else None
    if statistics is not None:
        tfdv = tfdv_summary(Path(statistics.uri))
    out = []
    for split in features.SPLITS:
        s, t = summaries.get(split, {}), tfdv.get(split, {})
        if not s and not t:
            continue
        out.append(
            SplitData(
                name=split,
                count=s.get("count", t.get("count")),
                pixel_min=s.get("pixel_min"),
                pixel_max=s.get("pixel_max"),
                pixel_mean=s.get("pixel_mean"),
                pixel_std=s.get("pixel_std"),
                pixel_histogram=s.get("pixel_histogram", []),
                label_counts=t.get("label_counts") or s.get("label_counts", []),
                image_bytes_min=t.get("image_bytes_min"),
                image_bytes_max=t.get("image_bytes_max"),
            )
        )
    return out


def tfdv_summary(statistics_uri: Path) -> dict[str, dict[str, Any]]:
    """Per split: example count, image size range in bytes and examples per class, from TFDV's statistics."""
    from tensorflow_metadata.proto.v0 import statistics_pb2

    out: dict[str, dict[str, Any]] = {}
    for path in sorted(statistics_uri.glob("Split-*/FeatureStats.pb")):
        stats = statistics_pb2.DatasetFeatureStatisticsList()
        stats.ParseFromString(path.read_bytes())
        if not stats.datasets:
            continue
        dataset = stats.datasets[0]
        summary: dict[str, Any] = {"count": int(dataset.num_examples)}
        for feature in dataset.features:
            name = ".".join(feature.path.step) or feature.name
            if name == features.IMAGE_KEY and feature.HasField("bytes_stats"):
                summary["image_bytes_min"] = feature.bytes_stats.min_num_bytes
                summary["image_bytes_max"] = feature.bytes_stats.max_num_bytes
            elif name == features.LABEL_KEY and feature.HasField("string_stats"):
                counts = [0] * features.NUM_CLASSES
                for bucket in feature.string_stats.rank_histogram.buckets:
                    if bucket.label.isdigit() and int(bucket.label) < features.NUM_CLASSES:
                        counts[int(bucket.label)] = int(bucket.sample_count)
                summary["label_counts"] = counts
        out[path.parent.name.removeprefix("Split-")] = summary
    return out


def schema_lines(schema_uri: Path) -> list[str]:
    """One line per feature of the schema in use."""
    from google.protobuf import text_format
    from tensorflow_metadata.proto.v0 import schema_pb2

    path = schema_uri / "schema.pbtxt"
    if not path.is_file():
        return []
    schema = text_format.Parse(path.read_text(), schema_pb2.Schema())
    lines = []
    for feature in schema.feature:
        kind = schema_pb2.FeatureType.Name(feature.type)
        domain = feature.WhichOneof("domain_info")
        detail = ""
        if domain == "int_domain":
            d = feature.int_domain
            detail = f" in [{d.min}, {d.max}]" + (", categorical" if d.is_categorical else "")
        elif domain == "image_domain":
            detail = f" image, at most {feature.image_domain.max_image_byte_size} bytes"
        envs = f" (not in {', '.join(feature.not_in_environment)})" if feature.not_in_environment else ""
        lines.append(
            f"{feature.name}: {kind}{detail}, required in {feature.presence.min_fraction:.0%} of examples{envs}"
        )
    return lines


def anomaly_lines(anomalies_uri: Path) -> list[str]:
    """The anomalies ExampleValidator found, one line each, per split."""
    from tensorflow_metadata.proto.v0 import anomalies_pb2

    lines = []
    for path in sorted(anomalies_uri.glob("Split-*/SchemaDiff.pb")):
        anomalies = anomalies_pb2.Anomalies()
        anomalies.ParseFromString(path.read_bytes())
        split = path.parent.name.removeprefix("Split-")
        for name, info in sorted(anomalies.anomaly_info.items()):
            description = info.description or "; ".join(r.description for r in info.reason)
            lines.append(f"{split}: {name}: {description}")
        if anomalies.HasField("dataset_anomaly_info"):
            lines.append(f"{split}: dataset: {anomalies.dataset_anomaly_info.description}")
    return lines


def _artifact_rows(executions: list[ExecutionRecord]) -> list[dict[str, Any]]:
    rows = []
    for e in executions:
        for a in e.outputs:
            rows.append({"node": e.node_id, "key": a.key, "type": a.type, "id": a.id, "uri": a.uri, "state": e.state})
    return rows


def _history(model_run_uri: str | None) -> dict[str, list[float]]:
    if not model_run_uri:
        return {}
    path = Path(model_run_uri) / "history.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def details(store: Store, run_id: str | None = None, pipeline: str | None = None) -> RunDetails:
    """Everything ``inspect show`` prints about one run (default: the latest)."""
    name, run = find_run(store, run_id, pipeline)
    executions = store.executions(run)
    by_node = _by_node(executions)

    evaluator = by_node.get(nodes.EVALUATOR)
    evaluation_ref = evaluator.output("ModelEvaluation") if evaluator else None
    evaluation = None
    if evaluation_ref is not None and Path(evaluation_ref.uri).is_dir():
        try:
            evaluation = evaluation_lib.read_evaluation(evaluation_ref.uri)
        except FileNotFoundError:
            evaluation = None
    view = overview(name, run.name, executions, evaluation)

    schema_ref = by_node.get(nodes.SCHEMA_GEN) and by_node[nodes.SCHEMA_GEN].output("Schema")
    anomalies_ref = by_node.get(nodes.EXAMPLE_VALIDATOR) and by_node[nodes.EXAMPLE_VALIDATOR].output("ExampleAnomalies")
    anomalies = anomaly_lines(Path(anomalies_ref.uri)) if anomalies_ref else []
    if view.outcome == STOPPED_BY_GATE:  # the reason outcome() worked out, not the gate's checks run again
        anomalies.append(f"data gate: {view.reason}")
    decision = _decision(by_node, evaluation, view)

    trainer = by_node.get(nodes.TRAINER)
    model_run = trainer.output("ModelRun") if trainer else None
    return RunDetails(
        overview=view,
        artifacts=_artifact_rows(executions),
        splits=_split_data(by_node.get(nodes.EXAMPLE_GEN), by_node.get(nodes.STATISTICS_GEN)),
        schema=schema_lines(Path(schema_ref.uri)) if schema_ref else [],
        anomalies=anomalies,
        evaluation=evaluation,
        decision=decision,
        training_history=_history(model_run.uri if model_run else None),
        model_run_dir=model_run.uri if model_run else None,
    )


def _decision(
    by_node: dict[str, ExecutionRecord], evaluation: evaluation_lib.Evaluation | None, view: RunOverview
) -> Decision:
    blessing = by_node.get(nodes.EVALUATOR) and by_node[nodes.EVALUATOR].output("ModelBlessing")
    blessed = None if not blessing else blessing.properties.get("blessed") == 1
    if blessed is None:
        reason = view.reason if view.outcome in (STOPPED_BY_GATE, FAILED, INCOMPLETE) else "no evaluation"
    elif blessed:
        reason = "every threshold held" + (
            ""
            if evaluation is None or evaluation.baseline_accuracy is not None
            else " (no baseline model yet: first blessed model)"
        )
    else:
        reason = "; ".join(evaluation.failures) if evaluation and evaluation.failures else "a threshold failed"
    canary = by_node.get(nodes.CANARY) and by_node[nodes.CANARY].output("InfraBlessing")
    pushed = by_node.get(nodes.PUSHER) and by_node[nodes.PUSHER].output("PushedModel")
    props = pushed.properties if pushed else {}
    version = props.get("pushed_version") or props.get(properties.ALREADY_SERVED_VERSION)
    return Decision(
        blessed=blessed,
        reason=reason,
        baseline_model_uri=str(blessing.properties["baseline_model"])
        if blessing and "baseline_model" in blessing.properties
        else None,
        canary_ok=None if not canary else canary.properties.get("blessed") == 1,
        pushed_version=int(version) if version else None,
        pushed_path=str(props["pushed_destination"]) if view.outcome == PUSHED else None,
    )


# --- lineage ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LineageStep:
    node_id: str
    execution_id: int
    run_id: str | None
    state: str
    inputs: list[ArtifactRef]
    outputs: list[ArtifactRef]
    exec_properties: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Lineage:
    version: int
    path: str
    steps: list[LineageStep]  # from the Pusher back to ingestion
    raw_files: dict[str, str]  # file name -> SHA-256 of its decompressed content
    input_base: str | None
    provenance: dict[str, Any]  # run id, code version and config, as the Pusher recorded them


def find_pushed(store: Store, version: int | str) -> ArtifactRef:
    """The PushedModel artifact of a served version."""
    for artifact in store.artifacts_of_type("PushedModel"):
        props = artifact.custom_properties
        if (
            "pushed_version" in props
            and props["pushed_version"].string_value == str(version)
            and props["pushed"].int_value == 1
        ):
            producer = store.producer(artifact.id)
            if producer is not None:
                ref = producer.output("PushedModel")
                if ref is not None:
                    return ref
    raise UnknownRunError(f"no pushed model version {version} in this store; `inspect runs` lists what was pushed")


def lineage(store: Store, version: int | str) -> Lineage:
    """From a pushed version back through every execution that led to it."""
    pushed = find_pushed(store, version)
    steps: list[LineageStep] = []
    seen_executions: set[int] = set()
    frontier = [pushed.id]
    seen_artifacts: set[int] = set()
    while frontier:
        artifact_id = frontier.pop(0)
        if artifact_id in seen_artifacts:
            continue
        seen_artifacts.add(artifact_id)
        producer = store.producer(artifact_id)
        if producer is None or producer.id in seen_executions:
            continue
        seen_executions.add(producer.id)
        steps.append(
            LineageStep(
                producer.node_id,
                producer.id,
                store.run_of(producer.id),
                producer.state,
                producer.inputs,
                producer.outputs,
                producer.exec_properties,
            )
        )
        # The baseline model is an input of the Evaluator, not an ancestor of this model.
        frontier.extend(a.id for a in producer.inputs if a.key != "baseline_model")
    steps.sort(key=lambda step: -step.execution_id)
    ingestion = next((s for s in steps if s.node_id == nodes.EXAMPLE_GEN), None)
    raw_files: dict[str, str] = {}
    input_base = None
    if ingestion is not None:
        raw_files = json.loads(str(ingestion.exec_properties.get("input_sha256", "{}")))
        input_base = str(ingestion.exec_properties.get("input_base", "")) or None
    pusher = steps[0]
    provenance = json.loads(str(pusher.exec_properties.get("provenance", "{}")))
    provenance.setdefault("run_id", pusher.run_id)
    return Lineage(
        int(version), str(pushed.properties.get("pushed_destination", "")), steps, raw_files, input_base, provenance
    )


def to_json(value: Any) -> Any:
    """Dataclasses -> plain JSON values."""
    if dataclasses.is_dataclass(value):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value
