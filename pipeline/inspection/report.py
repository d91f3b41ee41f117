"""``make report``: one self-contained HTML page per run.

Charts are drawn with matplotlib (SVG inline, sample images as an inline PNG):
no scripts, no network, opens offline. The numbers come from ``runs.details``,
the same reading as ``make inspect``; sample images from the run's Examples.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import html
import io
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from components import features
from components.records import protos, tfrecord
from pipeline.config import DEFAULT_OUTPUT_DIR
from pipeline.inspection import runs as runs_lib
from pipeline.inspection.store import EmptyStoreError, Store

SAMPLES_PER_CLASS = 8
# Section ids, in page order; the browser test checks each is there.
SECTIONS = ("decision", "components", "data", "samples", "training", "evaluation", "artifacts")
_STATE_COLOURS = {"done": "#2e7d32", "cached": "#90a4ae", "failed": "#c62828", "running": "#f9a825"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "path", "font.size": 9, "figure.dpi": 96})
    return plt


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    _pyplot().close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    _pyplot().close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _e(value: Any) -> str:
    return html.escape(str(value))


def durations_chart(nodes: list[runs_lib.NodeRun]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(nodes) + 0.8))
    names = [n.node_id for n in nodes][::-1]
    seconds = [n.seconds for n in nodes][::-1]
    colours = [_STATE_COLOURS.get(n.state, "#555555") for n in nodes][::-1]
    ax.barh(names, seconds, color=colours)
    for y, (value, node) in enumerate(zip(seconds, reversed(nodes), strict=True)):
        ax.text(value, y, f" {value:.1f} s ({node.state})", va="center", fontsize=8)
    ax.set_xlabel("seconds")
    ax.set_xlim(0, max([*seconds, 1]) * 1.35)
    ax.set_title("Component durations (green: executed, grey: cached, red: failed)")
    return _svg(fig)


def label_chart(splits: list[runs_lib.SplitData]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3))
    width = 0.8 / max(len(splits), 1)
    x = np.arange(features.NUM_CLASSES)
    for i, split in enumerate(splits):
        total = sum(split.label_counts) or 1
        ax.bar(x + i * width, [c / total for c in split.label_counts], width, label=f"{split.name} ({total})")
    ax.set_xticks(x + width * (len(splits) - 1) / 2, features.CLASS_NAMES, rotation=30, ha="right")
    ax.set_ylabel("share of the split")
    ax.set_title("Label distribution per split")
    ax.legend()
    return _svg(fig)


def pixel_chart(splits: list[runs_lib.SplitData]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3))
    for split in splits:
        if not split.pixel_histogram:
            continue
        counts = np.asarray(split.pixel_histogram, dtype=float)
        width = 256 // len(counts)
        ax.step(np.arange(len(counts)) * width, counts / counts.sum(), where="post", label=split.name)
    ax.set_yscale("log")
    ax.set_xlabel("pixel value")
    ax.set_ylabel("share of pixels (log)")
    ax.set_title("Pixel values per split (train vs test comparison)")
    ax.legend()
    return _svg(fig)


def sample_images(examples_uri: str, split: str = features.TRAIN_SPLIT) -> dict[int, list[np.ndarray]]:
    """Up to SAMPLES_PER_CLASS images of each class, the first ones in the split's files."""
    samples: dict[int, list[np.ndarray]] = {c: [] for c in range(features.NUM_CLASSES)}
    for path in sorted(Path(examples_uri, f"Split-{split}").glob("*")):
        for record in tfrecord.read_records(path):
            example = protos.parse("tensorflow.Example", record).features.feature
            label = example[features.LABEL_KEY].int64_list.value
            image = example[features.IMAGE_KEY].bytes_list.value
            if not label or not image or len(image[0]) != features.IMAGE_PIXELS:
                continue
            bucket = samples.get(int(label[0]))
            if bucket is not None and len(bucket) < SAMPLES_PER_CLASS:
                bucket.append(np.frombuffer(image[0], np.uint8).reshape(features.IMAGE_HEIGHT, features.IMAGE_WIDTH))
            if all(len(b) == SAMPLES_PER_CLASS for b in samples.values()):
                return samples
    return samples


