"""DriftGate's executor on artifact-shaped fixtures: the schema's label threshold, both measures, the decision,
the report (that its label figure is TFDV's: test_checks.py)."""

import json
from pathlib import Path

import numpy as np
import pytest
from tfx.types import standard_artifacts

from components.contract import keys, properties
from components.drift_gate import checks, executor
from components.drift_gate.artifact import DriftReport
from components.drift_gate.checks import DriftError
from components.ingestion import examples
from pipeline.config import SCHEMA_PATH
from tests.support.idx_fixtures import garment_images

PER_CLASS = 20
BALANCED = np.repeat(np.arange(10), PER_CLASS)
# 20 more of class 0: its share goes from 0.10 to 40/220 = 0.18, beyond the schema's 0.05.
LABEL_SHIFTED = np.concatenate([BALANCED, np.zeros(PER_CLASS, dtype=np.int64)])
# 5 more of class 2: its share goes from 0.10 to 25/205 = 0.12, within the threshold.
SLIGHTLY_SHIFTED = np.concatenate([BALANCED, np.full(5, 2)])


def _span(artifact_id: int, span: int, labels: np.ndarray, *, seed: int, invert: bool = False):
    """An Examples artifact of ``span`` as the ExampleGen leaves it: span, version and profile set."""
    images = garment_images(len(labels), seed=seed)
    if invert:
        images = 255 - images
    artifact = standard_artifacts.Examples()
    artifact.id = artifact_id
    artifact.span = span
    artifact.version = 0
    artifact.set_string_custom_property(
        properties.SPAN_PROFILE, json.dumps(examples.span_profile(images, labels.astype(np.uint8)))
    )
    return artifact


def _profile(artifact) -> checks.SpanProfile:
    return checks.SpanProfile.from_json(artifact.get_string_custom_property(properties.SPAN_PROFILE))


def _schema_artifact(folder: Path, text: str) -> standard_artifacts.Schema:
    """ImportSchemaGen's output: a schema file copied into the artifact's folder as schema.pbtxt."""
    artifact = standard_artifacts.Schema()
    artifact.uri = str(folder)
    folder.mkdir()
    (folder / "schema.pbtxt").write_text(text)
    return artifact


@pytest.fixture
def schema(tmp_path: Path) -> standard_artifacts.Schema:
    """The curated schema, as ImportSchemaGen publishes it."""
    return _schema_artifact(tmp_path / "schema", SCHEMA_PATH.read_text())


def _run(tmp_path: Path, schema, arrival: list, previous: list, *, accept_drift: int = 0) -> list:
    report = DriftReport()
    report.uri = str(tmp_path / "drift_report")
    Path(report.uri).mkdir(exist_ok=True)
    input_dict = {keys.EXAMPLES_KEY: arrival, keys.SCHEMA_KEY: [schema]}
    if previous:
        input_dict[keys.PREVIOUS_EXAMPLES_KEY] = previous
    exec_properties = {
        keys.ACCEPT_DRIFT_KEY: accept_drift,
        keys.PIXEL_THRESHOLD_KEY: checks.DEFAULT_PIXEL_THRESHOLD,
        keys.CODE_FINGERPRINT_KEY: "fingerprint",
    }
    executor.Executor().Do(input_dict, {keys.DRIFT_REPORT_KEY: [report]}, exec_properties)
    figures = checks.read_report(report.get_string_custom_property(properties.DRIFT_REPORT))
    on_disk = checks.read_report((Path(report.uri) / executor.REPORT_FILE).read_text())
    assert on_disk == figures, "the file and the property say the same"
    return figures


def test_a_span_like_the_one_before_passes(tmp_path: Path, schema):
    previous, current = _span(1, 1, BALANCED, seed=0), _span(5, 2, BALANCED, seed=1)
    (figures,) = _run(tmp_path, schema, [current], [previous])
    assert (figures.span, figures.examples_id, figures.compared_with) == (2, 5, 1)
    assert figures.label_linf == pytest.approx(0.0, abs=1e-9)
    assert figures.label_threshold == pytest.approx(0.05)
    assert 0 < figures.pixel_distance < checks.DEFAULT_PIXEL_THRESHOLD
    assert not figures.accepted


def test_a_label_shifted_span_fails_naming_the_span_and_the_label_measure(tmp_path: Path, schema):
    previous, current = _span(1, 1, BALANCED, seed=0), _span(5, 2, LABEL_SHIFTED, seed=1)
    with pytest.raises(DriftError) as caught:
        _run(tmp_path, schema, [current], [previous])
    message = str(caught.value)
    assert "span 2 drifted from span 1: label distribution L-infinity 0.082 > 0.05 (class 0 T-shirt/top)" in message
    assert "pixel distribution" not in message
    assert not (tmp_path / "drift_report" / executor.REPORT_FILE).exists(), "nothing is reported as cleared"


