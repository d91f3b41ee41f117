"""Component spec of AnomalyGate (its keys: components/contract/keys.py)."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components.contract import keys


class AnomalyGateSpec(ComponentSpec):
    """Consumes ExampleValidator's anomalies and the statistics; fails on any anomaly or broken contract."""

    PARAMETERS = {keys.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str)}
    INPUTS = {
        keys.ANOMALIES_KEY: ChannelParameter(type=standard_artifacts.ExampleAnomalies),
        keys.STATISTICS_KEY: ChannelParameter(type=standard_artifacts.ExampleStatistics),
    }
    OUTPUTS = {}
