"""pipeline/metadata/spans.py: the spans a run ingested, named with their versions."""

import dataclasses
import json

from pipeline.inspection import cli
from pipeline.metadata import runs, spans, store
from tests.support.span_runs import PIPELINE, execution, span_examples


def test_a_span_ingested_again_is_named_with_its_version_and_a_failed_ingestion_has_no_span():
    again = execution(1, "FashionMnistExampleGen", outs=[span_examples(40, 2, version=1), span_examples(41, 4)])
    assert spans.ingestion([again]).describe() == "ingested span 2 version 1, span 4"
    assert spans.ingestion([execution(1, "FashionMnistExampleGen", "failed")]) is None
    overview = runs.overview(PIPELINE, "r", [execution(1, "FashionMnistExampleGen", "failed", error="boom")])
    assert cli.format_runs([overview])[2] == "    spans: none (the ExampleGen did not finish)"


def test_the_warnings_about_the_data_the_runner_noted_are_read_with_the_ingestion():
    """Issue 25, defects 1 and 6: what the console warned of at the start of the run, for inspect and the report."""
    warned = ["/d/Span-4: not a span folder, skipped", "/d/span-1: span 1 is gone from DATA_DIR"]
    noted = dataclasses.replace(
        execution(1, "FashionMnistExampleGen", outs=[span_examples(40, 2)]),
        notes={store.DATA_WARNINGS: json.dumps(warned)},
    )
    assert spans.ingestion([noted]).warnings == tuple(warned)
    assert "  warning: /d/Span-4: not a span folder, skipped" in cli.format_spans(spans.run_spans([noted]))
    assert spans.ingestion([execution(1, "FashionMnistExampleGen", outs=[span_examples(40, 2)])]).warnings == ()