@pytest.mark.parametrize("labels", [LABEL_SHIFTED, SLIGHTLY_SHIFTED], ids=["beyond", "within"])
def test_the_report_carries_the_label_l_infinity_and_its_class(tmp_path: Path, schema, labels: np.ndarray):
    previous, current = _span(1, 1, BALANCED, seed=0), _span(5, 2, labels, seed=1)
    (figures,) = _run(tmp_path, schema, [current], [previous], accept_drift=1)
    expected, worst = checks.label_linf(_profile(current).label_counts, _profile(previous).label_counts)
    assert expected > 0.02
    assert figures.label_linf == pytest.approx(expected, abs=1e-6)
    assert figures.label_class == worst


def test_the_label_threshold_is_the_schemas(tmp_path: Path):
    """With the schema's threshold raised to 0.2, the 0.082 shift of class 0 passes."""
    lenient = _schema_artifact(
        tmp_path / "lenient", SCHEMA_PATH.read_text().replace("threshold: 0.05", "threshold: 0.2")
    )
    previous, current = _span(1, 1, BALANCED, seed=0), _span(5, 2, LABEL_SHIFTED, seed=1)
    (figures,) = _run(tmp_path, lenient, [current], [previous])
    assert figures.label_threshold == pytest.approx(0.2)
    assert figures.label_linf == pytest.approx(0.0818, abs=1e-4)
    assert not figures.accepted


def test_without_a_label_comparator_in_the_schema_the_labels_are_not_gated(tmp_path: Path):
    text = SCHEMA_PATH.read_text()
    start = text.index("  drift_comparator {")
    end = text.index("}\n  }\n", start) + len("}\n  }\n")
    bare = _schema_artifact(tmp_path / "bare", text[:start] + text[end:])
    previous, current = _span(1, 1, BALANCED, seed=0), _span(5, 2, LABEL_SHIFTED, seed=1)
    (figures,) = _run(tmp_path, bare, [current], [previous])
    assert figures.label_threshold == 0.0
    assert figures.drifted == []


def test_an_inverted_pixel_span_fails_naming_the_pixel_measure(tmp_path: Path, schema):
    previous, current = _span(1, 1, BALANCED, seed=0), _span(5, 2, BALANCED, seed=1, invert=True)
    with pytest.raises(
        DriftError, match=r"span 2 drifted from span 1: pixel distribution Jensen-Shannon 0\.\d+ > 0\.1"
    ):
        _run(tmp_path, schema, [current], [previous])


def test_accepted_drift_passes_and_is_recorded_as_accepted(tmp_path: Path, schema):
    previous, current = _span(1, 1, BALANCED, seed=0), _span(5, 2, LABEL_SHIFTED, seed=1, invert=True)
    (figures,) = _run(tmp_path, schema, [current], [previous], accept_drift=1)
    assert figures.accepted
    assert figures.label_linf > 0.05 and figures.pixel_distance > 0.1
    assert len(figures.drifted) == 2
    written = json.loads((tmp_path / "drift_report" / executor.REPORT_FILE).read_text())
    assert written["spans"][0]["accepted"] is True


def test_the_first_span_passes_with_nothing_to_compare(tmp_path: Path, schema):
    first = _span(1, 1, LABEL_SHIFTED, seed=0, invert=True)
    (figures,) = _run(tmp_path, schema, [first], [])
    assert figures == checks.DriftFigures(span=1, examples_id=1, compared_with=None)


def test_a_two_span_arrival_is_checked_as_a_chain(tmp_path: Path, schema):
    """Span 3 is compared with span 2 of the same arrival, not with span 1 before it."""
    span_1 = _span(1, 1, BALANCED, seed=0)
    span_2 = _span(5, 2, LABEL_SHIFTED, seed=1)
    span_3 = _span(6, 3, LABEL_SHIFTED, seed=2)  # like span 2, unlike span 1
    with pytest.raises(DriftError) as caught:
        _run(tmp_path, schema, [span_3, span_2], [span_1])
    assert "span 2 drifted from span 1" in str(caught.value)
    assert "span 3" not in str(caught.value)

    figures = _run(tmp_path, schema, [span_3, span_2], [span_1], accept_drift=1)
    assert [(f.span, f.examples_id, f.compared_with, f.accepted) for f in figures] == [
        (2, 5, 1, True),
        (3, 6, 2, False),
    ]
    assert figures[1].label_linf == pytest.approx(0.0, abs=1e-9)


def test_a_two_span_first_arrival_compares_its_second_span_with_its_first(tmp_path: Path, schema):
    span_1, span_2 = _span(1, 1, BALANCED, seed=0), _span(2, 2, BALANCED, seed=1, invert=True)
    with pytest.raises(DriftError, match="span 2 drifted from span 1: pixel distribution"):
        _run(tmp_path, schema, [span_1, span_2], [])
