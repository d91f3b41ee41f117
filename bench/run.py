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

Before the seeds, and alone with ``--reference-only`` (``make bench-reference``): the machine-speed reference
(bench/machine_speed.py), the profile's network and the reference recipe's timed side by side.
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
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

from bench import figures, machine_speed, serving, summary
from bench.measure import timed
from components.contract.training_config import TrainingConfig
from pipeline.config import DEFAULT_OUTPUT_DIR, DEFAULT_RAW_DIR, PROFILES, metadata_path

DEFAULT_SEEDS = (42, 7, 1234)
# The recipe every figure before issue 26 was measured with: double_conv, 32/64/128 filters, 16 epochs. A
# profile's training time and serving speed are reported relative to it, timed side by side on the machine at
# hand (machine_speed.relative_training_time, summary.serving_speedup).
REFERENCE_NAME = "reference"


def reference_recipe(training: TrainingConfig) -> TrainingConfig:
    """``training`` with the reference network and epochs: what the profile's figures are compared with."""
    return dataclasses.replace(training, network="double_conv", stage_filters=(32, 64, 128), epochs=16)


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
        "lite_scored_accuracy": figures.scored_lite_accuracy(Path(found["lite_model"]["file"]), data_dir)
        if found["lite_model"]
        else None,
        **found,
    }


def _side_by_side(profile: str) -> dict[str, TrainingConfig]:
    """The networks the bench times and serves side by side: the reference recipe's and the profile's."""
    training = PROFILES[profile].training
    return {REFERENCE_NAME: reference_recipe(training), profile: training}


def _machine_speed(profile: str, configs: dict[str, TrainingConfig], log: Path) -> dict[str, Any]:
    """The machine-speed reference and what follows from it: the network's compute, the profile's training time
    against the reference recipe's, the machine and oneDNN's ISA, when and at which commit."""
    references = machine_speed.time_side_by_side(configs, log)
    training, reference_config = configs[profile], configs[REFERENCE_NAME]
    # Like for like only where the profile trains on the full data with the full recipe's batch: the same steps
    # per epoch as the reference recipe's (the smoke profile's subset is not).
    full = PROFILES["full"]
    comparable = PROFILES[profile].train_limit is None and training.batch_size == full.training.batch_size
    return {
        "network": {
            "name": training.network,
            "stem_filters": training.stem_filters if training.network == "pool_early" else None,
            "stage_filters": list(training.stage_filters),
            "epochs": training.epochs,
            "multiply_adds": references[profile]["multiply_adds"],
            "parameters": references[profile]["parameters"],
        },
        "machine_speed": references,
        "relative_training_time": machine_speed.relative_training_time(
            references[profile], training.epochs, references[REFERENCE_NAME], reference_config.epochs
        )
        if comparable
        else None,
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": _commit(),
        "machine": {
            "cpu": _cpu(),
            "onednn_isa": references[profile].get("onednn_isa"),
            "amx": references[profile].get("amx"),
            "onednn_max_cpu_isa": references[profile].get("onednn_max_cpu_isa"),
            "cpus": os.cpu_count(),
            "memory_gib": psutil.virtual_memory().total / 2**30,
            "python": platform.python_version(),
        },
    }


def reference_only(profile: str, bench_dir: Path) -> dict[str, Any]:
    """Only the machine-speed reference (a few minutes): the profile's training time against today's recipe on
    this machine, without training either."""
    _fresh(bench_dir)
    return {"profile": profile, **_machine_speed(profile, _side_by_side(profile), bench_dir / "bench.log")}


def _fresh(bench_dir: Path) -> None:
    if bench_dir.exists():
        shutil.rmtree(bench_dir)
    bench_dir.mkdir(parents=True)


def run(profile: str, bench_dir: Path, data_dir: Path, seeds: Sequence[int], *, inspect_repeats: int = 5) -> dict:
    _fresh(bench_dir)
    log = bench_dir / "bench.log"
    configs = _side_by_side(profile)
    speed = _machine_speed(profile, configs, log)
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
    results |= speed
    results["test_accuracy"] = results["test_accuracy_spread"]["mean"]
    results["test_accuracy_min"] = results["test_accuracy_spread"]["min"]
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

    print("[bench] serving: the pushed model, then both networks side by side ...", flush=True)
    records = serving.test_records(data_dir)
    results.update(serving.speed(Path(first["model_dir"]), records))
    results["serving_side_by_side"] = serving.side_by_side(configs, Path(first["transform_graph_dir"]), records)
    if first["lite_model"]:
        print("[bench] serving: the on-device model, with TFLite's interpreter ...", flush=True)
        images = serving.test_images(data_dir)
        lite_file = Path(first["lite_model"]["file"])
        results["lite"] = {
            **first["lite_model"],
            "scored_accuracy_spread": summary.spread([s["lite_scored_accuracy"] for s in per_seed]),
            "accuracy_gap_max": max(s["scored_accuracy"] - s["lite_scored_accuracy"] for s in per_seed),
            "speed": {str(n): serving.lite_speed(lite_file, images, threads=n) for n in (1, os.cpu_count())},
        }
        results["lite_accuracy_gap"] = results["lite"]["accuracy_gap_max"]
        results["lite_size_fraction"] = first["lite_model"]["size_bytes"] / first["lite_model"]["float_size_bytes"]
    served = (profile, "flip" if configs[profile].flip_averaging else "single")
    results["serving_speedup"] = summary.serving_speedup(
        results["serving_side_by_side"], served, (REFERENCE_NAME, "flip")
    )

    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description="Measure the pipeline against its targets.")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR / "bench", help="the bench folder")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_RAW_DIR, help="the verified IDX files")
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS), help="one pipeline and plain run each"
    )
    parser.add_argument(
        "--reference-only",
        action="store_true",
        help="only the machine-speed reference: the training time against today's recipe here, in minutes",
    )
    args = parser.parse_args(argv)
    if args.reference_only:
        results = reference_only(args.profile, args.output_dir.resolve())
        targets = [t for t in summary.targets_of(args.profile) if t.key in results]
    else:
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
