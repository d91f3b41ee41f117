"""pipeline/definition/arrivals.py on the records TFX's Airflow runner writes (tests/support/airflow_records.py)."""

from pathlib import Path

from data.spans import Span, SpannedDataset
from pipeline.definition import arrivals
from tests.support.airflow_records import PIPELINE, airflow_run, spans_record


def test_the_spans_airflow_runs_ingested_are_known_to_the_next_run(tmp_path: Path):
    store_path = tmp_path / "metadata.sqlite"
    airflow_run(store_path, "span-1", span=1, cleared=True)
    airflow_run(store_path, "span-2", span=2)
    history = arrivals.read_history(store_path, PIPELINE)
    assert [sorted(i.spans) for i in history] == [[1], [2]]
    assert history[1].spans[2].sha256 == {"train.gz": "hash2"}
    assert (history[0].spans[1].cleared, history[1].spans[2].cleared) == (True, False), "the drift gate's verdicts"
    assert [i.run_id for i in history] == ["span-1", "span-2"]
    assert history[0].records == {1: spans_record(1)["1"]}, "the ExampleGen's spans parameter, as it was given"


def test_a_withdrawn_span_leaves_the_recorded_ingestion_of_the_cleared_ones_standing(tmp_path: Path):
    """Issue 25, defect 1, on ML Metadata's own records: span 2 stopped and withdrawn, span 1's ingestion stands."""
    store_path = tmp_path / "metadata.sqlite"
    airflow_run(store_path, "span-1", span=1, cleared=True)
    airflow_run(store_path, "span-2", span=2)
    root = tmp_path / "data"
    dataset = SpannedDataset(root, {}, 10, (Span(1, root / "span-1", {"train.gz": "hash1"}, 10),), False, "fixture")
    arrival = arrivals.spans_to_ingest(dataset, store_path, PIPELINE)
    assert not arrival.new and arrival.spans == {1: spans_record(1)["1"]} and arrival.withdrawn == (2,)
