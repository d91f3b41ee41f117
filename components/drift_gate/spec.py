"""Component spec of DriftGate (its keys: components/contract/keys.py)."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components.contract import keys
from components.drift_gate.artifact import DriftReport


class DriftGateSpec(ComponentSpec):
    """Compares each new span with the span before it; fails on drift unless told to accept it."""

    PARAMETERS = {
        keys.ACCEPT_DRIFT_KEY: ExecutionParameter(type=int),
        keys.PIXEL_THRESHOLD_KEY: ExecutionParameter(type=float),
        keys.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str),
    }
    INPUTS = {
        keys.EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
        keys.PREVIOUS_EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples, optional=True),
        keys.SCHEMA_KEY: ChannelParameter(type=standard_artifacts.Schema),
    }
    OUTPUTS = {keys.DRIFT_REPORT_KEY: ChannelParameter(type=DriftReport)}
