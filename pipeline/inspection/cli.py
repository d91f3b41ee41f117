"""``make inspect``: what each run did, produced and decided, read from ML Metadata.

    fashion-mnist-inspect runs                 every run, newest first
    fashion-mnist-inspect show [RUN]           one run in detail (default: the latest)
    fashion-mnist-inspect lineage VERSION      a served version back to the raw files (--lite: an on-device one)
    fashion-mnist-inspect logdir               the latest training's TensorBoard logs

Each takes ``--json``. Imports neither TensorFlow nor TFX.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from components.contract import features
from components.drift_gate.checks import DriftFigures
from components.records import evaluation_results as evaluation_lib
from pipeline.config import DEFAULT_OUTPUT_DIR, metadata_path
from pipeline.inspection import details as details_lib
from pipeline.inspection import lineage as lineage_lib
from pipeline.metadata import drift as drift_lib
from pipeline.metadata import runs as runs_lib
from pipeline.metadata import spans as spans_lib
from pipeline.metadata.health import StoreDamagedError
from pipeline.metadata.store import EmptyStoreError, Store


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def format_runs(overviews: list[runs_lib.RunOverview]) -> list[str]:
    lines = []
    for run in overviews:
        lines.append(
            f"{run.run_id}  {run.pipeline}  started {run.started}  {_seconds(run.seconds)}  {run.outcome.upper()}"
        )
        lines.append(f"    {run.reason}")
        lines.append(
            f"    spans: {run.ingestion.describe() if run.ingestion else 'none (the ExampleGen did not finish)'}"
        )
        for node in run.nodes:
            error = f"  {node.error}" if node.error else ""
            lines.append(f"    {node.node_id:<30} {node.state:<8} {node.seconds:7.1f} s{error}")
    return lines


def format_trained(trained: list[spans_lib.SpanRef]) -> list[str]:
    """One line per span a model was trained on: its examples and the drift figures that cleared it."""
    lines = []
    for s in trained:
        counts = ", ".join(f"{split} {n}" for split, n in s.examples.items())
        cleared = drift_lib.against(s.drift) if s.drift else "drift figures not in this run's records"
        lines.append(f"    {s.name} (Examples {s.examples_id}): {counts}; {cleared}")
    return lines


def format_spans(r: spans_lib.RunSpans) -> list[str]:
    """What the run ingested, what the drift gate measured, what the model trained on and its warm start."""
    lines = [
        "spans:",
        f"  {r.ingestion.describe() if r.ingestion else 'nothing ingested (the ExampleGen did not finish)'}",
        *(f"  warning: {text}" for text in (r.ingestion.warnings if r.ingestion else ())),
    ]
    lines += [f"  drift gate: {drift_lib.describe(f, stopped=r.drift_stopped)}" for f in r.drift]
    lines += (
        ["  trained on:", *format_trained(r.trained)] if r.trained else ["  trained on: nothing (no model trained)"]
    )
    if r.warm_start is not None:
        lines.append(f"  warm start: {r.warm_start.describe()}")
    return lines


def format_details(d: details_lib.RunDetails) -> list[str]:
    o = d.overview
    lines = [
        f"run {o.run_id} ({o.pipeline}), started {o.started}, {_seconds(o.seconds)}",
        f"outcome: {o.outcome}: {o.reason}",
        "",
        "components:",
    ]
    lines += [
        f"  {n.node_id:<30} {n.state:<8} {n.seconds:7.1f} s" + (f"  {n.error}" if n.error else "") for n in o.nodes
    ]
    lines += ["", "artifacts:"]
    lines += [f"  {a.node}.{a.key} ({a.type} {a.id}): {a.uri}" for a in d.artifacts]
    lines += ["", *format_spans(d.spans)]
    if d.splits:
        lines += ["", "data (pixel values 0-255):"]
        width = max(6, *(len(s.label) for s in d.splits))
        for s in d.splits:
            pixels = (
                f"pixels {s.pixel_min}-{s.pixel_max}, mean {s.pixel_mean:.1f}, std {s.pixel_std:.1f}"
                if s.pixel_mean is not None
                else "pixel statistics not recorded"
            )
            size = (
                f", image {s.image_bytes_min:.0f}-{s.image_bytes_max:.0f} bytes"
                if s.image_bytes_min is not None
                else ""
            )
            lines.append(f"  {s.label:<{width}} {s.count or 0:>6} examples, {pixels}{size}")
            if s.label_counts:
                counts = ", ".join(f"{features.CLASS_NAMES[i]} {c}" for i, c in enumerate(s.label_counts))
                lines.append(f"  {'':<{width}} per class: {counts}")
    if d.schema:
        lines += ["", "schema:"] + [f"  {line}" for line in d.schema]
    lines += ["", "anomalies:"] + ([f"  {a}" for a in d.anomalies] or ["  none"])
    ev = d.evaluation
    if ev is not None:
        lines += ["", f"evaluation ({ev.example_count or '?'} test examples):"]
        lines.append(f"  accuracy {_pct(ev.accuracy)}; baseline model {_pct(ev.baseline_accuracy)}")
        if ev.class_accuracy:
            lines.append("  per class (candidate / baseline):")
            for c, acc in ev.class_accuracy.items():
                base = ev.baseline_class_accuracy.get(c)
                lines.append(
                    f"    {features.CLASS_NAMES[c]:<12} {acc:.4f}" + (f" / {base:.4f}" if base is not None else "")
                )
        lines.append("  thresholds:")
        lines += [f"    {t.where}: {t.rule}" for t in ev.thresholds] or ["    none"]
    dec = d.decision
    lines += ["", "decision:"]
    if dec.baseline_model_uri:
        lines.append(f"  baseline model: {dec.baseline_model_uri}")
    verdict = {True: "BLESSED", False: "NOT BLESSED", None: "not evaluated"}[dec.blessed]
    lines.append(f"  {verdict}: {dec.reason}")
    if dec.canary_ok is not None:
        lines.append(f"  serving canary: {'passed' if dec.canary_ok else 'FAILED'}")
    if dec.pushed_path:
        lines.append(f"  pushed: version {dec.pushed_version} at {dec.pushed_path}")
    elif dec.pushed_version:
        lines.append(f"  nothing pushed: already served as version {dec.pushed_version}")
    else:
        lines.append("  nothing pushed")
    if d.on_device is not None:
        lines += ["", "on-device model:", *(f"  {line}" for line in d.on_device.details())]
    return lines


def format_lineage(lineage: lineage_lib.Lineage) -> list[str]:
    lines = [f"version {lineage.version}: {lineage.path}"]
    prov = lineage.provenance
    code = prov.get("code") or {}
    commit = code.get("commit") or "unknown"
    dirty = {True: " (with uncommitted changes)", False: "", None: ""}[code.get("dirty")]
    lines.append(f"pushed by run {prov.get('run_id')}, code {commit}{dirty}")
    lines += ["trained on:", *format_trained(lineage.spans)] if lineage.spans else ["trained on: no span recorded"]
    if lineage.warm_start is not None:
        lines.append(f"warm start: {lineage.warm_start.describe()}")
    lines.append("")
    for step in lineage.steps:
        lines.append(f"{step.node_id} (execution {step.execution_id}, run {step.run_id}, {step.state})")
        for a in step.outputs:
            lines.append(f"    out {a.key}: {a.type} {a.id} {a.uri}")
        for a in step.inputs:
            lines.append(f"    in  {a.key}: {a.type} {a.id}")
    lines += ["", f"raw files ({lineage.input_base}), SHA-256 of the decompressed content:"]
    lines += [f"    {name}  {digest}" for name, digest in sorted(lineage.raw_files.items())]
    config = prov.get("config")
    if config:
        lines += ["", "config:"] + [f"    {k}: {json.dumps(v)}" for k, v in config.items()]
    return lines


def to_json(value: Any) -> Any:
    """What ``--json`` prints: dataclasses as objects of their fields; a threshold also with its rule in words,
    a drift figure with what drifted in words."""
    if isinstance(value, evaluation_lib.Threshold):
        return {**{f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, "rule": value.rule}
    if isinstance(value, DriftFigures):
        return {**value.to_json(), "drifted": value.drifted}
    if dataclasses.is_dataclass(value):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def _add_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options every command takes, before or after the command name."""

    def default(value: Any) -> Any:
        # A subcommand's own default would overwrite a value given before the command.
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--output-dir", type=Path, default=default(DEFAULT_OUTPUT_DIR), help="the output folder")
    parser.add_argument("--pipeline", default=default(None), help="only runs of this pipeline (e.g. fashion_mnist)")
    parser.add_argument("--json", action="store_true", default=default(False), help="print JSON for scripts")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fashion-mnist-inspect", description=__doc__.split("\n\n")[0])
    _add_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command")
    _add_options(commands.add_parser("runs", help="every run, newest first"), defaults=False)
    show = commands.add_parser("show", help="one run in detail")
    show.add_argument("run", nargs="?", default="latest", help="run id, a unique prefix of one, or 'latest'")
    _add_options(show, defaults=False)
    lineage = commands.add_parser("lineage", help="a served model version back to the raw data")
    lineage.add_argument("version", help="the integer version folder under serving_model/<model>/")
    lineage.add_argument("--lite", action="store_true", help="a version of the on-device model (<model>_lite/)")
    _add_options(lineage, defaults=False)
    _add_options(
        commands.add_parser("logdir", help="the TensorBoard log folder of the latest training"), defaults=False
    )
    return parser


