"""SpanStatisticsGen and SpanExampleValidator: TFX's StatisticsGen and ExampleValidator, once per span."""

from __future__ import annotations

from tfx.dsl.components.base import base_beam_component, base_component, executor_spec
from tfx.types import channel, channel_utils, standard_artifacts

from components.span_validation import executor, spec


class SpanStatisticsGen(base_beam_component.BaseBeamComponent):
    """One ExampleStatistics per span of the arrival and one for the test set, by TFX's StatisticsGen executor."""

    SPEC_CLASS = spec.SpanStatisticsGenSpec
    EXECUTOR_SPEC = executor_spec.BeamExecutorSpec(executor.StatisticsExecutor)

    def __init__(
        self,
        *,
        examples: channel.BaseChannel,
        test_examples: channel.BaseChannel,
        schema: channel.BaseChannel,
        code_fingerprint: str = "",
    ) -> None:
        super().__init__(
            spec.SpanStatisticsGenSpec(
                examples=examples,
                test_examples=test_examples,
                schema=schema,
                code_fingerprint=code_fingerprint,
                statistics=channel_utils.as_channel([standard_artifacts.ExampleStatistics()]),
            )
        )


class SpanExampleValidator(base_component.BaseComponent):
    """One ExampleAnomalies per statistics artifact, by TFX's ExampleValidator executor."""

    SPEC_CLASS = spec.SpanExampleValidatorSpec
    EXECUTOR_SPEC = executor_spec.ExecutorClassSpec(executor.ValidatorExecutor)

    def __init__(
        self, *, statistics: channel.BaseChannel, schema: channel.BaseChannel, code_fingerprint: str = ""
    ) -> None:
        super().__init__(
            spec.SpanExampleValidatorSpec(
                statistics=statistics,
                schema=schema,
                code_fingerprint=code_fingerprint,
                anomalies=channel_utils.as_channel([standard_artifacts.ExampleAnomalies()]),
            )
        )
