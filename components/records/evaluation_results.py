"""The Evaluator's output (TFMA 0.47's files), read without TFMA or TensorFlow.

An evaluation folder holds ``metrics-*.tfrecord`` (MetricsForSlice per slice,
for the candidate and, when there is one, the baseline model),
``plots-*.tfrecord`` (the confusion matrix), ``validations.tfrecord`` (the
ValidationResult behind the blessing) and ``eval_config.json`` (the thresholds).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Final, Literal

from components.contract import features
from components.records import protos, tfrecord

_CANDIDATE = "candidate"
_BASELINE = "baseline"


# The slice of the whole test split, as thresholds and failures name it.
OVERALL = "overall"

# What a threshold bounds: the metric's value from below or from above, or its drop against the baseline model.
LOWER_BOUND: Final = "lower_bound"
UPPER_BOUND: Final = "upper_bound"
MAX_DROP: Final = "max_drop"
ThresholdKind = Literal["lower_bound", "upper_bound", "max_drop"]


@dataclasses.dataclass(frozen=True)
class Threshold:
    """One threshold of the EvalConfig: on the slices ``where``, ``metric`` is bounded by ``value``.

    ``kind`` says how: LOWER_BOUND (``metric >= value``), UPPER_BOUND (``metric <= value``) or
    MAX_DROP (the candidate's ``metric`` at most ``value`` below the baseline model's; a negative
    ``value`` asks for an improvement).
    """

    where: str
    metric: str
    kind: ThresholdKind
    value: float

    @property
    def rule(self) -> str:
        """The threshold in words, as the model card, ``make inspect`` and the report print it."""
        if self.kind == LOWER_BOUND:
            return f"{self.metric} >= {self.value:.4f}"
        if self.kind == UPPER_BOUND:
            return f"{self.metric} <= {self.value:.4f}"
        return f"{self.metric} no more than {max(self.value, 0.0):.4f} below the baseline model's"


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """Accuracy of the candidate and baseline models on the test split, and the validation result.

    ``class_accuracy`` and ``baseline_class_accuracy`` are keyed by class id.
    ``confusion_matrix[true][predicted]`` counts test examples; empty when TFMA computed none.
    """

    accuracy: float | None
    class_accuracy: dict[int, float]
    baseline_accuracy: float | None
    baseline_class_accuracy: dict[int, float]
    example_count: int | None
    validation_ok: bool | None
    failures: list[str]
    thresholds: list[Threshold]
    confusion_matrix: list[list[int]]


def _files(uri: Path, prefix: str) -> list[Path]:
    return sorted(uri.glob(f"{prefix}*.tfrecord"))


def _slice_class(slice_key: Any) -> int | None:
    """None for the overall slice, the class id for a ``label`` slice; -1 for any other slice."""
    keys = list(slice_key.single_slice_keys)
    if not keys:
        return None
    if len(keys) == 1 and keys[0].column == features.LABEL_KEY:
        return int(keys[0].int64_value)
    return -1


def _slice_name(slice_key: Any) -> str:
    class_id = _slice_class(slice_key)
    if class_id is None:
        return OVERALL
    if class_id >= 0:
        return f"class {features.CLASS_NAMES[class_id]}"
    return ", ".join(
        f"{k.column}={k.int64_value or k.bytes_value.decode() or k.float_value}" for k in slice_key.single_slice_keys
    )


def _failure_text(failure: Any) -> str:
    if failure.message and not failure.HasField("metric_value"):
        return failure.message
    value = failure.metric_value.double_value.value
    threshold = failure.metric_threshold
    if threshold.HasField("value_threshold"):
        return f"{value:.4f} is below the floor {threshold.value_threshold.lower_bound.value:.4f}"
    if threshold.HasField("change_threshold"):
        return f"fell by {-value:.4f} against the baseline model"
    return failure.message or "failed its threshold"


def _slicing_spec_name(spec: dict[str, Any]) -> str:
    keys = spec.get("featureKeys", [])
    return OVERALL if not keys and not spec.get("featureValues") else f"each {', '.join(keys)} slice"


def thresholds_from_config(eval_config: dict[str, Any]) -> list[Threshold]:
    """The thresholds of an ``eval_config.json``'s EvalConfig, per slicing spec and bound."""
    out = []
    for metrics_spec in eval_config.get("metricsSpecs", []):
        for metric in metrics_spec.get("metrics", []):
            name = metric.get("className", "?")
            for per_slice in metric.get("perSliceThresholds", []):
                threshold = per_slice.get("threshold", {})
                wheres = [_slicing_spec_name(s) for s in per_slice.get("slicingSpecs", [{}])]
                bounds: list[tuple[ThresholdKind, float]] = []
                value_threshold = threshold.get("valueThreshold", {})
                if "lowerBound" in value_threshold:
                    bounds.append((LOWER_BOUND, float(value_threshold["lowerBound"])))
                if "upperBound" in value_threshold:
                    bounds.append((UPPER_BOUND, float(value_threshold["upperBound"])))
                change = threshold.get("changeThreshold")
                if change:
                    bounds.append((MAX_DROP, -float(change.get("absolute", 0.0))))
                out.extend(Threshold(where, name, kind, value) for where in wheres for kind, value in bounds)
    return out


