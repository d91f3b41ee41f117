"""``make bench``: every figure of the performance targets, measured in one go.

1. the pipeline from scratch (its own output and serving folders under the bench folder),
   wall time and peak memory of all its processes, each component's time from ML Metadata;
2. ingestion throughput: examples written / FashionMnistExampleGen's execution time;
3. the same pipeline again with nothing changed (everything cached);
4. ``make inspect`` on that store;
5. the plain Keras script (``bench/plain_keras.py``): same model, same epochs, NumPy in memory;
6. serving through the pushed SavedModel: one-image latency p50/p99, images/s at batch 256.

Writes ``bench.json`` and ``bench.md`` into the bench folder and prints the table.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

from pipeline.config import DEFAULT_OUTPUT_DIR, DEFAULT_RAW_DIR, PROFILES, REPO_ROOT, metadata_path


@dataclasses.dataclass(frozen=True)
class Target:
    name: str
    key: str  # into the results
    limit: float
    at_most: bool  # True: value <= limit passes; False: value >= limit passes
    unit: str

    def holds(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.limit if self.at_most else value >= self.limit


TARGETS = (
    Target("pipeline wall / plain Keras wall", "ratio", 1.2, True, "x"),
    Target("cached rerun wall", "rerun_seconds", 30.0, True, "s"),
    Target("make inspect wall", "inspect_seconds", 3.0, True, "s"),
    Target("ingestion throughput", "ingestion_examples_per_second", 20000.0, False, "examples/s"),
)
# Only the default profile has to reach these.
FULL_PROFILE_TARGETS = (
    Target("test accuracy", "test_accuracy", 0.93, False, ""),
    Target("pipeline wall (full profile)", "pipeline_seconds", 720.0, True, "s"),
)


class PeakMemory:
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self._process = psutil.Process(pid)
        self._interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self._process, *self._process.children(recursive=True)]
                total = 0
                for p in processes:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        continue
                self.peak_bytes = max(self.peak_bytes, total)
            except psutil.Error:
                return
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(cmd: Sequence[str], *, log: Path, measure_memory: bool = False) -> tuple[float, int, str]:
    """Runs ``cmd`` from the repository root; returns (wall seconds, peak bytes, stdout)."""
    started = time.monotonic()
    with open(log, "a") as err:
        process = subprocess.Popen(list(cmd), cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=err, text=True)
        peak = 0
        if measure_memory:
            with PeakMemory(process.pid) as memory:
                stdout, _ = process.communicate()
            peak = memory.peak_bytes
        else:
            stdout, _ = process.communicate()
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {process.returncode}); see {log}\n{stdout[-2000:]}")
    return wall, peak, stdout


def serving_figures(model_dir: Path, data_dir: Path, *, single_calls: int = 300, batches: int = 20) -> dict[str, float]:
    """Latency of one image and throughput at batch 256 through the SavedModel's serving_default."""
    from components import legacy_keras

    legacy_keras.use_legacy_keras()
    import numpy as np
    import tensorflow as tf

    from components import features
    from components.ingestion import examples
    from data import sources

    contents = sources.read_all(str(data_dir))
    images, labels = contents[sources.TEST_IMAGES].array, contents[sources.TEST_LABELS].array
    records = [examples.to_example(images[i], int(labels[i])) for i in range(512)]
    serve = tf.saved_model.load(str(model_dir)).signatures[features.SERVING_SIGNATURE]
    one = tf.constant(records[:1])
    batch = tf.constant(records[:256])
    for _ in range(20):  # warm-up: tracing and first-call allocations
        serve(examples=one)
        serve(examples=batch)
    latencies = []
    for i in range(single_calls):
        record = tf.constant(records[i % len(records) : i % len(records) + 1])
        started = time.perf_counter()
        serve(examples=record)[features.CLASS_IDS_KEY].numpy()
        latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(batches):
        serve(examples=batch)[features.CLASS_IDS_KEY].numpy()
    throughput = batches * 256 / (time.perf_counter() - started)
    ms = np.asarray(latencies) * 1000
    return {
        "serving_latency_p50_ms": float(np.percentile(ms, 50)),
        "serving_latency_p99_ms": float(np.percentile(ms, 99)),
        "serving_images_per_second_batch256": float(throughput),
    }


def pipeline_figures(output_dir: Path, model_name: str) -> dict[str, Any]:
    """Per-component times, ingestion throughput and accuracy of the pipeline's first run, from ML Metadata."""
    from pipeline import nodes
    from pipeline.inspection import details as details_lib
    from pipeline.inspection import runs as runs_lib
    from pipeline.inspection.store import Store

    store = Store.open(metadata_path(output_dir))
    first = runs_lib.list_runs(store, model_name)[-1]
    details = details_lib.details(store, first.run_id, model_name)
    seconds = {n.node_id: round(n.seconds, 2) for n in first.nodes}
    examples_written = sum(s.count or 0 for s in details.splits)
    ingestion = seconds.get(nodes.EXAMPLE_GEN)
    return {
        "run_id": first.run_id,
        "component_seconds": seconds,
        "examples_written": examples_written,
        "ingestion_examples_per_second": examples_written / ingestion if ingestion else None,
        "test_accuracy": details.evaluation.accuracy if details.evaluation else None,
        "outcome": first.outcome,
        "pushed_version": details.decision.pushed_version,
    }


