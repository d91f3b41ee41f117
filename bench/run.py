"""``make bench``: every figure of the performance targets, measured in one go.

For each seed (``--seeds``, three by default), interleaved so that both see the same state of a noisy
machine:

1. where the profile's targets include the pipeline/plain ratio (``summary.PROFILE_TARGETS``: ``full``
   and ``smoke``), the plain Keras script (``bench/plain_keras.py``): same rows, model, recipe, epochs and
   seed, NumPy in memory, no TFX;
2. the pipeline from scratch with that seed, in its own output and serving folders: wall time (peak
   memory of all its processes for the first seed), each component's time from ML Metadata, TFMA's
   test accuracy, and the Trainer's history (when the eval accuracy first reached 0.93 and 0.94);
3. its model scored independently: the official test files through ``serving_default``.

Then, on the first seed's run: the same pipeline again with nothing changed (everything cached),
``make inspect`` on its store, and serving through its model (one-image latency p50/p99, images/s at
batch 256). Writes ``bench.json`` and ``bench.md`` into the bench folder and prints the table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

from bench import figures, summary
from bench.measure import timed
from pipeline.config import DEFAULT_OUTPUT_DIR, DEFAULT_RAW_DIR, PROFILES, metadata_path

DEFAULT_SEEDS = (42, 7, 1234)
# Training steps the machine-speed reference times for each network (after its warm-up steps).
REFERENCE_STEPS = 100
# The recipe every earlier figure was measured with (issue 16): double_conv for 16 epochs. A profile's
# training time is reported relative to it, on the machine at hand (summary.relative_training_time).
REFERENCE_RECIPE = ("double_conv", 16)


def _commit() -> str | None:
    from pipeline.definition import provenance

    code = provenance.code_version()
    if code["commit"] is None:
        return None
    return code["commit"][:12] + ("+dirty" if code["dirty"] else "")


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
    except OSError:
        return platform.processor() or "unknown CPU"
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "?")
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), [])
    extras = [f for f in ("avx512f", "avx512_bf16", "amx_bf16") if f in flags]
    return f"{name} ({', '.join(extras) or 'no AVX-512'})"


def _reference(network: str, profile: str, log: Path) -> dict[str, Any]:
    """Seconds per training step of ``network`` here, with the profile's batch size and precision."""
    print(f"[bench] machine-speed reference: {network} ...", flush=True)
    training = PROFILES[profile].training
    command = [
        sys.executable, "-m", "bench.reference", f"--network={network}", f"--batch-size={training.batch_size}",
        f"--precision={training.precision}", f"--steps={REFERENCE_STEPS}",
    ]  # fmt: skip
    _, _, stdout = timed(command, log=log)
    return json.loads(stdout.strip().splitlines()[-1])


def _plain(profile: str, seed: int, data_dir: Path, log: Path) -> dict[str, Any]:
    print(f"[bench] seed {seed}: plain Keras script ...", flush=True)
    plain_cmd = [sys.executable, "-m", "bench.plain_keras", f"--profile={profile}", f"--data-dir={data_dir}"]
    seconds, _, stdout = timed([*plain_cmd, "--set", f"seed={seed}"], log=log)
    return {"plain_seconds": seconds, "plain": json.loads(stdout.strip().splitlines()[-1])}


def _one_seed(
    profile: str, seed: int, folder: Path, data_dir: Path, log: Path, *, first: bool, plain: bool
) -> dict[str, Any]:
    python = sys.executable
    plain_run = _plain(profile, seed, data_dir, log) if plain else {}
    print(f"[bench] seed {seed}: pipeline from scratch ...", flush=True)
    run_cmd = [
        python, "-m", "pipeline.local.runner", f"--profile={profile}", f"--seed={seed}",
        f"--output-dir={folder / 'pipeline'}", f"--serving-dir={folder / 'serving'}", f"--raw-dir={DEFAULT_RAW_DIR}",
    ]  # fmt: skip
    if data_dir != DEFAULT_RAW_DIR:
        run_cmd.append(f"--data-dir={data_dir}")
    pipeline_seconds, peak, _ = timed(run_cmd, log=log, measure_memory=first)
    found = figures.pipeline_figures(folder / "pipeline", PROFILES[profile].model_name)
    print(f"[bench] seed {seed}: scoring its model on the official test files ...", flush=True)
    return {
        "seed": seed,
        "run_cmd": run_cmd,
        **plain_run,
        "pipeline_seconds": pipeline_seconds,
        "peak_memory_bytes": peak,
        "ratio": pipeline_seconds / plain_run["plain_seconds"] if plain_run else None,
        "scored_accuracy": figures.scored_accuracy(Path(found["model_dir"]), data_dir),
        **found,
    }


