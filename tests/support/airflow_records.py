"""What TFX's Airflow runner writes to ML Metadata, written by the same writer an Airflow task uses.

TFX's Airflow runner launches components the way TFX did before its intermediate representation
(``run`` and ``component_run`` contexts, a ``component_id`` property). The records here are written
by that same writer (tfx.orchestration.metadata), as an Airflow task does.
"""

import json
from pathlib import Path

from tfx.orchestration import data_types, metadata
from tfx.types import standard_artifacts

from components.contract import keys, properties
from pipeline import node_ids

PIPELINE = "fashion_mnist_smoke"


def _component(run_id: str, node_id: str) -> data_types.ComponentInfo:
    pipeline = data_types.PipelineInfo(PIPELINE, "/pipeline_root", run_id=run_id)
    return data_types.ComponentInfo(f"components.{node_id}", node_id, pipeline)


def spans_record(span: int) -> dict:
    """What the local runner tells the ExampleGen of ``span`` (pipeline/definition/arrivals.py ``record``)."""
    return {str(span): {"folder": f"span-{span}", "sha256": {"train.gz": f"hash{span}"}, "count": 10, "version": 0}}


def airflow_run(store: Path, run_id: str, *, span: int, cleared: bool = False) -> None:
    """One Airflow run's records: an ExampleGen that emitted ``span``, and a DriftGate still running (or, with
    ``cleared``, done: it cleared the span)."""
    with metadata.Metadata(metadata.sqlite_metadata_connection_config(str(store))) as m:
        example_gen = _component(run_id, node_ids.EXAMPLE_GEN)
        contexts = m.register_pipeline_contexts_if_not_exists(example_gen.pipeline_info)
        m.register_execution(
            pipeline_info=example_gen.pipeline_info,
            component_info=example_gen,
            contexts=list(contexts),
            exec_properties={keys.SPANS_KEY: json.dumps(spans_record(span), sort_keys=True)},
        )
        examples = standard_artifacts.Examples()
        examples.uri = f"/pipeline_root/{run_id}/span-{span}"
        examples.span = span
        examples.set_string_custom_property(properties.SPAN_SHA256, json.dumps({"train.gz": f"hash{span}"}))
        m.publish_execution(component_info=example_gen, output_artifacts={keys.EXAMPLES_KEY: [examples]})
        gate = _component(run_id, node_ids.DRIFT_GATE)
        m.register_execution(
            pipeline_info=gate.pipeline_info,
            component_info=gate,
            contexts=list(contexts),
            input_artifacts={keys.EXAMPLES_KEY: [examples]} if cleared else None,
        )
        if cleared:
            m.publish_execution(component_info=gate)
