"""Component spec of AnomalyGate; the keys are shared by component and executor."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

ANOMALIES_KEY = "anomalies"
# Fingerprint of the executor's code: part of the cache key.
CODE_FINGERPRINT_KEY = "code_fingerprint"
# ExampleValidator writes one Anomalies proto per split under this name.
ANOMALIES_FILE_NAME = "SchemaDiff.pb"


class AnomalyGateSpec(ComponentSpec):
    """Consumes ExampleValidator's anomalies; fails the execution if there are any."""

    PARAMETERS = {CODE_FINGERPRINT_KEY: ExecutionParameter(type=str)}
    INPUTS = {ANOMALIES_KEY: ChannelParameter(type=standard_artifacts.ExampleAnomalies)}
    OUTPUTS = {}