def samples_figure(samples: dict[int, list[np.ndarray]]) -> str:
    plt = _pyplot()
    fig, axes = plt.subplots(
        features.NUM_CLASSES, SAMPLES_PER_CLASS, figsize=(SAMPLES_PER_CLASS * 0.8, features.NUM_CLASSES * 0.85)
    )
    for c in range(features.NUM_CLASSES):
        for i in range(SAMPLES_PER_CLASS):
            ax = axes[c][i]
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if i < len(samples.get(c, [])):
                ax.imshow(samples[c][i], cmap="gray_r", vmin=0, vmax=255)
            if i == 0:
                ax.set_ylabel(features.CLASS_NAMES[c], rotation=0, ha="right", va="center", fontsize=8)
    return _png(fig)


def training_chart(history: dict[str, list[float]]) -> str:
    plt = _pyplot()
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(9, 3))
    for ax, metric in ((loss_ax, "loss"), (acc_ax, "accuracy")):
        for key, label in ((metric, "train"), (f"val_{metric}", "eval")):
            values = history.get(key, [])
            if values:
                ax.plot(range(1, len(values) + 1), values, marker="o", label=label)
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle("Training curves (train split vs eval split)", y=1.04)
    return _svg(fig)


def confusion_chart(matrix: list[list[int]]) -> str:
    plt = _pyplot()
    values = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    ax.imshow(values, cmap="Blues")
    ax.set_xticks(range(features.NUM_CLASSES), features.CLASS_NAMES, rotation=45, ha="right")
    ax.set_yticks(range(features.NUM_CLASSES), features.CLASS_NAMES)
    threshold = values.max() / 2 if values.size else 0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            ax.text(
                j,
                i,
                int(values[i, j]),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if values[i, j] > threshold else "black",
            )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix on the test split")
    return _svg(fig)


