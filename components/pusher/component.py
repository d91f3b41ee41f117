"""AtomicPusher: TFX's Pusher contract, publishing with ``publish.push_model``."""

from __future__ import annotations

import json
from typing import Any

from tfx.dsl.components.base import base_component, executor_spec
from tfx.proto import pusher_pb2
from tfx.types import channel, standard_artifacts

from components.pusher import executor, spec


class AtomicPusher(base_component.BaseComponent):
    """Pushes a model blessed by the Evaluator and the serving canary: atomic, never the same model twice,
    with a model card beside it.

    An on-device model (LiteConverter's) is pushed as ``<version>/model.tflite``, its card naming the
    conversion and, given ``saved_model_push``, the SavedModel pushed beside it.
    """

    SPEC_CLASS = spec.AtomicPusherSpec
    EXECUTOR_SPEC = executor_spec.ExecutorClassSpec(executor.Executor)

    def __init__(
        self,
        *,
        model: channel.BaseChannel,
        model_blessing: channel.BaseChannel,
        infra_blessing: channel.BaseChannel,
        model_evaluation: channel.BaseChannel,
        base_directory: str,
        provenance: dict[str, Any],
        training_examples: channel.BaseChannel | None = None,
        drift_reports: channel.BaseChannel | None = None,
        saved_model_push: channel.BaseChannel | None = None,
        code_fingerprint: str = "",
    ) -> None:
        super().__init__(
            spec.AtomicPusherSpec(
                model=model,
                model_blessing=model_blessing,
                infra_blessing=infra_blessing,
                model_evaluation=model_evaluation,
                training_examples=training_examples,
                drift_reports=drift_reports,
                saved_model_push=saved_model_push,
                push_destination=pusher_pb2.PushDestination(
                    filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=base_directory)
                ),
                provenance=json.dumps(provenance, sort_keys=True),
                code_fingerprint=code_fingerprint,
                pushed_model=channel.Channel(type=standard_artifacts.PushedModel),
            )
        )