def run(profile: str, bench_dir: Path, data_dir: Path, seeds: Sequence[int], *, inspect_repeats: int = 5) -> dict:
    if bench_dir.exists():
        shutil.rmtree(bench_dir)
    bench_dir.mkdir(parents=True)
    log = bench_dir / "bench.log"
    network = PROFILES[profile].training.network
    references = {name: _reference(name, profile, log) for name in dict.fromkeys([REFERENCE_RECIPE[0], network])}
    per_seed = [
        _one_seed(
            profile,
            seed,
            bench_dir / f"seed-{seed}",
            data_dir,
            log,
            first=i == 0,
            plain=summary.compares_plain(profile),
        )
        for i, seed in enumerate(seeds)
    ]
    first = per_seed[0]
    output = bench_dir / f"seed-{first['seed']}" / "pipeline"
    model_name = PROFILES[profile].model_name
    results: dict[str, Any] = {
        "profile": profile,
        "seeds": list(seeds),
        "per_seed": per_seed,
        "test_accuracy_spread": summary.spread([s["scored_accuracy"] for s in per_seed]),
        "pipeline_seconds_spread": summary.spread([s["pipeline_seconds"] for s in per_seed]),
        "ratio_spread": summary.spread([s["ratio"] for s in per_seed]) if summary.compares_plain(profile) else None,
        "peak_memory_bytes": first["peak_memory_bytes"],
        "component_seconds": first["component_seconds"],
        "examples_written": first["examples_written"],
        "ingestion_examples_per_second": first["ingestion_examples_per_second"],
    }
    training = PROFILES[profile].training
    results["network"] = {
        "name": network,
        "stage_filters": list(training.stage_filters),
        "epochs": training.epochs,
        "multiply_adds": references[network]["multiply_adds"],
        "parameters": references[network]["parameters"],
    }
    results["machine_speed"] = references
    # Like for like only where the profile trains on the full data with the full recipe's batch: the same steps
    # per epoch as the reference recipe's (the smoke profile's subset is not).
    full = PROFILES["full"]
    comparable = PROFILES[profile].train_limit is None and training.batch_size == full.training.batch_size
    results["relative_training_time"] = (
        summary.relative_training_time(
            references[network], training.epochs, references[REFERENCE_RECIPE[0]], REFERENCE_RECIPE[1]
        )
        if comparable
        else None
    )
    results["test_accuracy"] = results["test_accuracy_spread"]["mean"]
    results["pipeline_seconds"] = results["pipeline_seconds_spread"]["median"]
    results["ratio"] = results["ratio_spread"]["median"] if results["ratio_spread"] else None

    print("[bench] rerun with nothing changed ...", flush=True)
    results["rerun_seconds"], _, _ = timed(first["run_cmd"], log=log)
    from pipeline.metadata import runs as runs_lib
    from pipeline.metadata.store import Store

    rerun = runs_lib.list_runs(Store.open(metadata_path(output)), model_name)[0]
    results["rerun_nodes"] = len(rerun.nodes)
    results["rerun_cached"] = sum(n.state == "cached" for n in rerun.nodes)

    print("[bench] make inspect ...", flush=True)
    inspect_cmd = ["make", "-s", "inspect", f"OUTPUT_DIR={output}"]
    results["inspect_repeats"] = inspect_repeats
    results["inspect_seconds"] = statistics.median(timed(inspect_cmd, log=log)[0] for _ in range(inspect_repeats))

    print("[bench] serving ...", flush=True)
    results.update(figures.serving_figures(Path(first["model_dir"]), data_dir))

    results["when"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    results["commit"] = _commit()
    results["machine"] = {
        "cpu": _cpu(),
        "onednn_isa": references[network].get("onednn_isa"),
        "amx": references[network].get("amx"),
        "onednn_max_cpu_isa": references[network].get("onednn_max_cpu_isa"),
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
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS), help="one pipeline and plain run each"
    )
    args = parser.parse_args(argv)
    results = run(args.profile, args.output_dir.resolve(), args.data_dir.resolve(), args.seeds)
    targets = summary.targets_of(args.profile)
    results["targets"] = {
        t.key: {"limit": t.limit, "at_most": t.at_most, "met": t.holds(results.get(t.key))} for t in targets
    }
    (args.output_dir / "bench.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    table = summary.markdown(results, targets)
    (args.output_dir / "bench.md").write_text(table)
    print(table)
    print(f"written: {args.output_dir / 'bench.json'}, {args.output_dir / 'bench.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
