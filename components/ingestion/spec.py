"""Component spec of FashionMnistExampleGen (its keys, and what each holds: components/contract/keys.py)."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components.contract import keys


class FashionMnistExampleGenSpec(ComponentSpec):
    """Reads the Fashion-MNIST IDX files of the spans to ingest and of the test set under ``input_base``."""

    PARAMETERS = {
        keys.INPUT_BASE_KEY: ExecutionParameter(type=str),
        keys.INPUT_SHA256_KEY: ExecutionParameter(type=str),
        keys.SPANS_KEY: ExecutionParameter(type=str),
        keys.EVAL_FRACTION_KEY: ExecutionParameter(type=float),
        keys.TRAIN_LIMIT_KEY: ExecutionParameter(type=int),
        keys.TEST_LIMIT_KEY: ExecutionParameter(type=int),
        keys.SEED_KEY: ExecutionParameter(type=int),
        keys.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str),
    }
    INPUTS = {}
    OUTPUTS = {
        keys.EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
        keys.TEST_EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
    }
