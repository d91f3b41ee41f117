"""Executor of AtomicPusher: TFX's Pusher checks, then ``publish.push_model`` with ``model_card.model_card``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tfx.components.pusher import executor as tfx_pusher_executor
from tfx.proto import pusher_pb2
from tfx.types import artifact, artifact_utils
from tfx.utils import proto_utils

from components.contract import files, keys, properties
from components.pusher import model_card, publish


def _sibling(pushed: artifact.Artifact) -> dict[str, Any]:
    """Where the SavedModel Pusher of the same run put its model (or which version already served it)."""
    if pushed.get_int_custom_property(properties.PUSHED) == 1:
        return {
            "version": int(pushed.get_string_custom_property(properties.PUSHED_VERSION)),
            "path": pushed.get_string_custom_property(properties.PUSHED_DESTINATION),
        }
    version = pushed.get_int_custom_property(properties.ALREADY_SERVED_VERSION)
    return {"version": version or None, "path": None, "already_served": bool(version)}


class Executor(tfx_pusher_executor.Executor):
    """TFX Pusher executor publishing with ``push_model``; filesystem destinations only."""

    def Do(
        self,
        input_dict: dict[str, list[artifact.Artifact]],
        output_dict: dict[str, list[artifact.Artifact]],
        exec_properties: dict[str, Any],
    ) -> None:
        model_push = artifact_utils.get_single_instance(output_dict[keys.PUSHED_MODEL_KEY])
        if not self.CheckBlessing(input_dict):
            self._MarkNotPushed(model_push)
            return
        destination = pusher_pb2.PushDestination()
        proto_utils.json_to_proto(exec_properties[keys.PUSH_DESTINATION_KEY], destination)
        if destination.WhichOneof("destination") != "filesystem":
            raise NotImplementedError("only filesystem push destinations are supported")
        model = artifact_utils.get_single_instance(input_dict[keys.MODEL_KEY])
        blessings = input_dict.get(keys.MODEL_BLESSING_KEY) or []
        evaluations = input_dict.get(keys.MODEL_EVALUATION_KEY) or []
        card = model_card.model_card(
            run_id=self._context.pipeline_run_id if self._context else None,
            model_uri=model.uri,
            model_id=model.id,
            baseline_model=blessings[0].get_string_custom_property(properties.BASELINE_MODEL) or None
            if blessings
            else None,
            evaluation_uri=evaluations[0].uri if evaluations else None,
            provenance=json.loads(exec_properties.get(keys.PROVENANCE_KEY) or "{}"),
            training=model_card.training_record(
                spans=[
                    model_card.TrainedSpan(
                        e.span,
                        e.version,
                        e.id,
                        e.get_string_custom_property(properties.SPLIT_SUMMARY),
                        e.get_string_custom_property(properties.SPAN_SHA256),
                    )
                    for e in input_dict.get(keys.TRAINING_EXAMPLES_KEY) or []
                ],
                drift_reports=[
                    r.get_string_custom_property(properties.DRIFT_REPORT)
                    for r in input_dict.get(keys.DRIFT_REPORTS_KEY) or []
                ],
                model_uri=model.uri,
            ),
        )
        report_path = Path(model.uri) / files.CONVERSION_REPORT_FILE
        renames = {}
        if report_path.is_file():  # an on-device model: LiteConverter's
            siblings = input_dict.get(keys.SIBLING_PUSH_KEY) or []
            card["on_device"] = model_card.on_device_record(
                json.loads(report_path.read_text()), _sibling(siblings[0]) if siblings else None
            )
            renames = {files.TFLITE_FILE: files.PUSHED_TFLITE_FILE}
        base_directory = Path(destination.filesystem.base_directory)
        result = publish.push_model(Path(self.GetModelPath(input_dict)), base_directory, info=card, renames=renames)
        if not result.pushed:
            self._MarkNotPushed(model_push)
            model_push.set_int_custom_property(properties.ALREADY_SERVED_VERSION, result.version)
            return
        shutil.copytree(result.path, model_push.uri, dirs_exist_ok=True)
        self._MarkPushed(model_push, pushed_destination=str(result.path), pushed_version=str(result.version))
        model_push.set_string_custom_property(
            properties.MODEL_CARD, (result.path / publish.MODEL_CARD_PATH).read_text()
        )