def class_accuracy_chart(evaluation: Any, floor: float | None) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3))
    x = np.arange(features.NUM_CLASSES)
    candidate = [evaluation.class_accuracy.get(c, 0.0) for c in x]
    has_baseline = bool(evaluation.baseline_class_accuracy)
    width = 0.4 if has_baseline else 0.8
    ax.bar(x - (width / 2 if has_baseline else 0), candidate, width, label="candidate")
    if has_baseline:
        ax.bar(x + width / 2, [evaluation.baseline_class_accuracy.get(c, 0.0) for c in x], width, label="baseline")
    if floor is not None:
        ax.axhline(floor, color="#c62828", linestyle="--", linewidth=1, label=f"class floor {floor:.2f}")
    ax.set_xticks(x, features.CLASS_NAMES, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy")
    ax.set_title("Per-class accuracy on the test split" + (" against the baseline model" if has_baseline else ""))
    ax.legend(loc="lower left")
    return _svg(fig)


def _class_floor(evaluation: Any) -> float | None:
    for t in evaluation.thresholds:
        match = re.search(r">= ([0-9.]+)", t.rule)
        if t.where != "overall" and match:
            return float(match.group(1))
    return None


def _table(header: Sequence[str] | None, rows: Sequence[Sequence[Any]]) -> str:
    head = "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr></thead>" if header else ""
    body = "".join("<tr>" + "".join(f"<td>{'' if v is None else _e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table>{head}<tbody>{body}</tbody></table>"


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


def render(d: runs_lib.RunDetails, *, samples: dict[int, list[np.ndarray]] | None = None) -> str:
    """The report of one run as an HTML page."""
    o, dec, ev = d.overview, d.decision, d.evaluation
    good = o.outcome in (runs_lib.PUSHED, runs_lib.ALREADY_SERVED)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Fashion-MNIST run {_e(o.run_id)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Fashion-MNIST pipeline: run {_e(o.run_id)}</h1>",
        f"<p>Pipeline <code>{_e(o.pipeline)}</code>, started {_e(o.started)}, {o.seconds:.1f} s wall.</p>",
        '<section id="decision"><h2>Decision</h2>',
        f'<p class="verdict {"ok" if good else "bad"}">{_e(o.outcome.upper())}: {_e(o.reason)}</p>',
    ]
    verdict = {True: "blessed", False: "NOT blessed", None: "not evaluated"}[dec.blessed]
    rows = [("Evaluator", f"{verdict}: {dec.reason}")]
    if dec.baseline_model_uri:
        rows.append(("baseline model", dec.baseline_model_uri))
    if dec.canary_ok is not None:
        rows.append(("serving canary", "passed" if dec.canary_ok else "FAILED"))
    rows.append(("Pusher", f"version {dec.pushed_version}" if dec.pushed_version else "nothing pushed"))
    parts += [_table(None, rows), "</section>"]

    parts += [
        '<section id="components"><h2>Components</h2>',
        f'<div class="figure">{durations_chart(o.nodes)}</div>' if o.nodes else "",
        _table(
            ("component", "state", "seconds", "error"),
            [(n.node_id, n.state, f"{n.seconds:.1f}", n.error or "") for n in o.nodes],
        ),
        "</section>",
    ]

    parts.append('<section id="data"><h2>Data</h2>')
    if d.splits:
        parts.append(
            _table(
                ("split", "examples", "pixel min", "pixel max", "pixel mean", "pixel std", "image bytes"),
                [
                    (
                        s.name,
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
        parts.append(f'<div class="figure">{label_chart(d.splits)}</div>')
        if any(s.pixel_histogram for s in d.splits):
            parts.append(f'<div class="figure">{pixel_chart(d.splits)}</div>')
    else:
        parts.append("<p>No data statistics recorded for this run.</p>")
    parts.append("<h3>Schema</h3><ul>" + "".join(f"<li>{_e(line)}</li>" for line in d.schema) + "</ul>")
    parts.append(
        "<h3>Anomalies</h3><ul>" + ("".join(f"<li>{_e(a)}</li>" for a in d.anomalies) or "<li>none</li>") + "</ul>"
    )
    parts.append("</section>")

    parts.append('<section id="samples"><h2>Sample images per class (train split)</h2>')
    if samples and any(samples.values()):
        parts.append(f'<img alt="sample images, one row per class" src="{samples_figure(samples)}">')
    else:
        parts.append("<p>No examples to show.</p>")
    parts.append("</section>")

    parts.append('<section id="training"><h2>Training</h2>')
    if d.training_history:
        parts.append(f'<div class="figure">{training_chart(d.training_history)}</div>')
    else:
        parts.append("<p>This run trained no model.</p>")
    parts.append("</section>")

    parts.append('<section id="evaluation"><h2>Evaluation</h2>')
    if ev is not None:
        base = f"{ev.baseline_accuracy:.4f}" if ev.baseline_accuracy is not None else "none (first model)"
        acc = f"{ev.accuracy:.4f}" if ev.accuracy is not None else "n/a"
        parts.append(f"<p>Test accuracy <b>{acc}</b> on {ev.example_count} examples; baseline model: {base}.</p>")
        parts.append(
            "<h3>Thresholds</h3><ul>"
            + "".join(f"<li>{_e(t.where)}: {_e(t.rule)}</li>" for t in ev.thresholds)
            + "</ul>"
        )
        if ev.failures:
            parts.append("<h3>Failed</h3><ul>" + "".join(f"<li>{_e(f)}</li>" for f in ev.failures) + "</ul>")
        if ev.class_accuracy:
            parts.append(f'<div class="figure">{class_accuracy_chart(ev, _class_floor(ev))}</div>')
            parts.append(
                _table(
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
            parts.append(f'<div class="figure">{confusion_chart(ev.confusion_matrix)}</div>')
    else:
        parts.append("<p>This run evaluated no model.</p>")
    parts.append("</section>")

    parts += [
        '<section id="artifacts"><h2>Artifacts</h2>',
        _table(
            ("component", "output", "type", "id", "uri"),
            [(a["node"], a["key"], a["type"], a["id"], a["uri"]) for a in d.artifacts],
        ),
        "</section>",
        f"<footer><p>Written {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')} "
        "by <code>make report</code>.</p></footer>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(output_dir: Path, run_id: str | None = None, pipeline: str | None = None) -> Path:
    """Writes ``<output_dir>/reports/<pipeline>-<run id>.html`` and returns its path."""
    store = Store.open(output_dir / "metadata.sqlite")
    d = runs_lib.details(store, run_id, pipeline)
    examples = next((a for a in d.artifacts if a["type"] == "Examples"), None)
    samples = sample_images(examples["uri"]) if examples and Path(examples["uri"]).is_dir() else None
    page = render(d, samples=samples)
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
    except (EmptyStoreError, runs_lib.UnknownRunError) as e:
        print(f"error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
