"""Executor of DriftGate: TFDV's label comparator and the pixel measure, then ``checks.decide``."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pandas as pd
import tensorflow as tf
import tensorflow_data_validation as tfdv
from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2
from tfx.dsl.components.base import base_executor
from tfx.types import artifact, artifact_utils
from tfx.utils import io_utils

from components import features, properties
from components.drift_gate import checks, spec

REPORT_FILE = "drift.json"


def label_schema(schema: schema_pb2.Schema) -> schema_pb2.Schema:
    """The schema of ``label`` alone, with its drift comparator."""
    only = schema_pb2.Schema()
    for feature in schema.feature:
        if feature.name == features.LABEL_KEY:
            only.feature.add().CopyFrom(feature)
    return only


def tfdv_label_linf(
    schema: schema_pb2.Schema, current: tuple[int, ...], previous: tuple[int, ...]
) -> tuple[float, float]:
    """(TFDV's L-infinity distance of the label distributions, the schema's threshold); (0, 0) without one.

    TFDV compares statistics; those of a label column are computed in memory from the exact counts.
    """
    feature = next(iter(schema.feature), None)
    if feature is None or not feature.drift_comparator.infinity_norm.threshold:
        return 0.0, 0.0
    options = tfdv.StatsOptions(schema=schema)

    def statistics(counts: tuple[int, ...]) -> Any:
        column = np.repeat(np.arange(len(counts)), counts)
        return tfdv.generate_statistics_from_dataframe(pd.DataFrame({features.LABEL_KEY: column}), options)

    anomalies = tfdv.validate_statistics(statistics(current), schema, previous_statistics=statistics(previous))
    for info in anomalies.drift_skew_info:
        for measurement in info.drift_measurements:
            if measurement.type == anomalies_pb2.DriftSkewInfo.Measurement.L_INFTY:
                return measurement.value, measurement.threshold
    return 0.0, feature.drift_comparator.infinity_norm.threshold


def _profile(examples: artifact.Artifact) -> checks.SpanProfile:
    return checks.SpanProfile.from_json(examples.get_string_custom_property(properties.SPAN_PROFILE))


class Executor(base_executor.BaseExecutor):
    """Measures each span of the arrival against the one before it, and fails on drift not accepted."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        schema = label_schema(
            io_utils.SchemaReader().read(
                io_utils.get_only_uri_in_dir(artifact_utils.get_single_uri(input_dict[spec.SCHEMA_KEY]))
            )
        )
        previous = [(e.span, _profile(e)) for e in input_dict.get(spec.PREVIOUS_EXAMPLES_KEY, [])][:1]
        before = previous[0] if previous else None
        figures = []
        for examples in sorted(input_dict[spec.EXAMPLES_KEY], key=lambda e: e.span):
            profile = _profile(examples)
            figure = checks.pixel_figures(
                examples.span, examples.id, profile, before, exec_properties[spec.PIXEL_THRESHOLD_KEY]
            )
            if before is not None:
                linf, threshold = tfdv_label_linf(schema, profile.label_counts, before[1].label_counts)
                figure = dataclasses.replace(figure, label_linf=linf, label_threshold=threshold)
            figures.append(figure)
            before = (examples.span, profile)
        decided = checks.decide(figures, accept_drift=bool(exec_properties[spec.ACCEPT_DRIFT_KEY]))
        report = artifact_utils.get_single_instance(output_dict[spec.DRIFT_REPORT_KEY])
        text = checks.report_json(decided)
        report.set_string_custom_property(properties.DRIFT_REPORT, text)
        with tf.io.gfile.GFile(f"{report.uri}/{REPORT_FILE}", "w") as f:
            f.write(json.dumps(json.loads(text), indent=2))