def run(args: argparse.Namespace, out: TextIO) -> None:
    store = Store.open(metadata_path(args.output_dir))
    result: Any
    if args.command in (None, "runs"):
        result = runs_lib.list_runs(store, args.pipeline)
        if not result:
            raise EmptyStoreError(f"{args.output_dir}: no run recorded yet; run the pipeline first (make run-pipeline)")
        lines = format_runs(result)
    elif args.command == "show":
        result = details_lib.details(store, args.run, args.pipeline)
        lines = format_details(result)
    elif args.command == "lineage":
        if not args.version.isdigit():
            raise runs_lib.UnknownRunError(f"{args.version!r} is not a version: versions are integers")
        result = lineage_lib.lineage(store, int(args.version), on_device=args.lite)
        lines = format_lineage(result)
    else:  # logdir
        result = details_lib.details(store, "latest", args.pipeline).model_run_dir
        if not result:
            raise runs_lib.UnknownRunError("the latest run trained no model: no TensorBoard logs")
        lines = [result]
    if args.json:
        json.dump(to_json(result), out, indent=2)
        out.write("\n")
    else:
        out.write("\n".join(lines) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        run(args, sys.stdout)
        sys.stdout.flush()
    except (EmptyStoreError, StoreDamagedError, runs_lib.UnknownRunError) as e:
        print(f"error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # piped into head: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
