"""Component spec of ServingCanary; the keys are shared by component and executor."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components import properties

MODEL_KEY = "model"
EXAMPLES_KEY = "examples"
BLESSING_KEY = "blessing"
SPLIT_KEY = "split"
CANARY_SIZE_KEY = "canary_size"


class ServingCanarySpec(ComponentSpec):
    """Model and examples in; an InfraBlessing out, which Pusher requires."""

    PARAMETERS = {
        SPLIT_KEY: ExecutionParameter(type=str),
        CANARY_SIZE_KEY: ExecutionParameter(type=int),
        properties.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str),
    }
    INPUTS = {
        MODEL_KEY: ChannelParameter(type=standard_artifacts.Model),
        EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
    }
    OUTPUTS = {BLESSING_KEY: ChannelParameter(type=standard_artifacts.InfraBlessing)}
