"""pipeline/definition/arrivals.py: which spans a run ingests, from what ML Metadata says was ingested before."""

from pathlib import Path

import pytest

from data.spans import Span, SpannedDataset
from pipeline.definition import arrivals
from pipeline.definition.arrivals import Arrival, Ingested

ROOT = Path("/data/fashion")


def _span(number: int, content: str = "a", count: int = 100) -> Span:
    return Span(
        number=number,
        directory=ROOT / f"span-{number}",
        sha256={
            "train-images-idx3-ubyte.gz": f"{content}{number}i",
            "train-labels-idx1-ubyte.gz": f"{content}{number}l",
        },
        count=count,
    )


def _dataset(*spans: Span) -> SpannedDataset:
    return SpannedDataset(
        root=ROOT, test_sha256={}, test_count=20, spans=tuple(spans), official=False, source="fixture"
    )


def _ingest(arrival: Arrival, ingested: dict[int, Ingested], last: list[int]) -> tuple[dict[int, Ingested], list[int]]:
    """What ML Metadata holds after the ExampleGen ran on ``arrival`` (as read_ingested would read it)."""
    after = dict(ingested)
    for number, record in arrival.spans.items():
        after[number] = Ingested(number, int(record["version"]), dict(record["sha256"]))
    return after, sorted(arrival.spans) if arrival.spans else last


def _versions(arrival: Arrival) -> dict[int, int]:
    return {n: r["version"] for n, r in arrival.spans.items()}


def test_record_tells_the_example_gen_the_folder_hashes_count_and_version():
    span = _span(2, count=37)
    assert arrivals.record(_dataset(span), span, 4) == {
        "folder": "span-2",
        "sha256": span.sha256,
        "count": 37,
        "version": 4,
    }


def test_record_of_the_flat_layout_names_the_data_folder_itself():
    flat = Span(number=1, directory=ROOT, sha256={"x": "1"}, count=60)
    assert arrivals.record(_dataset(flat), flat, 0)["folder"] == "."


def test_record_copies_the_hashes():
    span = _span(1)
    record = arrivals.record(_dataset(span), span, 0)
    record["sha256"]["train-images-idx3-ubyte.gz"] = "changed"
    assert span.sha256["train-images-idx3-ubyte.gz"] == "a1i"


def test_the_first_run_ingests_every_span_as_version_0():
    dataset = _dataset(_span(1), _span(2), _span(5))
    arrival = arrivals.plan(dataset, {}, [])
    assert arrival.new
    assert arrival.spans == {n: arrivals.record(dataset, _span(n), 0) for n in (1, 2, 5)}


def test_a_new_span_is_ingested_alone():
    ingested, last = _ingest(arrivals.plan(_dataset(_span(1), _span(2)), {}, []), {}, [])
    arrival = arrivals.plan(_dataset(_span(1), _span(2), _span(3)), ingested, last)
    assert arrival.new
    assert _versions(arrival) == {3: 0}


def test_several_new_spans_are_all_ingested():
    ingested, last = _ingest(arrivals.plan(_dataset(_span(1)), {}, []), {}, [])
    arrival = arrivals.plan(_dataset(_span(1), _span(2), _span(3), _span(7)), ingested, last)
    assert arrival.new
    assert _versions(arrival) == {2: 0, 3: 0, 7: 0}


def test_a_span_whose_files_changed_is_ingested_again_one_version_up():
    ingested = {1: Ingested(1, 0, _span(1).sha256), 2: Ingested(2, 2, _span(2).sha256)}
    arrival = arrivals.plan(_dataset(_span(1), _span(2, content="b")), ingested, [2])
    assert arrival.new
    assert arrival.spans == {2: arrivals.record(_dataset(), _span(2, content="b"), 3)}


def test_a_new_span_and_a_changed_span_arrive_together():
    ingested = {1: Ingested(1, 0, _span(1).sha256)}
    arrival = arrivals.plan(_dataset(_span(1, content="b"), _span(2)), ingested, [1])
    assert _versions(arrival) == {1: 1, 2: 0}


def test_with_nothing_new_the_last_ingestion_stands_exactly_as_it_was_recorded():
    """The records equal the last ingestion's, so the ExampleGen's properties, and TFX's cache key, do not change."""
    dataset = _dataset(_span(1), _span(2))
    first = arrivals.plan(dataset, {}, [])
    ingested, last = _ingest(first, {}, [])

    rerun = arrivals.plan(dataset, ingested, last)
    assert not rerun.new
    assert rerun.spans == first.spans


def test_a_rerun_after_an_arrival_repeats_that_arrival_only():
    ingested, last = _ingest(arrivals.plan(_dataset(_span(1), _span(2)), {}, []), {}, [])
    dataset = _dataset(_span(1), _span(2), _span(3))
    third = arrivals.plan(dataset, ingested, last)
    ingested, last = _ingest(third, ingested, last)

    rerun = arrivals.plan(dataset, ingested, last)
    assert not rerun.new
    assert rerun.spans == third.spans == {3: arrivals.record(dataset, _span(3), 0)}


def test_a_rerun_after_a_reingestion_keeps_its_version():
    ingested = {1: Ingested(1, 0, _span(1).sha256), 2: Ingested(2, 0, _span(2).sha256)}
    dataset = _dataset(_span(1), _span(2, content="b"))
    changed = arrivals.plan(dataset, ingested, [1, 2])
    ingested, last = _ingest(changed, ingested, [1, 2])

    rerun = arrivals.plan(dataset, ingested, last)
    assert not rerun.new
    assert rerun.spans == changed.spans
    assert _versions(rerun) == {2: 1}


def test_a_span_whose_files_went_back_to_an_earlier_content_is_ingested_again():
    ingested = {1: Ingested(1, 1, _span(1, content="b").sha256)}
    assert _versions(arrivals.plan(_dataset(_span(1)), ingested, [1])) == {1: 2}


def test_a_span_of_the_last_ingestion_no_longer_in_the_data_folder_is_left_out():
    ingested = {1: Ingested(1, 0, _span(1).sha256), 2: Ingested(2, 0, _span(2).sha256)}
    arrival = arrivals.plan(_dataset(_span(1)), ingested, [1, 2])
    assert not arrival.new
    assert _versions(arrival) == {1: 0}


@pytest.mark.parametrize(
    ("arrival", "text"),
    [
        (Arrival({2: {}}, new=True), "ingesting span 2"),
        (Arrival({20: {}, 3: {}}, new=True), "ingesting spans 3, 20"),
        (Arrival({2: {}, 1: {}}, new=False), "no new span: the last ingestion (span 1, 2) stands"),
    ],
)
def test_describe(arrival: Arrival, text: str):
    assert arrival.describe() == text


def test_read_ingested_without_a_store_is_empty(tmp_path: Path):
    assert arrivals.read_ingested(tmp_path / "metadata.sqlite", "fashion_mnist") == ({}, [])


def test_without_a_store_every_span_is_new(tmp_path: Path):
    dataset = _dataset(_span(1), _span(4))
    arrival = arrivals.spans_to_ingest(dataset, tmp_path / "metadata.sqlite", "fashion_mnist")
    assert arrival.new and _versions(arrival) == {1: 0, 4: 0}
