"""The machine-speed reference: each network timed in fresh processes (bench/reference.py, side by side), its
timings as one figure, which of them ran narrow, and a profile's training time against the reference recipe's.
No TensorFlow in this process."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.measure import timed
from components.contract.training_config import TrainingConfig

# Training steps the machine-speed reference times for each network (after its warm-up steps), and how many
# fresh processes time each, in turns: the fastest is the network's figure. This 2-core VM runs some processes at
# one core's speed (docs/benchmarks.md, "Noise"), so a single timing can be off by half: a network whose fastest
# timing still ran narrow (``narrow``) is timed again, up to REFERENCE_MAX_REPEATS times in all.
REFERENCE_STEPS = 100
REFERENCE_REPEATS = 3
REFERENCE_MAX_REPEATS = 6

# A machine-speed timing ran narrow (docs/benchmarks.md, "Noise") when its process kept fewer cores busy than this
# share of the busiest timing of the bench's. Measured here: 1.63-1.89 cores at full speed (pool_early's lowest,
# 1.63, is 0.93 of double_conv's 1.76), 0.86-1.49 narrow (double_conv's highest, 1.49, is 0.85 of its 1.75).
FULL_WIDTH = 0.85


def busiest(runs: Mapping[str, Sequence[Mapping[str, Any]]]) -> float:
    """The most cores any of the bench's machine-speed timings kept busy (0 when none says)."""
    return max((t.get("cores_busy", 0.0) for timings in runs.values() for t in timings), default=0.0)


def narrow(timing: Mapping[str, Any], busiest_cores: float) -> bool:
    """Whether ``timing`` ran in the one-core mode: fewer cores busy than FULL_WIDTH of the busiest timing's."""
    return "cores_busy" in timing and timing["cores_busy"] < FULL_WIDTH * busiest_cores


def fastest(timings: Sequence[Mapping[str, Any]], busiest_cores: float = 0.0) -> dict[str, Any]:
    """One network's machine-speed timings (bench/reference.py, each from a fresh process) as one: the fastest,
    with every timing's seconds per step and cores busy, whether it ran narrow, and oneDNN's ISA from the timing
    that asked for it."""
    best = dict(min(timings, key=lambda t: t["seconds_per_step"]))
    for key in ("onednn_isa", "amx", "onednn_max_cpu_isa"):
        best.setdefault(key, next((t[key] for t in timings if key in t), None))
    best["seconds_per_step_runs"] = [t["seconds_per_step"] for t in timings]
    if any("cores_busy" in t for t in timings):
        best["cores_busy_runs"] = [t.get("cores_busy") for t in timings]
        best["narrow"] = narrow(best, busiest_cores)
    return best


def narrow_networks(runs: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[str]:
    """The networks whose fastest timing so far ran narrow: the ones to time again."""
    cores = busiest(runs)
    return [name for name, timings in runs.items() if timings and fastest(timings, cores).get("narrow")]


def relative_training_time(
    network: Mapping[str, Any], epochs: int, reference: Mapping[str, Any], reference_epochs: int
) -> float:
    """Training time of ``epochs`` of ``network`` against ``reference_epochs`` of ``reference``, from the two
    networks' seconds per step timed side by side on this machine (bench/reference.py): the same data and batch
    size, so the same steps per epoch."""
    return (epochs * network["seconds_per_step"]) / (reference_epochs * reference["seconds_per_step"])


def time_once(config: TrainingConfig, log: Path, *, probe: bool) -> dict[str, Any]:
    """Seconds per training step of ``config``'s network here, with its batch size and precision."""
    print(f"[bench] machine-speed reference: {config.network} {list(config.stage_filters)} ...", flush=True)
    command = [
        sys.executable, "-m", "bench.reference", f"--network={config.network}", f"--batch-size={config.batch_size}",
        f"--precision={config.precision}", f"--steps={REFERENCE_STEPS}",
        f"--stem-filters={config.stem_filters}", f"--stage-filters={','.join(map(str, config.stage_filters))}",
    ]  # fmt: skip
    _, _, stdout = timed([*command, *([] if probe else ["--no-probe"])], log=log)
    return json.loads(stdout.strip().splitlines()[-1])


def time_side_by_side(configs: dict[str, TrainingConfig], log: Path) -> dict[str, dict[str, Any]]:
    """Each config's fastest timing, from ``REFERENCE_REPEATS`` taken in turns (oneDNN's kernels asked once), and
    more of a network's while its fastest ran narrow, up to ``REFERENCE_MAX_REPEATS``."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
    for repeat in range(REFERENCE_MAX_REPEATS):
        again = list(configs) if repeat < REFERENCE_REPEATS else narrow_networks(runs)
        for name in again:
            runs[name].append(time_once(configs[name], log, probe=repeat == 0))
    cores = busiest(runs)
    return {name: fastest(timings, cores) for name, timings in runs.items()}
