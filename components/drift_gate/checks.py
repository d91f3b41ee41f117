"""The drift measures and the drift gate's decision: pure functions over span profiles, no TFX or TensorFlow.

A span profile (ingestion/examples.span_profile) holds a span's exact label counts and its 256-level
pixel histogram. The label measure is TFDV's L-infinity distance of the label distributions, against the
threshold of the schema's drift comparator (``label_linf`` computes the figure TFDV's comparator reports,
from the exact counts; an integration test holds the two together). The pixel measure is the Jensen-Shannon
distance of 16-bin pixel histograms: docs/continuous-training.md, "The drift gate", says why it, and why 0.10.

``compare_arrival`` is the one comparison of an arrival with the span before it: the drift gate's executor
runs it, and the inspection tools run it again on what a stopped gate was given.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

import numpy as np
from tensorflow_metadata.proto.v0 import schema_pb2

from components.contract import features

# Pixel histograms are compared in 16 bins of 16 grey levels: see the module docstring.
PIXEL_BINS = 16
DEFAULT_PIXEL_THRESHOLD = 0.10


class DriftError(RuntimeError):
    """A span moved too far from the span before it. The message names the span, the measure and the amount."""


@dataclasses.dataclass(frozen=True)
class SpanProfile:
    """A span's exact label counts (10) and pixel histogram (256 grey levels)."""

    label_counts: tuple[int, ...]
    pixel_histogram: tuple[int, ...]

    @classmethod
    def from_json(cls, text: str) -> SpanProfile:
        record = json.loads(text)
        return cls(tuple(record["label_counts"]), tuple(record["pixel_histogram"]))


def _distribution(counts: Sequence[int]) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    return counts / total if total else counts


def label_linf(current: Sequence[int], previous: Sequence[int]) -> tuple[float, int]:
    """(largest change of a class's share between two label count vectors, that class)."""
    difference = np.abs(_distribution(current) - _distribution(previous))
    worst = int(np.argmax(difference))
    return float(difference[worst]), worst


def pixel_js_distance(current: Sequence[int], previous: Sequence[int], bins: int = PIXEL_BINS) -> float:
    """Jensen-Shannon distance (base 2, in [0, 1]) of two pixel histograms, each summed into ``bins`` bins."""
    p = _distribution(np.asarray(current).reshape(bins, -1).sum(axis=1))
    q = _distribution(np.asarray(previous).reshape(bins, -1).sum(axis=1))
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        present = a > 0
        return float(np.sum(a[present] * np.log2(a[present] / m[present])))

    return float(np.sqrt(max((kl(p) + kl(q)) / 2, 0.0)))


@dataclasses.dataclass(frozen=True)
class DriftFigures:
    """One span's comparison with the span before it.

    Attributes:
      span: the new span.
      examples_id: its Examples artifact's id in ML Metadata.
      compared_with: the span it was compared with; None for the first span (nothing to compare).
      label_linf: the L-infinity distance of the label distributions (TFDV's figure).
      label_class: the class whose share changed most.
      label_threshold: the schema's L-infinity threshold for ``label``.
      pixel_distance: Jensen-Shannon distance of the 16-bin pixel histograms.
      pixel_threshold: the most ``pixel_distance`` may be.
      accepted: the run was told to accept drift (--accept-drift).
    """

    span: int
    examples_id: int
    compared_with: int | None
    label_linf: float = 0.0
    label_class: int = 0
    label_threshold: float = 0.0
    pixel_distance: float = 0.0
    pixel_threshold: float = DEFAULT_PIXEL_THRESHOLD
    accepted: bool = False

    @property
    def drifted(self) -> list[str]:
        """What moved too far, in words; empty when nothing did."""
        if self.compared_with is None:
            return []
        moved = []
        if self.label_threshold and self.label_linf > self.label_threshold:
            name = features.CLASS_NAMES[self.label_class]
            moved.append(
                f"label distribution L-infinity {self.label_linf:.3f} > {self.label_threshold:g} "
                f"(class {self.label_class} {name})"
            )
        if self.pixel_distance > self.pixel_threshold:
            moved.append(f"pixel distribution Jensen-Shannon {self.pixel_distance:.3f} > {self.pixel_threshold:g}")
        return moved

    def describe(self) -> str:
        if self.compared_with is None:
            return f"span {self.span}: the first span, nothing to compare with"
        verdict = "; ".join(self.drifted) or "within the thresholds"
        return f"span {self.span} against span {self.compared_with}: {verdict}"

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, record: dict) -> DriftFigures:
        return cls(**{f.name: record[f.name] for f in dataclasses.fields(cls) if f.name in record})


def measure(
    span: int,
    examples_id: int,
    current: SpanProfile,
    previous: tuple[int, SpanProfile] | None,
    *,
    label_threshold: float,
    pixel_threshold: float,
) -> DriftFigures:
    """The figures of ``span`` against ``previous`` (its number and profile); None: the first span."""
    if previous is None:
        return DriftFigures(span=span, examples_id=examples_id, compared_with=None, pixel_threshold=pixel_threshold)
    number, profile = previous
    label, worst = label_linf(current.label_counts, profile.label_counts)
    return DriftFigures(
        span=span,
        examples_id=examples_id,
        compared_with=number,
        label_linf=label,
        label_class=worst,
        label_threshold=label_threshold,
        pixel_distance=pixel_js_distance(current.pixel_histogram, profile.pixel_histogram),
        pixel_threshold=pixel_threshold,
    )


def compare_arrival(
    arrival: Sequence[tuple[int, int, SpanProfile]],
    previous: tuple[int, SpanProfile] | None,
    *,
    label_threshold: float,
    pixel_threshold: float,
) -> list[DriftFigures]:
    """Each span of an arrival against the span before it, in span order.

    Args:
      arrival: (span, Examples artifact id, profile) of each span the run ingested, in any order.
      previous: (span, profile) of the newest cleared span below the arrival; None when there is none.
      label_threshold: the schema's L-infinity threshold on ``label`` (``label_threshold``); 0: not gated.
      pixel_threshold: the most the pixel Jensen-Shannon distance may be.
    """
    figures, before = [], previous
    for span, examples_id, profile in sorted(arrival, key=lambda a: a[0]):
        figures.append(
            measure(
                span, examples_id, profile, before, label_threshold=label_threshold, pixel_threshold=pixel_threshold
            )
        )
        before = (span, profile)
    return figures


def label_threshold(schema: schema_pb2.Schema) -> float:
    """The L-infinity threshold of the schema's drift comparator on ``label``; 0 when it sets none."""
    label = next((f for f in schema.feature if f.name == features.LABEL_KEY), None)
    return float(label.drift_comparator.infinity_norm.threshold) if label is not None else 0.0


def decide(figures: Sequence[DriftFigures], *, accept_drift: bool) -> list[DriftFigures]:
    """The figures to record, marked accepted where drift was let through.

    Raises:
      DriftError: a span drifted and drift was not accepted; the message names each such span.
    """
    drifted = [f for f in figures if f.drifted]
    if drifted and not accept_drift:
        raise DriftError(
            "; ".join(f"span {f.span} drifted from span {f.compared_with}: {', '.join(f.drifted)}" for f in drifted)
            + " (rerun with --accept-drift to train on it anyway)"
        )
    return [dataclasses.replace(f, accepted=bool(f.drifted)) for f in figures]


def report_json(figures: Sequence[DriftFigures]) -> str:
    return json.dumps({"spans": [f.to_json() for f in figures]}, sort_keys=True)


def read_report(text: str) -> list[DriftFigures]:
    return [DriftFigures.from_json(record) for record in json.loads(text)["spans"]]
