"""The data half of the pipeline: ingestion of the arrival, validation, the drift gate and the training window."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from tfx.components.schema_gen.import_schema_gen.component import ImportSchemaGen
from tfx.dsl.components.base.base_node import BaseNode
from tfx.dsl.components.common.resolver import Resolver
from tfx.types import Channel, channel, standard_artifacts

from components.anomaly_gate.component import AnomalyGate
from components.contract import keys
from components.drift_gate.artifact import DriftReport
from components.drift_gate.component import DriftGate
from components.ingestion.component import FashionMnistExampleGen
from components.resolvers import previous_span_strategy, span_window_strategy
from components.span_validation.component import SpanExampleValidator, SpanStatisticsGen
from data.spans import SpannedDataset
from pipeline import node_ids
from pipeline.config import PipelineConfig
from pipeline.definition.fingerprint import source_fingerprint


@dataclasses.dataclass(frozen=True)
class DataNodes:
    """The data nodes, in order, and the channels the training half reads.

    Attributes:
      components: the nodes, in the order the pipeline lists them.
      window: the spans to train on (Examples, one per span).
      test_examples: the fixed test set.
      schema: the curated schema.
      drift_gate: the last data node: Transform runs after it.
      window_drift_reports: the drift reports that cleared the window's spans (for the model card).
    """

    components: list[BaseNode]
    window: channel.BaseChannel
    test_examples: channel.BaseChannel
    schema: channel.BaseChannel
    drift_gate: BaseNode
    window_drift_reports: channel.BaseChannel | None


def build(
    config: PipelineConfig,
    *,
    dataset: SpannedDataset,
    spans_to_ingest: Mapping[int, Mapping[str, object]],
    input_base: str,
    custom_resolvers: bool,
) -> DataNodes:
    """Ingestion of ``spans_to_ingest``, TFDV's checks per span, the drift gate and the window resolver.

    Without ``custom_resolvers`` (Kubeflow) there are no span resolvers: the drift gate compares the
    spans of the arrival with each other, and the window is the arrival.
    """
    example_gen = FashionMnistExampleGen(
        input_base=input_base,
        test_sha256=dataset.test_sha256,
        spans=spans_to_ingest,
        eval_fraction=config.eval_fraction,
        seed=config.training.seed,
        train_limit=config.train_limit,
        test_limit=config.test_limit,
        code_fingerprint=source_fingerprint(["components.ingestion.executor"]),
    ).with_id(node_ids.EXAMPLE_GEN)
    arrival = example_gen.outputs[keys.EXAMPLES_KEY]
    test_examples = example_gen.outputs[keys.TEST_EXAMPLES_KEY]
    schema_gen = ImportSchemaGen(schema_file=config.schema_file).with_id(node_ids.SCHEMA_GEN)
    schema = schema_gen.outputs[keys.SCHEMA_KEY]
    validation_code = source_fingerprint(["components.span_validation.executor"])
    statistics_gen = SpanStatisticsGen(
        examples=arrival, test_examples=test_examples, schema=schema, code_fingerprint=validation_code
    ).with_id(node_ids.STATISTICS_GEN)
    example_validator = SpanExampleValidator(
        statistics=statistics_gen.outputs[keys.STATISTICS_KEY], schema=schema, code_fingerprint=validation_code
    ).with_id(node_ids.EXAMPLE_VALIDATOR)
    anomaly_gate = AnomalyGate(
        anomalies=example_validator.outputs[keys.ANOMALIES_KEY],
        statistics=statistics_gen.outputs[keys.STATISTICS_KEY],
        code_fingerprint=source_fingerprint(["components.anomaly_gate.executor"]),
    ).with_id(node_ids.DATA_GATE)
    components: list[BaseNode] = [example_gen, schema_gen, statistics_gen, example_validator, anomaly_gate]

    # Every span ingested so far, and what the drift gate cleared: ML Metadata queries, not edges.
    all_spans = Channel(
        type=standard_artifacts.Examples,
        producer_component_id=node_ids.EXAMPLE_GEN,
        output_key=keys.EXAMPLES_KEY,
    )
    drift_reports = Channel(
        type=DriftReport, producer_component_id=node_ids.DRIFT_GATE, output_key=keys.DRIFT_REPORT_KEY
    )
    previous_span = None
    if custom_resolvers:
        previous_span = Resolver(
            strategy_class=previous_span_strategy.PreviousSpanStrategy,
            arrival_statistics=statistics_gen.outputs[keys.STATISTICS_KEY],
            examples=all_spans,
            drift_reports=drift_reports,
        ).with_id(node_ids.PREVIOUS_SPAN_RESOLVER)
        components.append(previous_span)
    drift_gate = DriftGate(
        examples=arrival,
        previous_examples=previous_span.outputs[keys.EXAMPLES_KEY] if previous_span else None,
        schema=schema,
        accept_drift=config.accept_drift,
        pixel_threshold=config.pixel_drift_threshold,
        code_fingerprint=source_fingerprint(["components.drift_gate.executor", "components.drift_gate.checks"]),
    ).with_id(node_ids.DRIFT_GATE)
    drift_gate.add_upstream_node(anomaly_gate)
    components.append(drift_gate)
    if not custom_resolvers:
        return DataNodes(
            components, arrival, test_examples, schema, drift_gate, drift_gate.outputs[keys.DRIFT_REPORT_KEY]
        )

    span_window = Resolver(
        strategy_class=span_window_strategy.SpanWindowStrategy,
        config={keys.NUM_SPANS_KEY: config.span_window},
        examples=all_spans,
        drift_reports=drift_reports,
    ).with_id(node_ids.SPAN_WINDOW_RESOLVER)
    span_window.add_upstream_node(drift_gate)
    components.append(span_window)
    return DataNodes(
        components,
        span_window.outputs[keys.EXAMPLES_KEY],
        test_examples,
        schema,
        drift_gate,
        span_window.outputs[keys.DRIFT_REPORTS_KEY],
    )
