"""pipeline/metadata/drift.py: the figures of a drift gate that stopped the run, measured again."""

import dataclasses
import json
from pathlib import Path

import pytest

from components.contract import keys
from components.drift_gate import checks
from pipeline.metadata import drift, outcomes
from tests.support.span_runs import INVERTED, NORMAL, STOP, FakeStore, five_runs


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    return five_runs(tmp_path, monkeypatch)


def test_without_a_recorded_message_the_reason_is_measured_again_and_names_span_measure_and_amount(
    store: FakeStore,
):
    gate = dataclasses.replace(store.by_run["r4"][1], error=None)
    result, reason = outcomes.outcome([store.by_run["r4"][0], gate])
    figure = drift.measure_again(gate)[0]
    assert result == outcomes.STOPPED_BY_DRIFT
    assert reason == STOP.format(figure.pixel_distance) and figure.pixel_distance > 0.1
    assert (figure.span, figure.compared_with, figure.label_threshold) == (3, 2, 0.05), "threshold from the schema"


def _profile(profile: dict) -> checks.SpanProfile:
    return checks.SpanProfile.from_json(json.dumps(profile))


def test_measuring_again_is_the_gates_own_comparison_with_the_schemas_threshold(store: FakeStore):
    gate = store.by_run["r4"][1]
    assert drift.measure_again(gate) == checks.compare_arrival(
        [(3, 33, _profile(INVERTED))],
        (2, _profile(NORMAL)),
        label_threshold=0.05,
        pixel_threshold=checks.DEFAULT_PIXEL_THRESHOLD,
    )
    without_schema = dataclasses.replace(gate, inputs=[a for a in gate.inputs if a.key != keys.SCHEMA_KEY])
    assert [f.label_threshold for f in drift.measure_again(without_schema)] == [0.0], "no schema: the label not gated"
