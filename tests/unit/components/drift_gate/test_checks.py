"""components/drift_gate/checks.py: the two drift measures, the figures of a span, the comparison of an arrival,
the schema's label threshold, and the gate's decision."""

import json

import numpy as np
import pytest
from google.protobuf import text_format
from tensorflow_metadata.proto.v0 import schema_pb2

from components.contract import features
from components.drift_gate import checks
from components.drift_gate.checks import DriftError, DriftFigures
from components.ingestion import examples
from pipeline.config import SCHEMA_PATH
from tests.support.idx_fixtures import garment_images

BALANCED = (10,) * 10
CLASS_3_GAINED = (10, 10, 10, 30, 10, 10, 10, 10, 10, 10)  # class 3: 30 of 120 = 0.25, was 0.10


def _histogram(images: np.ndarray) -> tuple[int, ...]:
    return tuple(examples.span_profile(images, np.zeros(len(images), dtype=np.uint8))["pixel_histogram"])


# --- label_linf -----------------------------------------------------------------------------------


def test_label_linf_of_identical_counts_is_zero():
    assert checks.label_linf(BALANCED, BALANCED) == (0.0, 0)


def test_label_linf_compares_shares_not_counts():
    assert checks.label_linf(tuple(3 * c for c in BALANCED), BALANCED)[0] == pytest.approx(0.0)


def test_label_linf_is_the_largest_change_of_a_share_and_its_class():
    current = (10, 10, 10, 30, 10, 10, 10, 10, 10, 10)  # class 3: 30 of 120 = 0.25, was 0.10
    value, worst = checks.label_linf(current, BALANCED)
    assert value == pytest.approx(0.15)
    assert worst == 3


def test_label_linf_counts_a_class_that_lost_share():
    current = (10, 10, 10, 10, 10, 10, 10, 0, 10, 10)  # class 7: 0, was 0.10; the others 1/9 from 1/10
    value, worst = checks.label_linf(current, BALANCED)
    assert value == pytest.approx(0.10)
    assert worst == 7


# --- pixel_js_distance ----------------------------------------------------------------------------


def test_pixel_distance_of_identical_histograms_is_zero():
    histogram = _histogram(garment_images(40, seed=0))
    assert checks.pixel_js_distance(histogram, histogram) == 0.0


def test_pixel_distance_is_symmetric_and_within_0_and_1():
    a, b = _histogram(garment_images(40, seed=0)), _histogram(255 - garment_images(40, seed=1))
    forward, backward = checks.pixel_js_distance(a, b), checks.pixel_js_distance(b, a)
    assert forward == pytest.approx(backward, abs=1e-12)
    assert 0.0 < forward <= 1.0


def test_pixel_distance_of_disjoint_histograms_is_one():
    dark = np.zeros(256, dtype=np.int64)
    dark[:16] = 5  # all in the first of the 16 bins
    light = dark[::-1]
    assert checks.pixel_js_distance(dark, light) == pytest.approx(1.0)


def test_pixel_distance_compares_16_bins_of_16_levels():
    # Two histograms that differ only inside one 16-level bin are the same at that resolution.
    a = np.zeros(256, dtype=np.int64)
    b = np.zeros(256, dtype=np.int64)
    a[0], b[15] = 100, 100
    assert checks.pixel_js_distance(a, b) == 0.0
    b[15], b[16] = 0, 100  # the next bin
    assert checks.pixel_js_distance(a, b) == pytest.approx(1.0)


