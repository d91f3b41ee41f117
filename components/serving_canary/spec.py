"""Component spec of ServingCanary (its keys: components/contract/keys.py)."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components.contract import keys


class ServingCanarySpec(ComponentSpec):
    """Model and examples in (and, for the lite canary, the on-device model); an InfraBlessing out, which Pusher
    requires: of the SavedModel, or with ``lite_model``, of the on-device model beside it."""

    PARAMETERS = {
        keys.SPLIT_KEY: ExecutionParameter(type=str),
        keys.CANARY_SIZE_KEY: ExecutionParameter(type=int),
        keys.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str),
    }
    INPUTS = {
        keys.MODEL_KEY: ChannelParameter(type=standard_artifacts.Model),
        keys.EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
        keys.LITE_MODEL_KEY: ChannelParameter(type=standard_artifacts.Model, optional=True),
    }
    OUTPUTS = {keys.BLESSING_KEY: ChannelParameter(type=standard_artifacts.InfraBlessing)}
