"""ServingCanary: an in-process stand-in for InfraValidator, which needs Docker or Kubernetes."""

from __future__ import annotations

from tfx.dsl.components.base import base_component, executor_spec
from tfx.types import channel, channel_utils, standard_artifacts

from components.serving_canary import executor, spec


class ServingCanary(base_component.BaseComponent):
    """Blesses the candidate for serving only if both signatures answer a canary batch correctly.

    Given ``lite_model`` (the lite canary), it blesses that on-device model instead, only if the SavedModel
    passes too and the TFLite model agrees with it on the split (lite_checks.py).
    """

    SPEC_CLASS = spec.ServingCanarySpec
    EXECUTOR_SPEC = executor_spec.ExecutorClassSpec(executor.Executor)

    def __init__(
        self,
        *,
        model: channel.BaseChannel,
        examples: channel.BaseChannel,
        split: str,
        lite_model: channel.BaseChannel | None = None,
        canary_size: int = 64,
        code_fingerprint: str = "",
    ) -> None:
        super().__init__(
            spec.ServingCanarySpec(
                model=model,
                examples=examples,
                lite_model=lite_model,
                split=split,
                canary_size=canary_size,
                code_fingerprint=code_fingerprint,
                blessing=channel_utils.as_channel([standard_artifacts.InfraBlessing()]),
            )
        )