def test_inverted_pixels_are_far_and_a_half_sample_of_the_same_pixels_is_near():
    images = garment_images(200, seed=0)
    histogram = _histogram(images)
    inverted = checks.pixel_js_distance(_histogram(255 - images), histogram)
    half = np.random.default_rng(1).choice(len(images), size=len(images) // 2, replace=False)
    sampled = checks.pixel_js_distance(_histogram(images[half]), histogram)
    assert inverted > checks.DEFAULT_PIXEL_THRESHOLD
    assert sampled < checks.DEFAULT_PIXEL_THRESHOLD
    assert sampled < inverted / 10, "the threshold sits well between chance and a real change"


# --- DriftFigures ---------------------------------------------------------------------------------


def _figures(**overrides) -> DriftFigures:
    values = {
        "span": 3,
        "examples_id": 31,
        "compared_with": 2,
        "label_linf": 0.01,
        "label_class": 9,
        "label_threshold": 0.05,
        "pixel_distance": 0.02,
        "pixel_threshold": 0.10,
    }
    return DriftFigures(**{**values, **overrides})


def test_figures_within_the_thresholds_did_not_drift():
    figures = _figures()
    assert figures.drifted == []
    assert figures.describe() == "span 3 against span 2: within the thresholds"


def test_a_label_change_over_the_threshold_is_drift_named_with_its_class():
    figures = _figures(label_linf=0.15)
    assert figures.drifted == [
        f"label distribution L-infinity 0.150 > 0.05 (class 9 {features.CLASS_NAMES[9]})",
    ]
    assert figures.describe() == f"span 3 against span 2: {figures.drifted[0]}"


def test_a_pixel_change_over_the_threshold_is_drift():
    figures = _figures(pixel_distance=0.234)
    assert figures.drifted == ["pixel distribution Jensen-Shannon 0.234 > 0.1"]


def test_both_measures_are_named_when_both_moved():
    figures = _figures(label_linf=0.2, pixel_distance=0.3)
    assert [d.split(" L-infinity")[0].split(" Jensen")[0] for d in figures.drifted] == [
        "label distribution",
        "pixel distribution",
    ]
    assert figures.describe() == f"span 3 against span 2: {figures.drifted[0]}; {figures.drifted[1]}"


def test_a_figure_equal_to_its_threshold_is_not_drift():
    assert _figures(label_linf=0.05, pixel_distance=0.10).drifted == []


def test_without_a_label_threshold_the_label_never_drifts():
    assert _figures(label_linf=0.9, label_threshold=0.0).drifted == []


def test_the_first_span_never_drifts():
    first = _figures(compared_with=None, label_linf=1.0, pixel_distance=1.0)
    assert first.drifted == []
    assert first.describe() == "span 3: the first span, nothing to compare with"


def test_figures_round_trip_through_json_text():
    for figures in (_figures(label_linf=0.15, accepted=True), _figures(compared_with=None)):
        assert DriftFigures.from_json(json.loads(json.dumps(figures.to_json()))) == figures


def test_a_report_round_trips():
    figures = [_figures(compared_with=None, span=1), _figures(span=2, compared_with=1, accepted=True)]
    assert checks.read_report(checks.report_json(figures)) == figures


def test_span_profile_round_trips_from_the_ingestion_json():
    images = garment_images(5, seed=2)
    labels = np.array([0, 3, 3, 9, 1], dtype=np.uint8)
    profile = checks.SpanProfile.from_json(json.dumps(examples.span_profile(images, labels)))
    assert profile.label_counts == (1, 1, 0, 2, 0, 0, 0, 0, 0, 1)
    assert sum(profile.pixel_histogram) == 5 * 28 * 28
    assert len(profile.pixel_histogram) == 256


# --- measure, compare_arrival -----------------------------------------------------------------------


def test_measure_of_the_first_span_compares_with_nothing():
    profile = checks.SpanProfile(BALANCED, _histogram(garment_images(10, seed=0)))
    figures = checks.measure(1, 11, profile, None, label_threshold=0.05, pixel_threshold=0.2)
    assert figures == DriftFigures(span=1, examples_id=11, compared_with=None, pixel_threshold=0.2)


def test_measure_against_the_previous_span():
    images = garment_images(40, seed=0)
    previous = checks.SpanProfile(BALANCED, _histogram(images))
    current = checks.SpanProfile(CLASS_3_GAINED, _histogram(255 - images))
    figures = checks.measure(4, 41, current, (2, previous), label_threshold=0.05, pixel_threshold=0.1)
    assert (figures.span, figures.examples_id, figures.compared_with) == (4, 41, 2)
    assert (figures.label_linf, figures.label_class) == (pytest.approx(0.15), 3)
    assert figures.pixel_distance == checks.pixel_js_distance(current.pixel_histogram, previous.pixel_histogram)
    assert (figures.label_threshold, figures.pixel_threshold) == (0.05, 0.1), "the thresholds given"


def _arrival_profiles() -> tuple[checks.SpanProfile, ...]:
    """Span 1; span 2, whose class 3 gained; span 3, balanced again but with inverted pixels."""
    images = garment_images(40, seed=0)
    return (
        checks.SpanProfile(BALANCED, _histogram(images)),
        checks.SpanProfile(CLASS_3_GAINED, _histogram(images)),
        checks.SpanProfile(BALANCED, _histogram(255 - images)),
    )


def test_compare_arrival_compares_each_span_in_span_order_with_the_one_before_it():
    one, two, three = _arrival_profiles()
    figures = checks.compare_arrival(
        [(3, 31, three), (2, 21, two)], (1, one), label_threshold=0.05, pixel_threshold=0.1
    )
    assert [(f.span, f.examples_id, f.compared_with) for f in figures] == [(2, 21, 1), (3, 31, 2)]
    assert figures == [
        checks.measure(2, 21, two, (1, one), label_threshold=0.05, pixel_threshold=0.1),
        checks.measure(3, 31, three, (2, two), label_threshold=0.05, pixel_threshold=0.1),
    ]
    # Span 3 against span 2 (class 3 lost its gain), not against span 1 (the same labels).
    assert figures[1].label_linf == pytest.approx(0.15) and figures[1].pixel_distance > 0.1
    assert figures[0].pixel_distance == 0.0


def test_compare_arrival_gives_the_first_span_nothing_to_compare_without_a_previous_span():
    one, two, _ = _arrival_profiles()
    figures = checks.compare_arrival([(2, 21, two), (1, 11, one)], None, label_threshold=0.05, pixel_threshold=0.2)
    assert figures[0] == DriftFigures(span=1, examples_id=11, compared_with=None, pixel_threshold=0.2)
    assert (figures[1].span, figures[1].compared_with, figures[1].label_linf) == (2, 1, pytest.approx(0.15))
    assert checks.compare_arrival([], None, label_threshold=0.05, pixel_threshold=0.2) == []


@pytest.mark.parametrize("threshold", [0.05, 0.2, 0.0])
def test_compare_arrival_carries_the_schemas_label_threshold_on_every_compared_figure(threshold: float):
    one, two, three = _arrival_profiles()
    arrival = [(2, 21, two), (3, 31, three)]
    figures = checks.compare_arrival(arrival, (1, one), label_threshold=threshold, pixel_threshold=0.1)
    assert [f.label_threshold for f in figures] == [threshold, threshold]
    label_drifted = [any(d.startswith("label") for d in f.drifted) for f in figures]
    assert label_drifted == [0 < threshold < 0.15] * 2, "0: the schema sets no comparator, the label is not gated"


# --- label_threshold --------------------------------------------------------------------------------


def _schema(text: str) -> schema_pb2.Schema:
    return text_format.Parse(text, schema_pb2.Schema())


def test_the_label_threshold_is_the_schemas_l_infinity_comparator_on_label():
    assert checks.label_threshold(_schema(SCHEMA_PATH.read_text())) == pytest.approx(0.05)
    lenient = 'feature { name: "label" type: INT drift_comparator { infinity_norm { threshold: 0.2 } } }'
    assert checks.label_threshold(_schema(lenient)) == pytest.approx(0.2)


@pytest.mark.parametrize(
    "text",
    [
        'feature { name: "label" type: INT }',
        'feature { name: "image" type: BYTES drift_comparator { infinity_norm { threshold: 0.2 } } }',
        "",
    ],
    ids=["no-comparator", "another-feature's", "no-label"],
)
def test_without_a_comparator_on_label_the_label_threshold_is_0(text: str):
    assert checks.label_threshold(_schema(text)) == 0.0


# --- decide ---------------------------------------------------------------------------------------


def test_decide_raises_naming_the_span_the_previous_span_the_measure_and_the_amount():
    with pytest.raises(DriftError) as caught:
        checks.decide([_figures(span=2, compared_with=1), _figures(label_linf=0.15)], accept_drift=False)
    message = str(caught.value)
    assert "span 3 drifted from span 2: label distribution L-infinity 0.150 > 0.05" in message
    assert "span 2 drifted" not in message, "a span within the thresholds is not named"
    assert "--accept-drift" in message


def test_decide_names_every_drifted_span():
    figures = [_figures(span=2, compared_with=1, pixel_distance=0.5), _figures(label_linf=0.15)]
    with pytest.raises(DriftError) as caught:
        checks.decide(figures, accept_drift=False)
    message = str(caught.value)
    assert "span 2 drifted from span 1: pixel distribution Jensen-Shannon 0.500 > 0.1" in message
    assert "span 3 drifted from span 2: label distribution L-infinity 0.150" in message


def test_accepted_drift_is_marked_only_on_the_spans_that_drifted():
    figures = [_figures(span=1, compared_with=None), _figures(span=2, compared_with=1), _figures(pixel_distance=0.5)]
    decided = checks.decide(figures, accept_drift=True)
    assert [f.accepted for f in decided] == [False, False, True]
    assert [dict(f.to_json(), accepted=False) for f in decided] == [f.to_json() for f in figures]


def test_nothing_drifted_passes_with_nothing_accepted():
    figures = [_figures(span=2, compared_with=1), _figures()]
    for accept_drift in (False, True):
        assert checks.decide(figures, accept_drift=accept_drift) == figures


def test_the_first_span_passes_the_gate_whatever_its_figures():
    first = _figures(span=1, compared_with=None, label_linf=1.0, pixel_distance=1.0)
    assert checks.decide([first], accept_drift=False) == [first]
