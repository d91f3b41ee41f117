"""Real TFX artifacts as ML Metadata hands them to a resolver strategy: spans, drift reports, statistics, models.

Artifact ids come from one sequence in ML Metadata, so an id says which of two artifacts was created first.
"""

from tfx.types import standard_artifacts

from components.contract import properties
from components.drift_gate import checks
from components.drift_gate.artifact import DriftReport


def span_examples(artifact_id: int, span: int, version: int = 0) -> standard_artifacts.Examples:
    examples = standard_artifacts.Examples()
    examples.id = artifact_id
    examples.span = span
    examples.version = version
    return examples


def drift_report(artifact_id: int, *cleared: standard_artifacts.Examples) -> DriftReport:
    """A DriftReport as the drift gate publishes it, clearing ``cleared``."""
    report = DriftReport()
    report.id = artifact_id
    figures = [checks.DriftFigures(span=e.span, examples_id=e.id, compared_with=None) for e in cleared]
    report.set_string_custom_property(properties.DRIFT_REPORT, checks.report_json(figures))
    return report


def span_statistics(artifact_id: int, of: standard_artifacts.Examples | None) -> standard_artifacts.ExampleStatistics:
    """SpanStatisticsGen's statistics of ``of``; of the test set (span 0) when None."""
    statistics = standard_artifacts.ExampleStatistics()
    statistics.id = artifact_id
    statistics.span = of.span if of else 0
    statistics.set_int_custom_property(properties.EXAMPLES_ID, of.id if of else 2)
    return statistics


def trained_model(artifact_id: int) -> standard_artifacts.Model:
    model = standard_artifacts.Model()
    model.id = artifact_id
    return model


def model_blessing(artifact_id: int, model_id: int, blessed: int = 1) -> standard_artifacts.ModelBlessing:
    blessing = standard_artifacts.ModelBlessing()
    blessing.id = artifact_id
    blessing.set_int_custom_property(properties.CURRENT_MODEL_ID, model_id)
    blessing.set_int_custom_property(properties.BLESSED, blessed)
    return blessing


def ids(artifacts: list) -> list[int]:
    return [a.id for a in artifacts]


# Spans 1 to 4, ingested one after the other (ids 1, 5, 9, 13), each in version 0.
SPANS = [span_examples(1, 1), span_examples(5, 2), span_examples(9, 3), span_examples(13, 4)]
