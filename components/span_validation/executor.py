"""Executors of SpanStatisticsGen and SpanExampleValidator: TFX's own, run once per input artifact."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from typing import Any

from tfx.components.example_validator import executor as example_validator
from tfx.components.statistics_gen import executor as statistics_gen
from tfx.types import artifact

from components import artifact_list
from components.contract import keys, properties
from data import spans

TEST_FOLDER = "test"


def folder_name(examples: artifact.Artifact, *, test: bool) -> str:
    """One input's sub-folder of the output URI (TFX puts a list's artifacts in sub-folders)."""
    return TEST_FOLDER if test else f"{spans.SPAN_PREFIX}{examples.span}"


def _each(
    inputs: Sequence[tuple[artifact.Artifact, str]],
    outputs: list[artifact.Artifact],
    run_one: Callable[[artifact.Artifact, artifact.Artifact], None],
) -> None:
    """Runs ``run_one(input, output)`` for each input with an output artifact of its own; ``outputs`` becomes them."""
    made = artifact_list.spread(outputs, [folder for _, folder in inputs])
    for (source, _), output in zip(inputs, made, strict=True):
        output.span = source.span
        output.set_int_custom_property(
            properties.EXAMPLES_ID, source.get_int_custom_property(properties.EXAMPLES_ID) or source.id
        )
        run_one(source, output)


class StatisticsExecutor(statistics_gen.Executor):
    """TFX's StatisticsGen executor over each span and the test set."""

    def Do(self, input_dict: dict, output_dict: dict, exec_properties: dict[str, Any]) -> None:
        inputs = [(e, folder_name(e, test=False)) for e in sorted(input_dict[keys.EXAMPLES_KEY], key=lambda e: e.span)]
        inputs += [(e, folder_name(e, test=True)) for e in input_dict[keys.TEST_EXAMPLES_KEY]]
        schema = {keys.SCHEMA_KEY: input_dict[keys.SCHEMA_KEY]}

        def run_one(examples: artifact.Artifact, statistics: artifact.Artifact) -> None:
            super(StatisticsExecutor, self).Do(
                {keys.EXAMPLES_KEY: [examples], **schema}, {keys.STATISTICS_KEY: [statistics]}, exec_properties
            )

        _each(inputs, output_dict[keys.STATISTICS_KEY], run_one)


class ValidatorExecutor(example_validator.Executor):
    """TFX's ExampleValidator executor over each statistics artifact."""

    def Do(self, input_dict: dict, output_dict: dict, exec_properties: dict[str, Any]) -> None:
        inputs = [(s, posixpath.basename(s.uri.rstrip("/"))) for s in input_dict[keys.STATISTICS_KEY]]
        schema = {keys.SCHEMA_KEY: input_dict[keys.SCHEMA_KEY]}

        def run_one(statistics: artifact.Artifact, anomalies: artifact.Artifact) -> None:
            super(ValidatorExecutor, self).Do(
                {keys.STATISTICS_KEY: [statistics], **schema}, {keys.ANOMALIES_KEY: [anomalies]}, exec_properties
            )

        _each(inputs, output_dict[keys.ANOMALIES_KEY], run_one)
