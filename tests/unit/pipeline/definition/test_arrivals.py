"""pipeline/definition/arrivals.py: which spans a run ingests, from what ML Metadata says was ingested before."""

from pathlib import Path

import pytest

from data import idx
from data.spans import Span, SpannedDataset
from pipeline.definition import arrivals
from pipeline.definition.arrivals import Arrival, Ingested, Ingestion

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


def _ingest(arrival: Arrival, history: list[Ingestion], *, cleared: bool = True) -> list[Ingestion]:
    """What ML Metadata holds after the ExampleGen ran on ``arrival`` and the drift gate cleared it, or stopped
    the run (``cleared=False``), as read_history would read it."""
    spans = {n: Ingested(n, int(r["version"]), dict(r["sha256"]), cleared=cleared) for n, r in arrival.spans.items()}
    return [*history, Ingestion(spans, records=dict(arrival.spans), run_id=f"run-{len(history) + 1}")]


def _history(*arrivals_of_runs: tuple[SpannedDataset, bool]) -> list[Ingestion]:
    """The history after one run per (data folder, cleared) in turn."""
    history: list[Ingestion] = []
    for dataset, cleared in arrivals_of_runs:
        history = _ingest(arrivals.plan(dataset, history), history, cleared=cleared)
    return history


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
    arrival = arrivals.plan(dataset, [])
    assert arrival.new
    assert arrival.spans == {n: arrivals.record(dataset, _span(n), 0) for n in (1, 2, 5)}


def test_a_new_span_is_ingested_alone():
    history = _history((_dataset(_span(1), _span(2)), True))
    arrival = arrivals.plan(_dataset(_span(1), _span(2), _span(3)), history)
    assert arrival.new
    assert _versions(arrival) == {3: 0}


def test_several_new_spans_are_all_ingested():
    history = _history((_dataset(_span(1)), True))
    arrival = arrivals.plan(_dataset(_span(1), _span(2), _span(3), _span(7)), history)
    assert arrival.new
    assert _versions(arrival) == {2: 0, 3: 0, 7: 0}


def test_a_span_whose_files_changed_is_ingested_again_one_version_up():
    history = [Ingestion({1: Ingested(1, 0, _span(1).sha256, True), 2: Ingested(2, 2, _span(2).sha256, True)}, {})]
    arrival = arrivals.plan(_dataset(_span(1), _span(2, content="b")), history)
    assert arrival.new
    assert arrival.spans == {2: arrivals.record(_dataset(), _span(2, content="b"), 3)}


def test_a_new_span_and_a_changed_span_arrive_together():
    history = [Ingestion({1: Ingested(1, 0, _span(1).sha256, True)}, {})]
    arrival = arrivals.plan(_dataset(_span(1, content="b"), _span(2)), history)
    assert _versions(arrival) == {1: 1, 2: 0}


def test_with_nothing_new_the_last_ingestion_stands_exactly_as_it_was_recorded():
    """The records equal the last ingestion's, so the ExampleGen's properties, and TFX's cache key, do not change."""
    dataset = _dataset(_span(1), _span(2))
    first = arrivals.plan(dataset, [])
    rerun = arrivals.plan(dataset, _ingest(first, []))
    assert not rerun.new
    assert rerun.spans == first.spans
    assert rerun.describe() == (
        "no new span: DATA_DIR's spans 1, 2 are as ingested before; the ingestion of spans 1, 2 by run run-1 stands"
    )


def test_a_rerun_after_an_arrival_repeats_that_arrival_only():
    history = _history((_dataset(_span(1), _span(2)), True))
    dataset = _dataset(_span(1), _span(2), _span(3))
    third = arrivals.plan(dataset, history)
    rerun = arrivals.plan(dataset, _ingest(third, history))
    assert not rerun.new
    assert rerun.spans == third.spans == {3: arrivals.record(dataset, _span(3), 0)}


def test_a_rerun_after_a_drift_stop_repeats_the_stopped_ingestion():
    """The drift gate measures the span again (a stopped span is never trained on unless accepted)."""
    dataset = _dataset(_span(1), _span(2))
    history = _history((_dataset(_span(1)), True), (dataset, False))
    rerun = arrivals.plan(dataset, history)
    assert not rerun.new and _versions(rerun) == {2: 0}


def test_a_rerun_after_a_reingestion_keeps_its_version():
    history = _history((_dataset(_span(1), _span(2)), True))
    dataset = _dataset(_span(1), _span(2, content="b"))
    changed = arrivals.plan(dataset, history)
    rerun = arrivals.plan(dataset, _ingest(changed, history))
    assert not rerun.new
    assert rerun.spans == changed.spans
    assert _versions(rerun) == {2: 1}


def test_a_span_whose_files_went_back_to_an_earlier_content_is_ingested_again():
    history = [Ingestion({1: Ingested(1, 1, _span(1, content="b").sha256, True)}, {})]
    assert _versions(arrivals.plan(_dataset(_span(1)), history)) == {1: 2}


