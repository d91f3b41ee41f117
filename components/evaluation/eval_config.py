"""The Evaluator's configuration: which metrics, on which slices, with which thresholds.

TFMA applies a MetricsSpec's ``thresholds`` to every slice. Here each threshold
names its slices instead:
  * overall: accuracy at least ``accuracy_floor``, and no lower than the last
    blessed model's (minus ``max_accuracy_drop``);
  * per class (slice ``label``): accuracy at least ``class_accuracy_floor``,
    when that is above zero: a guard against a model that gives up on a class,
    deliberately lower than the overall floor, since some classes (Shirt) are
    much harder than others.
"""

from __future__ import annotations

import tensorflow_model_analysis as tfma

from components.contract import features

ACCURACY_METRIC = features.ACCURACY_METRIC
# TFMA's change thresholds compare with a strict bound; this keeps "equal" passing.
_EPSILON = 1e-10


def build_eval_config(
    *,
    accuracy_floor: float,
    class_accuracy_floor: float,
    max_accuracy_drop: float,
    on_device: bool = False,
) -> tfma.EvalConfig:
    """Returns the EvalConfig for the candidate (and, when there is one, baseline) model.

    ``on_device``: the models are TFLite models (TFMA's ``tf_lite`` type), scored on the pixels
    lite_extractors.py decodes; their one output is the probabilities.
    """
    overall = tfma.SlicingSpec()
    per_class = tfma.SlicingSpec(feature_keys=[features.LABEL_KEY])
    thresholds = [
        tfma.PerSliceMetricThreshold(
            slicing_specs=[overall],
            threshold=tfma.MetricThreshold(
                value_threshold=tfma.GenericValueThreshold(lower_bound={"value": accuracy_floor}),
                change_threshold=tfma.GenericChangeThreshold(
                    direction=tfma.MetricDirection.HIGHER_IS_BETTER,
                    absolute={"value": -(max_accuracy_drop + _EPSILON)},
                ),
            ),
        )
    ]
    if class_accuracy_floor > 0:
        thresholds.append(
            tfma.PerSliceMetricThreshold(
                slicing_specs=[per_class],
                threshold=tfma.MetricThreshold(
                    value_threshold=tfma.GenericValueThreshold(lower_bound={"value": class_accuracy_floor})
                ),
            )
        )
    return tfma.EvalConfig(
        model_specs=[
            tfma.ModelSpec(model_type=tfma.TF_LITE, label_key=features.LABEL_KEY)
            if on_device
            else tfma.ModelSpec(
                signature_name=features.SERVING_SIGNATURE,
                label_key=features.LABEL_KEY,
                prediction_key=features.PROBABILITIES_KEY,
            )
        ],
        slicing_specs=[overall, per_class],
        metrics_specs=[
            tfma.MetricsSpec(
                metrics=[
                    tfma.MetricConfig(class_name="ExampleCount"),
                    # Thresholds on the MetricConfig, not in MetricsSpec.per_slice_thresholds:
                    # TFMA 0.47 keys the latter without the example-weighting flag the computed
                    # metric carries, reports "Metric not found" on every slice and never blesses.
                    tfma.MetricConfig(class_name="SparseCategoricalAccuracy", per_slice_thresholds=thresholds),
                    # Counts of (true class, predicted class) on the whole test split, for the report.
                    tfma.MetricConfig(class_name="MultiClassConfusionMatrixPlot"),
                ],
            )
        ],
    )
