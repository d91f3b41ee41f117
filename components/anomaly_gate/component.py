"""AnomalyGate: ExampleValidator reports anomalies but never stops a TFX run; this does."""

from __future__ import annotations

from tfx.dsl.components.base import base_component, executor_spec
from tfx.types import channel

from components.anomaly_gate import executor, spec


class AnomalyGate(base_component.BaseComponent):
    """Fails, listing every anomaly, when any split has one. Run it before Transform."""

    SPEC_CLASS = spec.AnomalyGateSpec
    EXECUTOR_SPEC = executor_spec.ExecutorClassSpec(executor.Executor)

    def __init__(self, *, anomalies: channel.BaseChannel, code_fingerprint: str = "") -> None:
        super().__init__(spec.AnomalyGateSpec(anomalies=anomalies, code_fingerprint=code_fingerprint))
