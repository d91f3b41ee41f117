"""Component spec of FashionMnistExampleGen; the keys are shared by component and executor."""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components import properties

# One Examples artifact per span ingested (splits train and eval, its ``span`` and ``version`` set),
# and one for the fixed test set (split test).
EXAMPLES_KEY = properties.SPAN_EXAMPLES_KEY
TEST_EXAMPLES_KEY = properties.TEST_EXAMPLES_KEY
INPUT_BASE_KEY = properties.INPUT_BASE_KEY
# JSON object: test file name -> SHA-256 of its decompressed content, as checked by the pre-flight.
INPUT_SHA256_KEY = properties.INPUT_SHA256_KEY
# JSON object: span number -> {"folder" (under input_base), "sha256" {file: SHA-256}, "count", "version"}: the spans
# to ingest (pipeline/arrivals.py). Part of the cache key, so other data never reuses a cached
# ingestion; the executor re-checks each hash, so a file changed underneath is caught. Empty: every
# span in input_base when the run starts (a spec compiled once, for Kubeflow).
SPANS_KEY = properties.SPANS_KEY
EVAL_FRACTION_KEY = "eval_fraction"
TRAIN_LIMIT_KEY = "train_limit"  # per span; 0: no limit
TEST_LIMIT_KEY = "test_limit"  # 0: no limit
SEED_KEY = "seed"


class FashionMnistExampleGenSpec(ComponentSpec):
    """Reads the Fashion-MNIST IDX files of the spans to ingest and of the test set under ``input_base``."""

    PARAMETERS = {
        INPUT_BASE_KEY: ExecutionParameter(type=str),
        INPUT_SHA256_KEY: ExecutionParameter(type=str),
        SPANS_KEY: ExecutionParameter(type=str),
        EVAL_FRACTION_KEY: ExecutionParameter(type=float),
        TRAIN_LIMIT_KEY: ExecutionParameter(type=int),
        TEST_LIMIT_KEY: ExecutionParameter(type=int),
        SEED_KEY: ExecutionParameter(type=int),
        properties.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str),
    }
    INPUTS = {}
    OUTPUTS = {
        EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
        TEST_EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
    }
