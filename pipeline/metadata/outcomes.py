"""How a run ended: the outcome vocabulary and ``outcome()``, which decides it and says why."""

from __future__ import annotations

from components.anomaly_gate import checks
from components.contract import artifact_types, keys, properties
from components.records import evaluation_results as evaluation_lib
from pipeline import node_ids
from pipeline.metadata import drift, outputs, store
from pipeline.metadata.store import ExecutionRecord

# Outcomes of a run.
PUSHED = "pushed"
ALREADY_SERVED = "already served"
NOT_BLESSED = "not blessed"
CANARY_FAILED = "canary failed"
STOPPED_BY_GATE = "stopped by the data gate"
STOPPED_BY_DRIFT = "stopped by the drift gate"
FAILED = "failed"
INTERRUPTED = "interrupted"
INCOMPLETE = "incomplete"
NOT_PUSHED = "not pushed"
# The outcomes of a run that stopped before its Pusher.
STOPPED = (STOPPED_BY_GATE, STOPPED_BY_DRIFT, FAILED, INTERRUPTED, INCOMPLETE)


def outcome(executions: list[ExecutionRecord], evaluation: evaluation_lib.Evaluation | None = None) -> tuple[str, str]:
    """(outcome, reason) of a run from its executions; ``evaluation``, when already read, is not read again."""
    failed = [e for e in executions if e.state == "failed"]
    if failed:
        node = failed[0]
        if node.node_id == node_ids.DATA_GATE:
            return STOPPED_BY_GATE, node.error or gate_reason(node)
        if node.node_id == node_ids.DRIFT_GATE:
            # A drift stop when the figures the gate was given drifted; the gate failing otherwise is a failure.
            drifted = drift.stop_message(drift.measure_again(node))
            if drifted is not None:
                return STOPPED_BY_DRIFT, node.error or drifted
        return FAILED, f"{node.node_id}: {node.error or 'failed (no message recorded; see the logs of the run)'}"
    interrupted = [e for e in executions if e.state == store.INTERRUPTED]
    if interrupted:
        node = interrupted[0]
        return INTERRUPTED, f"{node.node_id} was {node.error}; a rerun resumes from the cached components"
    by_node = outputs.by_node(executions)
    if any(e.state in ("running", "new") for e in executions) or node_ids.PUSHER not in by_node:
        running = [e.node_id for e in executions if e.state in ("running", "new")]
        where = f"{running[0]} never finished" if running else "the run stopped before the Pusher"
        return INCOMPLETE, f"{where} (killed, or still running)"
    pushed = outputs.output(by_node, node_ids.PUSHER, artifact_types.PUSHED_MODEL)
    props = pushed.properties if pushed else {}
    if props.get(properties.PUSHED) == 1 and by_node[node_ids.PUSHER].state == "cached":
        # The Pusher reused an earlier run's push: this run pushed nothing.
        return (
            ALREADY_SERVED,
            f"nothing changed: this model is already served as version {props.get(properties.PUSHED_VERSION)}",
        )
    if props.get(properties.PUSHED) == 1:
        return (
            PUSHED,
            f"version {props.get(properties.PUSHED_VERSION)} at {props.get(properties.PUSHED_DESTINATION)}",
        )
    if properties.ALREADY_SERVED_VERSION in props:
        return (
            ALREADY_SERVED,
            f"this model is already served as version {props[properties.ALREADY_SERVED_VERSION]}",
        )
    blessing = outputs.output(by_node, node_ids.EVALUATOR, artifact_types.MODEL_BLESSING)
    if blessing and blessing.properties.get(properties.BLESSED) == 0:
        return NOT_BLESSED, _evaluation_reason(by_node[node_ids.EVALUATOR], evaluation)
    canary = outputs.output(by_node, node_ids.CANARY, artifact_types.INFRA_BLESSING)
    if canary and canary.properties.get(properties.BLESSED) == 0:
        return CANARY_FAILED, str(canary.properties.get(properties.CANARY_PROBLEMS, "unknown problem"))
    return NOT_PUSHED, "the Pusher pushed nothing"


def gate_reason(gate: ExecutionRecord) -> str:
    """Why the data gate stopped a run, decided again from the inputs it saw (the same checks)."""
    anomalies = [a for a in gate.inputs if a.key == keys.ANOMALIES_KEY]
    statistics = [a for a in gate.inputs if a.key == keys.STATISTICS_KEY]
    if not anomalies:
        return "the data gate failed (its inputs are not recorded)"
    lines = checks.problems(
        outputs.by_split(anomalies, checks.read_anomalies), outputs.by_split(statistics, checks.read_statistics)
    )
    return checks.stop_message(lines) if lines else "the data gate failed, though its inputs show no anomaly"


def _evaluation_reason(evaluator: ExecutionRecord, ev: evaluation_lib.Evaluation | None) -> str:
    if ev is None:
        evaluation_ref = evaluator.output(artifact_types.MODEL_EVALUATION)
        if evaluation_ref is None:
            return "no evaluation output"
        try:
            ev = evaluation_lib.read_evaluation(evaluation_ref.uri)
        except (OSError, ValueError) as e:
            return f"evaluation unreadable: {e}"
    return "; ".join(ev.failures) or "the Evaluator did not bless the model"
