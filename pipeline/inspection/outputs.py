"""The artifacts the readers look for: their type names, and one node's output of a type in a run.

The type names are TFX's (``standard_artifacts``) and this project's components'; they are
spelled here, once, because the readers must not import TFX to look them up.
"""

from __future__ import annotations

from components import properties
from pipeline.inspection.store import ArtifactRef, ExecutionRecord

EXAMPLES = "Examples"
EXAMPLE_STATISTICS = "ExampleStatistics"
SCHEMA = "Schema"
EXAMPLE_ANOMALIES = "ExampleAnomalies"
MODEL_RUN = "ModelRun"
MODEL_EVALUATION = "ModelEvaluation"
MODEL_BLESSING = "ModelBlessing"
INFRA_BLESSING = "InfraBlessing"
PUSHED_MODEL = "PushedModel"
MODEL = "Model"
DRIFT_REPORT = properties.DRIFT_REPORT_TYPE  # components/artifact_types.DriftReport
# TFX's properties of an Examples artifact: its span and version (the test set's has neither).
SPAN = "span"
VERSION = "version"


def by_node(executions: list[ExecutionRecord]) -> dict[str, ExecutionRecord]:
    """The last execution of each node (a node runs once per run; retries would come later)."""
    return {e.node_id: e for e in executions}


def output(executions: dict[str, ExecutionRecord], node_id: str, type_name: str) -> ArtifactRef | None:
    """The output of type ``type_name`` of node ``node_id``; None when the node did not run or output none."""
    execution = executions.get(node_id)
    return execution.output(type_name) if execution is not None else None


def outputs_of(executions: dict[str, ExecutionRecord], node_id: str, type_name: str) -> list[ArtifactRef]:
    """Every output of type ``type_name`` of node ``node_id`` (a node outputs one per span); [] when none."""
    execution = executions.get(node_id)
    return [a for a in execution.outputs if a.type == type_name] if execution is not None else []
