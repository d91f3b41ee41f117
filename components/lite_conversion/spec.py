"""Component spec of LiteConverter (its keys: components/contract/keys.py)."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components.contract import keys


class LiteConverterSpec(ComponentSpec):
    """The Trainer's model and the training window in; the on-device model out, a Model the Evaluator scores."""

    PARAMETERS = {
        keys.REPRESENTATIVE_SIZE_KEY: ExecutionParameter(type=int),
        keys.SEED_KEY: ExecutionParameter(type=int),
        keys.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str),
    }
    INPUTS = {
        keys.MODEL_KEY: ChannelParameter(type=standard_artifacts.Model),
        keys.EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
    }
    OUTPUTS = {keys.LITE_MODEL_KEY: ChannelParameter(type=standard_artifacts.Model)}
