"""Component spec of ServingCanary (its keys: components/contract/keys.py)."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components.contract import keys


class ServingCanarySpec(ComponentSpec):
    """Model and examples in; an InfraBlessing out, which Pusher requires."""

    PARAMETERS = {
        keys.SPLIT_KEY: ExecutionParameter(type=str),
        keys.CANARY_SIZE_KEY: ExecutionParameter(type=int),
        keys.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str),
    }
    INPUTS = {
        keys.MODEL_KEY: ChannelParameter(type=standard_artifacts.Model),
        keys.EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
    }
    OUTPUTS = {keys.BLESSING_KEY: ChannelParameter(type=standard_artifacts.InfraBlessing)}