# --- spans gone from the data folder (issue 25, defect 1) -------------------------------------------


def test_a_withdrawn_drifted_span_leaves_the_ingestion_the_served_model_came_from_standing():
    """Spans 1 and 2 trained; span 3 stopped twice (two contents); its folder removed: nothing to ingest, and the
    ExampleGen is given exactly what it was given for span 2, so every component answers from the cache."""
    one, two = _dataset(_span(1)), _dataset(_span(1), _span(2))
    history = _history(
        (one, True),
        (two, True),
        (_dataset(_span(1), _span(2), _span(3, content="inverted")), False),
        (_dataset(_span(1), _span(2), _span(3, content="skewed")), False),
    )
    arrival = arrivals.plan(two, history)
    assert not arrival.new
    assert arrival.spans == history[1].records
    assert arrival.withdrawn == (3,) and arrival.warnings == ()
    assert arrival.describe() == (
        "no new span: DATA_DIR's spans 1, 2 are as ingested before; span 3 is gone, never cleared by the drift "
        "gate: withdrawn; the ingestion of span 2 by run run-2 stands"
    )


def test_a_withdrawn_span_delivered_again_unchanged_is_measured_again():
    """It is still not cleared: its ingestion stands again, and the drift gate stops the run again."""
    three = _dataset(_span(1), _span(2), _span(3))
    history = _history((_dataset(_span(1), _span(2)), True), (three, False))
    history = _ingest(arrivals.plan(_dataset(_span(1), _span(2)), history), history)
    arrival = arrivals.plan(three, history)
    assert not arrival.new and arrival.spans == history[1].records


def test_a_trained_span_gone_from_the_data_folder_stays_and_is_named():
    """Its examples are in ML Metadata: the ingestion that holds it is repeated as recorded, folder gone or not."""
    history = _history((_dataset(_span(1), _span(2)), True))
    arrival = arrivals.plan(_dataset(_span(2)), history)
    assert not arrival.new and arrival.spans == history[0].records
    assert arrival.withdrawn == ()
    assert arrival.warnings == (
        f"{ROOT / 'span-1'}: span 1 is gone from DATA_DIR; the drift gate cleared it (version 0), so the training "
        "window keeps its examples, ingested before (ML Metadata)",
    )


def test_a_stopped_span_whose_companion_was_withdrawn_is_ingested_again_alone():
    """Spans 3 and 4 arrived together and were stopped; span 4 withdrawn: span 3 is measured again, not skipped."""
    history = _history((_dataset(_span(1)), True), (_dataset(_span(1), _span(3), _span(4)), False))
    arrival = arrivals.plan(_dataset(_span(1), _span(3)), history)
    assert arrival.new and _versions(arrival) == {3: 0}
    assert arrival.withdrawn == (4,)
    assert arrival.describe() == "ingesting span 3 again (span 4 is gone, never cleared by the drift gate: withdrawn)"


def test_a_withdrawn_version_leaves_the_version_the_gate_cleared_standing():
    """Span 2's new files were stopped, then its folder removed: the window still holds version 0."""
    history = _history((_dataset(_span(1), _span(2)), True), (_dataset(_span(1), _span(2, content="b")), False))
    arrival = arrivals.plan(_dataset(_span(1)), history)
    assert not arrival.new and arrival.spans == history[0].records
    assert arrival.withdrawn == (2,) and len(arrival.warnings) == 1 and "(version 0)" in arrival.warnings[0]


# --- copies of ingested spans (issue 25, defect 7) ---------------------------------------------------


def test_a_new_span_holding_the_images_of_a_span_ingested_before_is_refused():
    history = _history((_dataset(_span(1)), True))
    copy = Span(4, ROOT / "span-4", dict(_span(1).sha256), 100)
    with pytest.raises(idx.IdxError) as refused:
        arrivals.plan(_dataset(copy), history)
    assert str(refused.value) == (
        f"{ROOT / 'span-4'}: the same images as span 1 (version 0), ingested before; "
        "a span is trained on once: remove the copy"
    )


@pytest.mark.parametrize(
    ("arrival", "text"),
    [
        (Arrival({2: {}}, new=True), "ingesting span 2"),
        (Arrival({20: {}, 3: {}}, new=True), "ingesting spans 3, 20"),
        (Arrival({3: {}}, new=True, withdrawn=(4, 5)), "ingesting span 3 (spans 4, 5 are gone, never cleared by "
         "the drift gate: withdrawn)"),
    ],
)  # fmt: skip
def test_describe(arrival: Arrival, text: str):
    assert arrival.describe() == text


def test_read_history_without_a_store_is_empty(tmp_path: Path):
    assert arrivals.read_history(tmp_path / "metadata.sqlite", "fashion_mnist") == []


def test_without_a_store_every_span_is_new(tmp_path: Path):
    dataset = _dataset(_span(1), _span(4))
    arrival = arrivals.spans_to_ingest(dataset, tmp_path / "metadata.sqlite", "fashion_mnist")
    assert arrival.new and _versions(arrival) == {1: 0, 4: 0}
