"""Component spec of FashionMnistExampleGen; the keys are shared by component and executor."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components import properties

EXAMPLES_KEY = "examples"
INPUT_BASE_KEY = properties.INPUT_BASE_KEY
# JSON object: IDX file name -> SHA-256 of its decompressed content, as checked
# by the pre-flight. Part of the cache key, so other data never reuses a cached
# ingestion; the executor re-checks it so a file changed underneath is caught.
INPUT_SHA256_KEY = properties.INPUT_SHA256_KEY
EVAL_COUNT_KEY = "eval_count"
TRAIN_LIMIT_KEY = "train_limit"  # 0: no limit
TEST_LIMIT_KEY = "test_limit"  # 0: no limit
SEED_KEY = "seed"


class FashionMnistExampleGenSpec(ComponentSpec):
    """Reads the Fashion-MNIST IDX files under ``input_base``."""

    PARAMETERS = {
        INPUT_BASE_KEY: ExecutionParameter(type=str),
        INPUT_SHA256_KEY: ExecutionParameter(type=str),
        EVAL_COUNT_KEY: ExecutionParameter(type=int),
        TRAIN_LIMIT_KEY: ExecutionParameter(type=int),
        TEST_LIMIT_KEY: ExecutionParameter(type=int),
        SEED_KEY: ExecutionParameter(type=int),
        properties.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str),
    }
    INPUTS = {}
    OUTPUTS = {EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples)}
