"""Component spec of AnomalyGate; the keys are shared by component and executor."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components import properties

ANOMALIES_KEY = properties.ANOMALIES_KEY
STATISTICS_KEY = properties.STATISTICS_KEY


class AnomalyGateSpec(ComponentSpec):
    """Consumes ExampleValidator's anomalies and the statistics; fails on any anomaly or broken contract."""

    PARAMETERS = {properties.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str)}
    INPUTS = {
        ANOMALIES_KEY: ChannelParameter(type=standard_artifacts.ExampleAnomalies),
        STATISTICS_KEY: ChannelParameter(type=standard_artifacts.ExampleStatistics),
    }
    OUTPUTS = {}
