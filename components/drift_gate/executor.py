"""Executor of DriftGate: ``checks.compare_arrival`` on the span profiles it is given, then ``checks.decide``."""

from __future__ import annotations

import json
from typing import Any

import tensorflow as tf
from tfx.dsl.components.base import base_executor
from tfx.types import artifact, artifact_utils

from components.contract import keys, properties
from components.drift_gate import checks
from components.records import split_files

REPORT_FILE = "drift.json"


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
        schema = split_files.read_schema(artifact_utils.get_single_uri(input_dict[keys.SCHEMA_KEY]))
        previous = [(e.span, _profile(e)) for e in input_dict.get(keys.PREVIOUS_EXAMPLES_KEY, [])][:1]
        figures = checks.compare_arrival(
            [(e.span, e.id, _profile(e)) for e in input_dict[keys.EXAMPLES_KEY]],
            previous[0] if previous else None,
            label_threshold=checks.label_threshold(schema),
            pixel_threshold=exec_properties[keys.PIXEL_THRESHOLD_KEY],
        )
        decided = checks.decide(figures, accept_drift=bool(exec_properties[keys.ACCEPT_DRIFT_KEY]))
        report = artifact_utils.get_single_instance(output_dict[keys.DRIFT_REPORT_KEY])
        text = checks.report_json(decided)
        report.set_string_custom_property(properties.DRIFT_REPORT, text)
        with tf.io.gfile.GFile(f"{report.uri}/{REPORT_FILE}", "w") as f:
            f.write(json.dumps(json.loads(text), indent=2))
