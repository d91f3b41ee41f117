"""Component specs of the per-span StatisticsGen and ExampleValidator: TFX's, with lists in and out.

TFX's StatisticsGen and ExampleValidator take exactly one artifact. A run ingests every span that
arrived (pipeline/definition/arrivals.py), and the test set beside them, so these run TFX's own executors once
per artifact and emit one output artifact per input, each in a sub-folder of the output URI.
"""

from tfx.types import standard_artifacts
from tfx.types.component_spec import ChannelParameter, ComponentSpec, ExecutionParameter

from components.contract import keys, properties

EXAMPLES_ID = properties.EXAMPLES_ID


class SpanStatisticsGenSpec(ComponentSpec):
    """TFDV statistics of each span of the arrival and of the test set."""

    PARAMETERS = {keys.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str)}
    INPUTS = {
        keys.EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
        keys.TEST_EXAMPLES_KEY: ChannelParameter(type=standard_artifacts.Examples),
        keys.SCHEMA_KEY: ChannelParameter(type=standard_artifacts.Schema),
    }
    OUTPUTS = {keys.STATISTICS_KEY: ChannelParameter(type=standard_artifacts.ExampleStatistics)}


class SpanExampleValidatorSpec(ComponentSpec):
    """TFDV's validation of each statistics artifact against the curated schema."""

    PARAMETERS = {keys.CODE_FINGERPRINT_KEY: ExecutionParameter(type=str)}
    INPUTS = {
        keys.STATISTICS_KEY: ChannelParameter(type=standard_artifacts.ExampleStatistics),
        keys.SCHEMA_KEY: ChannelParameter(type=standard_artifacts.Schema),
    }
    OUTPUTS = {keys.ANOMALIES_KEY: ChannelParameter(type=standard_artifacts.ExampleAnomalies)}
