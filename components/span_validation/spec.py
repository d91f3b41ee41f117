"""Component specs of the per-span StatisticsGen and ExampleValidator: TFX's, with lists in and out.

TFX's StatisticsGen and ExampleValidator take exactly one artifact. A run ingests every span that
arrived (pipeline/arrivals.py), and the test set beside them, so these run TFX's own executors once
per artifact and emit one output artifact per input, each in a sub-folder of the output URI.
"""

from tfx.types import standard_artifacts, standard_component_specs
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components import properties

EXAMPLES_KEY = standard_component_specs.EXAMPLES_KEY
TEST_EXAMPLES_KEY = properties.TEST_EXAMPLES_KEY
SCHEMA_KEY = standard_component_specs.SCHEMA_KEY
STATISTICS_KEY = properties.STATISTICS_KEY
ANOMALIES_KEY = properties.ANOMALIES_KEY
# On each output artifact: the id of the Examples artifact it describes, which pairs them downstream.
EXAMPLES_ID = properties.EXAMPLES_ID


class SpanStatisticsGenSpec(ComponentSpec):
    """TFDV statistics of each span of the arrival and of the test set."""

    PARAMETERS = {properties.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str)}
    INPUTS = {
        EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
        TEST_EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
        SCHEMA_KEY: ChannelParameter(type=standard_artifacts.Schema),
    }
    OUTPUTS = {STATISTICS_KEY: ChannelParameter(type=standard_artifacts.ExampleStatistics)}


class SpanExampleValidatorSpec(ComponentSpec):
    """TFDV's validation of each statistics artifact against the curated schema."""

    PARAMETERS = {properties.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str)}
    INPUTS = {
        STATISTICS_KEY: ChannelParameter(type=standard_artifacts.ExampleStatistics),
        SCHEMA_KEY: ChannelParameter(type=standard_artifacts.Schema),
    }
    OUTPUTS = {ANOMALIES_KEY: ChannelParameter(type=standard_artifacts.ExampleAnomalies)}
