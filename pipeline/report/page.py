"""``make report``: one self-contained HTML page per run.

The page is assembled here, one function per section; the figures come from
``charts.py`` (matplotlib: SVG inline, sample images as an inline PNG): no scripts,
no network, opens offline. The numbers come from ``details.details``, the same
reading as ``make inspect``; the sample images from the run's Examples.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from components.contract import features, keys
from components.records import evaluation_results as evaluation_lib
from pipeline import node_ids
from pipeline.config import DEFAULT_OUTPUT_DIR, metadata_path
from pipeline.inspection.details import ArtifactRow, RunDetails, details
from pipeline.inspection.history import History, history
from pipeline.inspection.samples import sample_images
from pipeline.metadata import drift, outcomes
from pipeline.metadata.decision import Decision
from pipeline.metadata.health import StoreDamagedError
from pipeline.metadata.on_device import OnDevice
from pipeline.metadata.runs import RunOverview, UnknownRunError
from pipeline.metadata.store import EmptyStoreError, Store
from pipeline.report import charts
from pipeline.report.history_section import history_section
from pipeline.report.markup import e, table
from pipeline.report.mistakes_section import Gallery, gallery, mistakes_section

# Section ids, in page order; the browser test checks each is there.
SECTIONS = ("decision", "components", "data", "samples", "training", "evaluation", "mistakes", "history", "artifacts")


def _class_floor(evaluation: evaluation_lib.Evaluation) -> float | None:
    """The lower bound on every class's accuracy, if the Evaluator had one."""
    return next(
        (
            t.value
            for t in evaluation.thresholds
            if t.where != evaluation_lib.OVERALL and t.kind == evaluation_lib.LOWER_BOUND
        ),
        None,
    )


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0; font-size: .9em; }
td, th { border: 1px solid #ddd; padding: .25em .6em; text-align: left; }
.verdict { padding: .8em 1em; border-radius: 6px; font-weight: 600; }
.ok { background: #e8f5e9; border: 1px solid #2e7d32; } .bad { background: #ffebee; border: 1px solid #c62828; }
.figure svg { max-width: 100%; height: auto; } code { font-size: .85em; word-break: break-all; }
#artifacts td:last-child { word-break: break-all; font-family: monospace; font-size: .85em; }
"""


def _head(o: RunOverview) -> list[str]:
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Fashion-MNIST run {e(o.run_id)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Fashion-MNIST pipeline: run {e(o.run_id)}</h1>",
        f"<p>Pipeline <code>{e(o.pipeline)}</code>, started {e(o.started)}, {o.seconds:.1f} s wall.</p>",
    ]


def _decision_section(o: RunOverview, dec: Decision, on_device: OnDevice | None = None) -> list[str]:
    good = o.outcome in (outcomes.PUSHED, outcomes.ALREADY_SERVED)
    verdict = {True: "blessed", False: "NOT blessed", None: "not evaluated"}[dec.blessed]
    rows = [("Evaluator", f"{verdict}: {dec.reason}")]
    if dec.baseline_model_uri:
        rows.append(("baseline model", dec.baseline_model_uri))
    if dec.canary_ok is not None:
        rows.append(("serving canary", "passed" if dec.canary_ok else "FAILED"))
    rows.append(("Pusher", f"version {dec.pushed_version}" if dec.pushed_version else "nothing pushed"))
    rows += [("on-device model", line) for line in (on_device.lines() if on_device else [])]
    return [
        '<section id="decision"><h2>Decision</h2>',
        f'<p class="verdict {"ok" if good else "bad"}">{e(o.outcome.upper())}: {e(o.reason)}</p>',
        table(None, rows),
        "</section>",
    ]


def _components_section(o: RunOverview) -> list[str]:
    return [
        '<section id="components"><h2>Components</h2>',
        f'<div class="figure">{charts.durations_chart(o.nodes)}</div>' if o.nodes else "",
        table(
            ("component", "state", "seconds", "error"),
            [(n.node_id, n.state, f"{n.seconds:.1f}", n.error or "") for n in o.nodes],
        ),
        "</section>",
    ]


def _data_section(d: RunDetails) -> list[str]:
    parts = ['<section id="data"><h2>Data</h2>']
    if d.splits:
        parts.append(
            table(
                ("split", "examples", "pixel min", "pixel max", "pixel mean", "pixel std", "image bytes"),
                [
                    (
                        s.label,
                        s.count,
                        s.pixel_min,
                        s.pixel_max,
                        f"{s.pixel_mean:.2f}" if s.pixel_mean is not None else "",
                        f"{s.pixel_std:.2f}" if s.pixel_std is not None else "",
                        f"{s.image_bytes_min:.0f}-{s.image_bytes_max:.0f}" if s.image_bytes_min is not None else "",
                    )
                    for s in d.splits
                ],
            )
        )
        parts.append(f'<div class="figure">{charts.label_chart(d.splits)}</div>')
        if any(s.pixel_histogram for s in d.splits):
            parts.append(f'<div class="figure">{charts.pixel_chart(d.splits)}</div>')
    else:
        parts.append("<p>No data statistics recorded for this run.</p>")
    ingested = d.spans.ingestion.describe() if d.spans.ingestion else "nothing ingested (the ExampleGen did not finish)"
    parts.append(f"<h3>Spans</h3><p>{e(ingested[0].upper() + ingested[1:])}.</p>")
    if d.spans.ingestion and d.spans.ingestion.warnings:
        parts.append("<ul>" + "".join(f"<li>Warning: {e(w)}</li>" for w in d.spans.ingestion.warnings) + "</ul>")
    if d.spans.drift:
        items = "".join(f"<li>{e(drift.describe(f, stopped=d.spans.drift_stopped))}</li>" for f in d.spans.drift)
        parts.append(f"<p>The drift gate measured:</p><ul>{items}</ul>")
    parts.append("<h3>Schema</h3><ul>" + "".join(f"<li>{e(line)}</li>" for line in d.schema) + "</ul>")
    parts.append(
        "<h3>Anomalies</h3><ul>" + ("".join(f"<li>{e(a)}</li>" for a in d.anomalies) or "<li>none</li>") + "</ul>"
    )
    parts.append("</section>")
    return parts


def _trained_part(d: RunDetails) -> list[str]:
    if not d.spans.trained:
        return []
    splits = (features.TRAIN_SPLIT, features.EVAL_SPLIT)
    rows = [
        (
            s.name,
            s.examples_id,
            *(s.examples.get(split) for split in splits),
            drift.against(s.drift) if s.drift else "not in this run's records",
        )
        for s in d.spans.trained
    ]
    header = ("span", "Examples id", *splits, "drift figures that cleared it")
    warm = f"<p>Warm start: {e(d.spans.warm_start.describe())}.</p>" if d.spans.warm_start else ""
    return ["<h3>Trained on</h3>", table(header, rows), warm]


def _samples_section(samples: dict[int, list[np.ndarray]] | None) -> list[str]:
    if samples and any(samples.values()):
        body = f'<img alt="sample images, one row per class" src="{charts.samples_figure(samples)}">'
    else:
        body = "<p>No examples to show.</p>"
    title = "Sample images per class (train split of the run's newest span)"
    return [f'<section id="samples"><h2>{title}</h2>', body, "</section>"]


def _training_section(d: RunDetails) -> list[str]:
    if d.training_history:
        body = f'<div class="figure">{charts.training_chart(d.training_history)}</div>'
    else:
        body = "<p>This run trained no model.</p>"
    return ['<section id="training"><h2>Training</h2>', *_trained_part(d), body, "</section>"]


def _evaluation_section(ev: evaluation_lib.Evaluation | None) -> list[str]:
    parts = ['<section id="evaluation"><h2>Evaluation</h2>']
    if ev is None:
        return [*parts, "<p>This run evaluated no model.</p>", "</section>"]
    base = f"{ev.baseline_accuracy:.4f}" if ev.baseline_accuracy is not None else "none (first model)"
    acc = f"{ev.accuracy:.4f}" if ev.accuracy is not None else "n/a"
    parts.append(f"<p>Test accuracy <b>{acc}</b> on {ev.example_count} examples; baseline model: {base}.</p>")
    parts.append(
        "<h3>Thresholds</h3><ul>" + "".join(f"<li>{e(t.where)}: {e(t.rule)}</li>" for t in ev.thresholds) + "</ul>"
    )
    if ev.failures:
        parts.append("<h3>Failed</h3><ul>" + "".join(f"<li>{e(f)}</li>" for f in ev.failures) + "</ul>")
    if ev.class_accuracy:
        parts.append(f'<div class="figure">{charts.class_accuracy_chart(ev, _class_floor(ev))}</div>')
        parts.append(
            table(
                ("class", "candidate", "baseline"),
                [
                    (
                        features.CLASS_NAMES[c],
                        f"{a:.4f}",
                        f"{ev.baseline_class_accuracy[c]:.4f}" if c in ev.baseline_class_accuracy else "",
                    )
                    for c, a in ev.class_accuracy.items()
                ],
            )
        )
    if ev.confusion_matrix:
        parts.append(f'<div class="figure">{charts.confusion_chart(ev.confusion_matrix)}</div>')
    parts.append("</section>")
    return parts


def _artifacts_section(artifacts: list[ArtifactRow]) -> list[str]:
    return [
        '<section id="artifacts"><h2>Artifacts</h2>',
        table(("component", "output", "type", "id", "uri"), [(a.node, a.key, a.type, a.id, a.uri) for a in artifacts]),
        "</section>",
    ]


def _footer() -> list[str]:
    return [
        f"<footer><p>Written {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')} "
        "by <code>make report</code>.</p></footer>",
        "</body></html>",
    ]


def render(
    d: RunDetails,
    *,
    samples: dict[int, list[np.ndarray]] | None = None,
    runs_history: History | None = None,
    mistakes: Gallery | None = None,
) -> str:
    """The report of one run as an HTML page, its sections in the order of SECTIONS; ``runs_history``: the
    history of its pipeline."""
    history_part = (
        history_section(runs_history)
        if runs_history is not None
        else ['<section id="history"><h2>History</h2><p>Not read.</p></section>']
    )
    parts = [
        *_head(d.overview),
        *_decision_section(d.overview, d.decision, d.on_device),
        *_components_section(d.overview),
        *_data_section(d),
        *_samples_section(samples),
        *_training_section(d),
        *_evaluation_section(d.evaluation),
        *mistakes_section(mistakes),
        *history_part,
        *_artifacts_section(d.artifacts),
        *_footer(),
    ]
    return "\n".join(parts)


def write_report(output_dir: Path, run_id: str | None = None, pipeline: str | None = None) -> Path:
    """Writes ``<output_dir>/reports/<pipeline>-<run id>.html`` and returns its path."""
    store = Store.open(metadata_path(output_dir))
    d = details(store, run_id, pipeline)
    spans = [a for a in d.artifacts if a.node == node_ids.EXAMPLE_GEN and a.key == keys.EXAMPLES_KEY]
    newest = spans[-1] if spans else None
    samples = sample_images(newest.uri) if newest and Path(newest.uri).is_dir() else None
    page = render(d, samples=samples, runs_history=history(store, d.overview.pipeline), mistakes=gallery(d))
    reports = output_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    path = reports / f"{d.overview.pipeline}-{re.sub(r'[^0-9A-Za-z]+', '', d.overview.run_id)}.html"
    partial = path.with_suffix(".html.partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fashion-mnist-report", description="Write the HTML report of a run.")
    parser.add_argument("run", nargs="?", default="latest", help="run id, a unique prefix of one, or 'latest'")
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR)
    parser.add_argument("--pipeline", help="only runs of this pipeline")
    args = parser.parse_args(argv)
    try:
        path = write_report(args.output_dir, args.run, args.pipeline)
    except (EmptyStoreError, StoreDamagedError, UnknownRunError) as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
