"""What a run did with its on-device (TFLite) model: the conversion, the Evaluator's and the canary's verdicts and
the push, read from ML Metadata and the artifacts' files (no TensorFlow)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from components.contract import artifact_types, files, properties
from components.records import evaluation_results as evaluation_lib
from pipeline import node_ids
from pipeline.metadata import outputs
from pipeline.metadata.store import ExecutionRecord


@dataclasses.dataclass(frozen=True)
class OnDevice:
    """The on-device model of one run.

    Attributes:
      quantization: what shipped (components/lite_conversion/choice.py).
      size_bytes, float_size_bytes: its flatbuffer's size, and the float model's.
      accuracy: TFMA's test accuracy of it; ``saved_model_accuracy`` the SavedModel's in the same run.
      blessed: the on-device Evaluator's verdict (None: it did not run); ``failures`` its failed thresholds.
      canary_problems: what the lite canary found wrong (None: nothing, or it did not run).
      pushed_path: where this run pushed it; ``served_version`` the version that serves it (pushed now or before).
      conversion: the conversion's report (every candidate), when readable.
    """

    quantization: str | None
    size_bytes: int | None
    float_size_bytes: int | None
    accuracy: float | None
    saved_model_accuracy: float | None
    blessed: bool | None
    failures: list[str]
    canary_problems: str | None
    pushed_path: str | None
    served_version: int | None
    conversion: dict | None

    def lines(self) -> list[str]:
        """The run summary's lines about it."""
        if self.quantization is None:
            return []
        size = f"{self.size_bytes / 1024:,.1f} KB" if self.size_bytes else "size unknown"
        if self.size_bytes and self.float_size_bytes:
            size += f", {self.size_bytes / self.float_size_bytes:.2f} of the float model's"
        accuracy = ""
        if self.accuracy is not None:
            accuracy = f", test accuracy {self.accuracy:.4f}"
            if self.saved_model_accuracy is not None:
                accuracy += f" (SavedModel {self.saved_model_accuracy:.4f})"
        lines = [f"on-device model: {self.quantization} TFLite, {size}{accuracy}"]
        if self.blessed is False:
            lines.append("on-device model NOT BLESSED: " + ("; ".join(self.failures) or "see its Evaluator's output"))
        if self.canary_problems:
            lines.append(f"on-device canary FAILED: {self.canary_problems}")
        if self.pushed_path:
            lines.append(f"pushed on-device model: {Path(self.pushed_path) / files.PUSHED_TFLITE_FILE}")
        elif self.served_version is not None:
            lines.append(f"on-device model already served as version {self.served_version}")
        else:
            lines.append("on-device model not pushed")
        return lines

    def details(self) -> list[str]:
        """``make inspect show``'s lines: the summary's, then every candidate the conversion measured."""
        lines = self.lines()
        for c in (self.conversion or {}).get("candidates", []):
            shortfall = f": {c['problem']}" if c.get("problem") else ""
            lines.append(
                f"candidate {c['quantization']}: {c['size_bytes'] / 1024:,.1f} KB, eval accuracy {c['accuracy']:.4f}, "
                f"agrees with the SavedModel on {c['agreement']:.2%}{shortfall}"
            )
        return lines


def _evaluation(by_node: dict[str, ExecutionRecord], node: str) -> evaluation_lib.Evaluation | None:
    ref = outputs.output(by_node, node, artifact_types.MODEL_EVALUATION)
    if ref is None or not Path(ref.uri).is_dir():
        return None
    try:
        return evaluation_lib.read_evaluation(ref.uri)
    except (OSError, ValueError):
        return None


def _conversion(model_uri: str) -> dict | None:
    try:
        return json.loads((Path(model_uri) / files.CONVERSION_REPORT_FILE).read_text())
    except (OSError, ValueError):
        return None


def on_device(executions: list[ExecutionRecord]) -> OnDevice | None:
    """The run's on-device model; None when the run made none (it stopped before, or predates it)."""
    by_node = outputs.by_node(executions)
    model = outputs.output(by_node, node_ids.LITE_CONVERTER, artifact_types.MODEL)
    if model is None:
        return None
    conversion = _conversion(model.uri)
    evaluation = _evaluation(by_node, node_ids.LITE_EVALUATOR)
    saved_model_evaluation = _evaluation(by_node, node_ids.EVALUATOR)
    blessing = outputs.output(by_node, node_ids.LITE_EVALUATOR, artifact_types.MODEL_BLESSING)
    canary = outputs.output(by_node, node_ids.LITE_CANARY, artifact_types.INFRA_BLESSING)
    pushed = outputs.output(by_node, node_ids.LITE_PUSHER, artifact_types.PUSHED_MODEL)
    pushed_props = pushed.properties if pushed else {}
    pusher = by_node.get(node_ids.LITE_PUSHER)
    pushed_now = pushed_props.get(properties.PUSHED) == 1 and pusher is not None and pusher.state != "cached"
    version = pushed_props.get(properties.PUSHED_VERSION) or pushed_props.get(properties.ALREADY_SERVED_VERSION)
    size = model.properties.get(properties.SIZE_BYTES)
    return OnDevice(
        quantization=str(model.properties.get(properties.QUANTIZATION) or "") or None,
        size_bytes=int(size) if size else None,
        float_size_bytes=int(conversion["float"]["size_bytes"]) if conversion else None,
        accuracy=evaluation.accuracy if evaluation else None,
        saved_model_accuracy=saved_model_evaluation.accuracy if saved_model_evaluation else None,
        blessed=None if blessing is None else blessing.properties.get(properties.BLESSED) == 1,
        failures=list(evaluation.failures) if evaluation else [],
        canary_problems=str(canary.properties[properties.CANARY_PROBLEMS])
        if canary and canary.properties.get(properties.BLESSED) == 0 and properties.CANARY_PROBLEMS in canary.properties
        else None,
        pushed_path=str(pushed_props[properties.PUSHED_DESTINATION]) if pushed_now else None,
        served_version=int(version) if version else None,
        conversion=conversion,
    )
