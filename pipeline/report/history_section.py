"""The report's history section: test accuracy over the runs of the pipeline, each pushed version and
the spans it trained on, the drift figures of every span against their thresholds, and the stopped runs."""

from __future__ import annotations

from pipeline.inspection.history import History
from pipeline.metadata import drift
from pipeline.metadata.spans import SpanRef
from pipeline.report import charts
from pipeline.report.markup import e, table


def _trained(spans: list[SpanRef]) -> str:
    return ", ".join(s.name + (" (drift accepted)" if s.drift and s.drift.accepted else "") for s in spans)


def _versions(history: History) -> str:
    rows = [
        (
            r.pushed_version,
            r.run_id,
            f"{r.accuracy:.4f}" if r.accuracy is not None else "",
            _trained(r.spans.trained),
            r.spans.warm_start.describe() if r.spans.warm_start else "",
        )
        for r in reversed(history.versions)
    ]
    if not rows:
        return "<p>No version pushed yet.</p>"
    return table(("version", "pushed by run", "test accuracy", "trained on", "warm start"), rows)


def _drift(history: History) -> str:
    rows = []
    for row in reversed(history.drift):
        f = row.figures
        first = f.compared_with is None
        rows.append(
            (
                f"span {f.span}",
                row.run_id,
                "" if first else f"span {f.compared_with}",
                "" if first else f"{f.label_linf:.3f}",
                "" if first else (f"{f.label_threshold:g}" if f.label_threshold else "none"),
                "" if first else f"{f.pixel_distance:.3f}",
                "" if first else f"{f.pixel_threshold:g}",
                drift.verdict(f, stopped=row.stopped),
            )
        )
    if not rows:
        return "<p>The drift gate has measured no span yet.</p>"
    header = (
        "span",
        "measured in run",
        "compared with",
        "label L-infinity",
        "threshold",
        "pixel Jensen-Shannon",
        "threshold",
        "verdict",
    )
    return table(header, rows)


def _stopped(history: History) -> str:
    rows = [
        (r.run_id, r.outcome, r.spans.ingestion.describe() if r.spans.ingestion else "", r.reason)
        for r in reversed(history.stopped)
    ]
    if not rows:
        return "<p>No run stopped before its Pusher.</p>"
    return table(("run", "outcome", "spans", "why"), rows)


def history_section(history: History) -> list[str]:
    """The section, newest first in every table."""
    parts = [f'<section id="history"><h2>History of <code>{e(history.pipeline)}</code></h2>']
    if any(r.accuracy is not None for r in history.runs):
        parts.append(f'<div class="figure">{charts.history_chart(history)}</div>')
    else:
        parts.append("<p>No model evaluated yet.</p>")
    parts += ["<h3>Pushed versions</h3>", _versions(history)]
    parts += ["<h3>Drift per span (each new span against the span before it)</h3>", _drift(history)]
    parts += ["<h3>Stopped runs</h3>", _stopped(history)]
    parts.append("</section>")
    return parts
