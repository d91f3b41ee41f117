"""pipeline/metadata/spans.py: the spans a run ingested, named with their versions."""

from pipeline.inspection import cli
from pipeline.metadata import runs, spans
from tests.support.span_runs import PIPELINE, execution, span_examples


def test_a_span_ingested_again_is_named_with_its_version_and_a_failed_ingestion_has_no_span():
    again = execution(1, "FashionMnistExampleGen", outs=[span_examples(40, 2, version=1), span_examples(41, 4)])
    assert spans.ingestion([again]).describe() == "ingested span 2 version 1, span 4"
    assert spans.ingestion([execution(1, "FashionMnistExampleGen", "failed")]) is None
    overview = runs.overview(PIPELINE, "r", [execution(1, "FashionMnistExampleGen", "failed", error="boom")])
    assert cli.format_runs([overview])[2] == "    spans: none (the ExampleGen did not finish)"
