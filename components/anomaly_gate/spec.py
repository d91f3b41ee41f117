"""Component spec of AnomalyGate; the keys are shared by component and executor."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

ANOMALIES_KEY = "anomalies"
STATISTICS_KEY = "statistics"
# Fingerprint of the executor's code: part of the cache key.
CODE_FINGERPRINT_KEY = "code_fingerprint"


class AnomalyGateSpec(ComponentSpec):
    """Consumes ExampleValidator's anomalies and the statistics; fails on any anomaly or broken contract."""

    PARAMETERS = {CODE_FINGERPRINT_KEY: ExecutionParameter(type=str)}
    INPUTS = {
        ANOMALIES_KEY: ChannelParameter(type=standard_artifacts.ExampleAnomalies),
        STATISTICS_KEY: ChannelParameter(type=standard_artifacts.ExampleStatistics),
    }
    OUTPUTS = {}