def markdown(results: dict[str, Any], targets: Sequence[Target]) -> str:
    r = results
    lines = [
        f"# Benchmark: profile `{r['profile']}`, {r['when']}",
        "",
        f"Machine: {r['machine']['cpus']} CPUs, {r['machine']['memory_gib']:.0f} GiB, Python {r['machine']['python']}; "
        f"commit {r['commit'] or 'unknown'}.",
        "",
        "| target | measured | limit | met |",
        "|---|---|---|---|",
    ]
    for t in targets:
        value = r.get(t.key)
        shown = "n/a" if value is None else (f"{value:,.0f}" if value >= 1000 else f"{value:.4g}")
        verdict = {True: "yes", False: "**no**", None: "n/a"}[t.holds(value)]
        lines.append(
            f"| {t.name} | {shown} {t.unit} | {'<=' if t.at_most else '>='} {t.limit:g} {t.unit} | {verdict} |"
        )
    lines += [
        "",
        "| figure | value |",
        "|---|---|",
        f"| pipeline wall, first run | {r['pipeline_seconds']:.1f} s |",
        f"| plain Keras script wall ({r['plain']['epochs']} epochs) | {r['plain_seconds']:.1f} s "
        f"(training {r['plain']['training_seconds']:.1f} s, test accuracy {r['plain']['test_accuracy']:.4f}) |",
        f"| peak memory, all processes of the first run | {r['peak_memory_bytes'] / 2**30:.2f} GiB |",
        f"| rerun, nothing changed | {r['rerun_seconds']:.1f} s ({r['rerun_cached']} of {r['rerun_nodes']} cached) |",
        f"| make inspect (median of {r['inspect_repeats']}) | {r['inspect_seconds']:.2f} s |",
        f"| ingestion | {r['examples_written']:,} examples, {r['ingestion_examples_per_second']:,.0f} examples/s |",
        f"| serving latency, 1 image | p50 {r['serving_latency_p50_ms']:.2f} ms, "
        f"p99 {r['serving_latency_p99_ms']:.2f} ms |",
        f"| serving throughput, batch 256 | {r['serving_images_per_second_batch256']:,.0f} images/s |",
        "",
        "| component (first run) | seconds |",
        "|---|---|",
    ]
    lines += [f"| {node} | {seconds:.1f} |" for node, seconds in r["component_seconds"].items()]
    return "\n".join(lines) + "\n"


def _commit() -> str | None:
    from pipeline import provenance

    code = provenance.code_version()
    if code["commit"] is None:
        return None
    return code["commit"][:12] + ("+dirty" if code["dirty"] else "")


def run(profile: str, bench_dir: Path, data_dir: Path, *, inspect_repeats: int = 5) -> dict[str, Any]:
    if bench_dir.exists():
        shutil.rmtree(bench_dir)
    bench_dir.mkdir(parents=True)
    log = bench_dir / "bench.log"
    output, serving = bench_dir / "pipeline", bench_dir / "serving"
    python = sys.executable
    run_cmd = [
        python, "-m", "pipeline.local_runner", f"--profile={profile}",
        f"--output-dir={output}", f"--serving-dir={serving}", f"--raw-dir={DEFAULT_RAW_DIR}",
    ]  # fmt: skip
    if data_dir != DEFAULT_RAW_DIR:
        run_cmd.append(f"--data-dir={data_dir}")

    print(f"[bench] pipeline from scratch, profile {profile} ...", flush=True)
    pipeline_seconds, peak, _ = timed(run_cmd, log=log, measure_memory=True)
    model_name = PROFILES[profile].model_name
    results: dict[str, Any] = {"profile": profile, "pipeline_seconds": pipeline_seconds, "peak_memory_bytes": peak}
    results.update(pipeline_figures(output, model_name))

    print("[bench] rerun with nothing changed ...", flush=True)
    results["rerun_seconds"], _, _ = timed(run_cmd, log=log)
    from pipeline.inspection import runs as runs_lib
    from pipeline.inspection.store import Store

    rerun = runs_lib.list_runs(Store.open(metadata_path(output)), model_name)[0]
    results["rerun_nodes"] = len(rerun.nodes)
    results["rerun_cached"] = sum(n.state == "cached" for n in rerun.nodes)

    print("[bench] make inspect ...", flush=True)
    inspect_cmd = ["make", "-s", "inspect", f"OUTPUT_DIR={output}"]
    results["inspect_repeats"] = inspect_repeats
    results["inspect_seconds"] = statistics.median(timed(inspect_cmd, log=log)[0] for _ in range(inspect_repeats))

    print("[bench] plain Keras script ...", flush=True)
    plain_cmd = [python, "-m", "bench.plain_keras", f"--profile={profile}", f"--data-dir={data_dir}"]
    results["plain_seconds"], _, stdout = timed(plain_cmd, log=log)
    results["plain"] = json.loads(stdout.strip().splitlines()[-1])
    results["ratio"] = pipeline_seconds / results["plain_seconds"]

    print("[bench] serving ...", flush=True)
    version = results.get("pushed_version")
    if version is None:
        raise RuntimeError(f"the benchmarked run pushed no model ({results['outcome']}); see {output}/logs")
    results.update(serving_figures(serving / model_name / str(version), data_dir))

    results["when"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    results["commit"] = _commit()
    results["machine"] = {
        "cpus": os.cpu_count(),
        "memory_gib": psutil.virtual_memory().total / 2**30,
        "python": platform.python_version(),
    }
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description="Measure the pipeline against its targets.")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR / "bench", help="the bench folder")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_RAW_DIR, help="the verified IDX files")
    args = parser.parse_args(argv)
    results = run(args.profile, args.output_dir.resolve(), args.data_dir.resolve())
    targets = TARGETS + (FULL_PROFILE_TARGETS if args.profile == "full" else ())
    results["targets"] = {
        t.key: {"limit": t.limit, "at_most": t.at_most, "met": t.holds(results.get(t.key))} for t in targets
    }
    (args.output_dir / "bench.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    table = markdown(results, targets)
    (args.output_dir / "bench.md").write_text(table)
    print(table)
    print(f"written: {args.output_dir / 'bench.json'}, {args.output_dir / 'bench.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
