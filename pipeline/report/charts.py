"""The report's figures, drawn with matplotlib: SVG text to inline, the sample images as a PNG data URI.

Every function takes what ``inspect show`` reads (``pipeline/inspection/details.py``) and
returns markup; ``report.py`` places it on the page.
"""

from __future__ import annotations

import base64
import datetime
import io
from typing import Any

import numpy as np

from components.contract import features
from components.records import evaluation_results as evaluation_lib
from pipeline.inspection.data_views import SplitData
from pipeline.inspection.history import History
from pipeline.inspection.samples import SAMPLES_PER_CLASS
from pipeline.metadata.runs import NodeRun

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


def durations_chart(nodes: list[NodeRun]) -> str:
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


def label_chart(splits: list[SplitData]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3))
    splits = [s for s in splits if s.label_counts]
    width = 0.8 / max(len(splits), 1)
    x = np.arange(features.NUM_CLASSES)
    for i, split in enumerate(splits):
        total = sum(split.label_counts) or 1
        ax.bar(x + i * width, [c / total for c in split.label_counts], width, label=f"{split.label} ({total})")
    ax.set_xticks(x + width * (len(splits) - 1) / 2, features.CLASS_NAMES, rotation=30, ha="right")
    ax.set_ylabel("share of the split")
    ax.set_title("Label distribution per split")
    ax.legend()
    return _svg(fig)


def pixel_chart(splits: list[SplitData]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3))
    for split in splits:
        if not split.pixel_histogram:
            continue
        counts = np.asarray(split.pixel_histogram, dtype=float)
        width = 256 // len(counts)
        ax.step(np.arange(len(counts)) * width, counts / counts.sum(), where="post", label=split.label)
    ax.set_yscale("log")
    ax.set_xlabel("pixel value")
    ax.set_ylabel("share of pixels (log)")
    ax.set_title("Pixel values per split (each span's splits vs the test set)")
    ax.legend()
    return _svg(fig)


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


def mistakes_figure(images: list[np.ndarray], captions: list[str]) -> str:
    """One row of images, each captioned below: a confusion pair's mistakes."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(images), figsize=(len(images) * 0.9, 1.2), squeeze=False)
    for ax, image, caption in zip(axes[0], images, captions, strict=True):
        ax.set_xticks([])
        ax.set_yticks([])
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
        ax.set_xlabel(caption, fontsize=7)
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


def class_accuracy_chart(evaluation: evaluation_lib.Evaluation, floor: float | None) -> str:
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


def history_chart(history: History) -> str:
    """Test accuracy of every model evaluated, over time: pushed versions filled and labelled with the spans
    they trained on, the others hollow; a red line where a run stopped before its Pusher."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.2))

    def when(started: str) -> datetime.datetime:
        return datetime.datetime.fromisoformat(started)

    def spans_of(run: Any) -> str:
        return "spans " + ",".join(str(s.span) for s in run.spans.trained)

    pushed = [r for r in history.versions if r.accuracy is not None]
    ax.plot([when(r.started) for r in pushed], [r.accuracy for r in pushed], "o-", color="#2e7d32", label="pushed")
    others = [r for r in history.runs if r.accuracy is not None and r.pushed_version is None]
    if others:
        outcomes = ", ".join(sorted({r.outcome for r in others}))
        ax.plot(
            [when(r.started) for r in others],
            [r.accuracy for r in others],
            "o",
            mfc="none",
            color="#c62828",
            label=f"not pushed ({outcomes})",
        )
    for r in pushed + others:
        label = f"v{r.pushed_version}\n{spans_of(r)}" if r.pushed_version is not None else spans_of(r)
        ax.annotate(
            label, (when(r.started), r.accuracy), fontsize=7, ha="center", xytext=(0, 8), textcoords="offset points"
        )
    for i, r in enumerate(history.stopped):
        ax.axvline(when(r.started), color="#c62828", linestyle="--", linewidth=1, label="stopped" if i == 0 else None)
        ax.annotate(
            r.outcome,
            (when(r.started), 0.02),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7,
            color="#c62828",
            ha="right",
            va="bottom",
        )
    evaluated = [r.accuracy for r in history.runs if r.accuracy is not None]
    if evaluated:
        ax.set_ylim(max(0.0, min(evaluated) - 0.1), min(1.0, max(evaluated) + 0.08))
    locator = _dates().AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_dates().ConciseDateFormatter(locator))
    ax.set_ylabel("test accuracy")
    ax.set_title("Test accuracy per run over time (filled: pushed versions, labelled with their spans)")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return _svg(fig)


def _dates() -> Any:
    import matplotlib.dates

    return matplotlib.dates
