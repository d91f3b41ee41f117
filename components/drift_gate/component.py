"""DriftGate: stops the run before Transform when a new span's data moved too far from the span before it."""

from __future__ import annotations

from tfx.dsl.components.base import base_component, executor_spec
from tfx.types import channel, channel_utils

from components.drift_gate import executor, spec
from components.drift_gate.artifact import DriftReport


class DriftGate(base_component.BaseComponent):
    """Fails, naming the span, the measure and the amount, when a span's labels or pixels drifted.

    The label measure is TFDV's L-infinity comparator with the schema's threshold; the pixel
    measure is in drift_gate/checks.py. With ``accept_drift`` the drift is let through and the
    report records it as accepted. Its DriftReport is what makes a span trainable
    (components/resolvers/span_window_strategy.py).
    """

    SPEC_CLASS = spec.DriftGateSpec
    EXECUTOR_SPEC = executor_spec.ExecutorClassSpec(executor.Executor)

    def __init__(
        self,
        *,
        examples: channel.BaseChannel,
        previous_examples: channel.BaseChannel,
        schema: channel.BaseChannel,
        accept_drift: bool,
        pixel_threshold: float,
        code_fingerprint: str = "",
    ) -> None:
        super().__init__(
            spec.DriftGateSpec(
                examples=examples,
                previous_examples=previous_examples,
                schema=schema,
                accept_drift=int(accept_drift),
                pixel_threshold=pixel_threshold,
                code_fingerprint=code_fingerprint,
                drift_report=channel_utils.as_channel([DriftReport()]),
            )
        )
