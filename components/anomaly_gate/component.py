"""AnomalyGate: ExampleValidator reports anomalies but never stops a TFX run; this does."""

from __future__ import annotations

from tfx.dsl.components.base import base_component, executor_spec
from tfx.types import channel

from components.anomaly_gate import executor, spec


class AnomalyGate(base_component.BaseComponent):
    """Fails, listing every problem, when any split has an anomaly or an image that is not 784 bytes.

    Run it before Transform. The image-length check lives here, not in a TFDV
    custom validation, because Kubeflow's compiler cannot carry ExampleValidator's
    custom_validation_config.
    """

    SPEC_CLASS = spec.AnomalyGateSpec
    EXECUTOR_SPEC = executor_spec.ExecutorClassSpec(executor.Executor)

    def __init__(
        self, *, anomalies: channel.BaseChannel, statistics: channel.BaseChannel, code_fingerprint: str = ""
    ) -> None:
        super().__init__(
            spec.AnomalyGateSpec(anomalies=anomalies, statistics=statistics, code_fingerprint=code_fingerprint)
        )
