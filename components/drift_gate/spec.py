"""Component spec of DriftGate; the keys are shared by component and executor."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components import properties
from components.artifact_types import DriftReport

# The arrival: the spans this run ingested.
EXAMPLES_KEY = properties.SPAN_EXAMPLES_KEY
# The newest cleared span before the arrival (components/span_resolvers.py); empty for the first span.
PREVIOUS_EXAMPLES_KEY = properties.PREVIOUS_EXAMPLES_KEY
SCHEMA_KEY = properties.SCHEMA_KEY
DRIFT_REPORT_KEY = "drift_report"
# 1: let drifted spans through, and record that they were accepted.
ACCEPT_DRIFT_KEY = properties.ACCEPT_DRIFT_KEY
PIXEL_THRESHOLD_KEY = properties.PIXEL_THRESHOLD_KEY


class DriftGateSpec(ComponentSpec):
    """Compares each new span with the span before it; fails on drift unless told to accept it."""

    PARAMETERS = {
        ACCEPT_DRIFT_KEY: ExecutionParameter(type=int),
        PIXEL_THRESHOLD_KEY: ExecutionParameter(type=float),
        properties.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str),
    }
    INPUTS = {
        EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
        PREVIOUS_EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples, optional=True),
        SCHEMA_KEY: ChannelParameter(type=standard_artifacts.Schema),
    }
    OUTPUTS = {DRIFT_REPORT_KEY: ChannelParameter(type=DriftReport)}
