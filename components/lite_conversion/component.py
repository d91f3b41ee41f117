"""LiteConverter: the on-device (TFLite) model of each trained model, quantized and measured."""

from __future__ import annotations

from tfx.dsl.components.base import base_component, executor_spec
from tfx.types import channel, channel_utils, standard_artifacts

from components.lite_conversion import executor, spec


class LiteConverter(base_component.BaseComponent):
    """Converts the Trainer's model to TFLite three ways and keeps the quantized one that clears the bar."""

    SPEC_CLASS = spec.LiteConverterSpec
    EXECUTOR_SPEC = executor_spec.ExecutorClassSpec(executor.Executor)

    def __init__(
        self,
        *,
        model: channel.BaseChannel,
        examples: channel.BaseChannel,
        representative_size: int = 500,
        seed: int = 0,
        code_fingerprint: str = "",
    ) -> None:
        super().__init__(
            spec.LiteConverterSpec(
                model=model,
                examples=examples,
                representative_size=representative_size,
                seed=seed,
                code_fingerprint=code_fingerprint,
                lite_model=channel_utils.as_channel([standard_artifacts.Model()]),
            )
        )