def read_evaluation(uri: str | Path) -> Evaluation:
    """Reads an Evaluator's ModelEvaluation folder.

    Raises:
      FileNotFoundError: the folder has no metrics file.
    """
    uri = Path(uri)
    metric_files = _files(uri, "metrics")
    if not metric_files:
        raise FileNotFoundError(f"{uri}: no TFMA metrics file")
    accuracy: dict[str, float] = {}
    class_accuracy: dict[str, dict[int, float]] = {_CANDIDATE: {}, _BASELINE: {}}
    example_count = None
    for path in metric_files:
        for record in tfrecord.read_records(path):
            metrics = protos.parse("tensorflow_model_analysis.MetricsForSlice", record)
            class_id = _slice_class(metrics.slice_key)
            for kv in metrics.metric_keys_and_values:
                if kv.key.is_diff or kv.key.HasField("sub_key"):
                    continue
                model_name = kv.key.model_name or _CANDIDATE
                value = kv.value.double_value.value
                if kv.key.name == features.ACCURACY_METRIC and model_name in class_accuracy:
                    if class_id is None:
                        accuracy[model_name] = value
                    elif class_id >= 0:
                        class_accuracy[model_name][class_id] = value
                elif kv.key.name == "example_count" and class_id is None and model_name == _CANDIDATE:
                    example_count = int(value)

    validation_ok, failures = None, []
    validation_path = uri / "validations.tfrecord"
    if validation_path.is_file():
        for record in tfrecord.read_records(validation_path):
            result = protos.parse("tensorflow_model_analysis.ValidationResult", record)
            validation_ok = result.validation_ok
            for per_slice in result.metric_validations_per_slice:
                where = _slice_name(per_slice.slice_key)
                failures.extend(f"{where}: {f.metric_key.name} {_failure_text(f)}" for f in per_slice.failures)
            failures.extend(f"missing slice: {m}" for m in result.missing_slices)

    config_path = uri / "eval_config.json"
    thresholds = (
        thresholds_from_config(json.loads(config_path.read_text()).get("evalConfig", {}))
        if config_path.is_file()
        else []
    )
    return Evaluation(
        accuracy=accuracy.get(_CANDIDATE),
        class_accuracy=dict(sorted(class_accuracy[_CANDIDATE].items())),
        baseline_accuracy=accuracy.get(_BASELINE),
        baseline_class_accuracy=dict(sorted(class_accuracy[_BASELINE].items())),
        example_count=example_count,
        validation_ok=validation_ok,
        failures=failures,
        thresholds=thresholds,
        confusion_matrix=_confusion_matrix(uri),
    )


def _confusion_matrix(uri: Path) -> list[list[int]]:
    """The candidate's confusion matrix on the overall slice, ``[true][predicted]``."""
    matrix = [[0] * features.NUM_CLASSES for _ in range(features.NUM_CLASSES)]
    found = False
    for path in _files(uri, "plots"):
        for record in tfrecord.read_records(path):
            plots = protos.parse("tensorflow_model_analysis.PlotsForSlice", record)
            if _slice_class(plots.slice_key) is not None:
                continue
            for kv in plots.plot_keys_and_values:
                if (kv.key.model_name or _CANDIDATE) != _CANDIDATE:
                    continue
                if not kv.value.HasField("multi_class_confusion_matrix_at_thresholds"):
                    continue
                matrices = kv.value.multi_class_confusion_matrix_at_thresholds.matrices
                if not matrices:
                    continue
                # MultiClassConfusionMatrixPlot's default threshold 0: the predicted class is the top one.
                for entry in min(matrices, key=lambda m: m.threshold).entries:
                    true, predicted = entry.actual_class_id, entry.predicted_class_id
                    if 0 <= true < features.NUM_CLASSES and 0 <= predicted < features.NUM_CLASSES:
                        matrix[true][predicted] += round(entry.num_weighted_examples)
                        found = True
    return matrix if found else []
