"""The bench's arithmetic, no measuring: spreads over seeds, time to an accuracy, targets, the table."""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from components.contract import files

# The eval accuracies whose first epoch the bench reports ("time to accuracy").
ACCURACY_MARKS = (0.93, 0.94)


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


RATIO = Target("pipeline wall / plain Keras wall (median of the seeds' pairs)", "ratio", 1.05, True, "x")
_AGAINST = "against today's recipe (double_conv), timed side by side"
# Every profile's.
TARGETS = (
    Target("cached rerun wall", "rerun_seconds", 30.0, True, "s"),
    Target("make inspect wall", "inspect_seconds", 3.0, True, "s"),
    Target("ingestion throughput", "ingestion_examples_per_second", 20000.0, False, "examples/s"),
    Target("serving latency, 1 image, p50", "serving_latency_p50_ms", 2.0, True, "ms"),
    Target("on-device model: test accuracy below the SavedModel's (worst seed)", "lite_accuracy_gap", 0.005, True, ""),
    Target("on-device model's size / the float TFLite model's", "lite_size_fraction", 1 / 3, True, ""),
)
_ACCURACY = "test accuracy (mean of the seeds, scored through serving_default)"
_WALL = "pipeline wall (median of the seeds)"
# Each profile's own. The plain-Keras script runs only where the ratio is a target: the default profile's
# overhead is the one that matters, and the smoke profile's shows the fixed costs.
PROFILE_TARGETS: dict[str, tuple[Target, ...]] = {
    "full": (
        RATIO,
        Target(_ACCURACY, "test_accuracy", 0.942, False, ""),
        Target("test accuracy of the lowest seed", "test_accuracy_min", 0.940, False, ""),
        Target(f"training time {_AGAINST}", "relative_training_time", 0.55, True, "x"),
        Target(f"serving images/s at batch 256 {_AGAINST}", "serving_speedup", 2.0, False, "x"),
        Target(_WALL, "pipeline_seconds", 420.0, True, "s"),
    ),
    "best": (
        Target(_ACCURACY, "test_accuracy", 0.950, False, ""),
        Target(_WALL, "pipeline_seconds", 1800.0, True, "s"),
    ),
    "smoke": (RATIO,),
}


def targets_of(profile: str) -> tuple[Target, ...]:
    return PROFILE_TARGETS.get(profile, ()) + TARGETS


def compares_plain(profile: str) -> bool:
    """Whether the bench runs the plain-Keras script beside each pipeline run of ``profile``."""
    return RATIO in PROFILE_TARGETS.get(profile, ())


def spread(values: Sequence[float]) -> dict[str, float]:
    """Mean, median, min and max of one figure over the seeds."""
    return {
        "mean": statistics.fmean(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def time_to_accuracy(history: Mapping[str, Sequence[float]], mark: float) -> dict[str, float] | None:
    """When the eval accuracy first reached ``mark``: that epoch (1-based) and the training seconds until
    its end (the Trainer's history: ``val_accuracy`` and each epoch's seconds); None if it never did."""
    accuracies = history.get("val_accuracy", [])
    seconds = history.get(files.EPOCH_SECONDS_KEY, [])
    for epoch, accuracy in enumerate(accuracies, start=1):
        if accuracy >= mark:
            return {"epoch": epoch, "seconds": sum(seconds[:epoch]) if len(seconds) >= epoch else None}
    return None


def seconds_per_epoch(history: Mapping[str, Sequence[float]]) -> float | None:
    """The mean wall seconds of the Trainer's epochs; None without a record of them."""
    seconds = history.get(files.EPOCH_SECONDS_KEY, [])
    return statistics.fmean(seconds) if seconds else None


def serving_speedup(
    side_by_side: Mapping[str, Mapping[str, Mapping[str, float]]], served: tuple[str, str], reference: tuple[str, str]
) -> float:
    """Images per second at batch 256 of one (name, view) of bench/serving.side_by_side over another's: the
    profile's network as it exports over the reference recipe's (which served with flip averaging)."""
    key = "serving_images_per_second_batch256"
    return side_by_side[served[0]][served[1]][key] / side_by_side[reference[0]][reference[1]][key]


def mac_epochs(multiply_adds: int, found: Mapping[str, float] | None) -> float | None:
    """Multiply-adds per image forward times the epochs it took to reach an accuracy mark (compute to accuracy,
    in a unit that survives a change of machine); None when the mark was not reached."""
    return None if found is None else multiply_adds * found["epoch"]


def _number(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} s"


def _mark(found: dict[str, float] | None, multiply_adds: int) -> str:
    if found is None:
        return "not reached"
    compute = mac_epochs(multiply_adds, found) / 1e6
    return f"epoch {found['epoch']} ({compute:,.0f} M MAC-epochs), {_number(found['seconds'])} s"


def _timings(figure: Mapping[str, Any]) -> str:
    """Every timing of a network's, in ms a step, with the cores its process kept busy when known."""
    runs = figure.get("seconds_per_step_runs", [figure["seconds_per_step"]])
    cores = figure.get("cores_busy_runs", [None] * len(runs))
    return "/".join(
        f"{t * 1000:.1f}" + (f" ({c:.2f} cores)" if c is not None else "") for t, c in zip(runs, cores, strict=True)
    )


def _machine_speed(r: dict[str, Any]) -> str:
    """The network, its compute, oneDNN's ISA and the machine-speed reference, in one paragraph."""
    net, speed, machine = r["network"], r["machine_speed"], r["machine"]
    steps = ", ".join(
        f"{name} ({f['network']} {f.get('stage_filters', '')}) {f['seconds_per_step'] * 1000:.1f} ms/step, fastest of "
        f"{_timings(f)} ({f['multiply_adds'] / 1e6:.1f} M multiply-adds)"
        + (" **every timing ran narrow: not like for like**" if f.get("narrow") else "")
        for name, f in speed.items()
    )
    amx = {True: "used AMX", False: "did not use AMX", None: "AMX unknown"}[machine.get("amx")]
    limit = f", ONEDNN_MAX_CPU_ISA={machine['onednn_max_cpu_isa']}" if machine.get("onednn_max_cpu_isa") else ""
    relative = r["relative_training_time"]
    against = (
        f"{relative:.2f}x"
        if relative is not None
        else "n/a (this profile does not train on the full data at batch 128)"
    )
    return (
        f"Network `{net['name']}` {net['stage_filters']}: {net['multiply_adds'] / 1e6:.1f} M multiply-adds per image "
        f"forward, {net['parameters']:,} parameters, {net['epochs']} epochs. oneDNN {amx}{limit} "
        f"(ISA: {machine.get('onednn_isa') or 'not reported'}). Machine-speed reference, timed side by side: {steps}; "
        f"training time against today's recipe (double_conv, 16 epochs, full data) on this machine: {against}."
    )


def _serving_rows(side_by_side: Mapping[str, Mapping[str, Mapping[str, float]]]) -> list[str]:
    """A row per network and view of the serving figures timed side by side (untrained weights)."""
    views = {"flip": "with flip averaging", "single": "one pass"}
    return [
        f"| serving side by side: {name}, {views[view]} | p50 {f['serving_latency_p50_ms']:.2f} ms, p99 "
        f"{f['serving_latency_p99_ms']:.2f} ms, {f['serving_images_per_second_batch256']:,.0f} images/s at batch 256 |"
        for view in views
        for name, by_view in side_by_side.items()
        if (f := by_view.get(view))
    ]


def _lite_rows(lite: Mapping[str, Any] | None) -> list[str]:
    """Rows of the on-device model: what shipped, every candidate's size, its accuracy and its speed."""
    if not lite:
        return []
    acc = lite["scored_accuracy_spread"]
    candidates = ", ".join(f"{c['quantization']} {c['size_bytes'] / 1024:,.1f} KB" for c in lite["candidates"])
    rows = [
        f"| on-device model (first seed's) | {lite['quantization']} TFLite, {lite['size_bytes'] / 1024:,.1f} KB "
        f"({lite['size_bytes'] / lite['float_size_bytes']:.2f} of the float model's); candidates: {candidates} |",
        f"| on-device test accuracy, TFLite's interpreter on the IDX files | mean {acc['mean']:.4f} (min "
        f"{acc['min']:.4f}); at most {lite['accuracy_gap_max'] * 100:.2f} pp below the SavedModel's |",
    ]
    rows += [
        f"| on-device serving, {threads} interpreter thread(s), XNNPACK | p50 {f['latency_p50_ms']:.3f} ms, p99 "
        f"{f['latency_p99_ms']:.3f} ms, {f['images_per_second_batch256']:,.0f} images/s at batch 256 |"
        for threads, f in lite["speed"].items()
    ]
    return rows


def _head(r: dict[str, Any], targets: Sequence[Target]) -> list[str]:
    """The title, the machine, the machine-speed paragraph and the targets' table."""
    seeds = f"; seeds {r['seeds']}" if "seeds" in r else "; the machine-speed reference only"
    lines = [
        f"# Benchmark: profile `{r['profile']}`, {r['when']}",
        "",
        f"Machine: {r['machine']['cpu']}, {r['machine']['cpus']} CPUs, {r['machine']['memory_gib']:.0f} GiB, "
        f"Python {r['machine']['python']}; commit {r['commit'] or 'unknown'}{seeds}.",
        "",
        _machine_speed(r),
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
    return lines


def markdown(results: dict[str, Any], targets: Sequence[Target]) -> str:
    """The bench's table: the whole bench's, or (results without seeds) the machine-speed reference's alone."""
    r = results
    lines = _head(r, targets)
    if "per_seed" not in r:
        return "\n".join(lines) + "\n"
    acc, ratio, wall = r["test_accuracy_spread"], r.get("ratio_spread"), r["pipeline_seconds_spread"]
    compared = (
        f"; ratio median {ratio['median']:.3f} ({ratio['min']:.3f}-{ratio['max']:.3f}), each pipeline run measured "
        "right after its plain run"
        if ratio
        else "; no plain-Keras runs at this profile"
    )
    lines += [
        "",
        f"Over {len(r['seeds'])} seeds: test accuracy mean {acc['mean']:.4f}, min {acc['min']:.4f}, max "
        f"{acc['max']:.4f}; pipeline wall median {wall['median']:.1f} s ({wall['min']:.1f}-{wall['max']:.1f})"
        f"{compared}.",
        "",
        "| seed | plain wall | pipeline wall | ratio | test accuracy: scored (TFMA) | on-device | plain script's | "
        "s per epoch | " + " | ".join(f"eval accuracy {m}" for m in ACCURACY_MARKS) + " |",
        "|---|---|---|---|---|---|---|---|" + "---|" * len(ACCURACY_MARKS),
    ]
    macs = r["network"]["multiply_adds"]
    for s in r["per_seed"]:
        marks = " | ".join(_mark(s["time_to_accuracy"].get(str(m)), macs) for m in ACCURACY_MARKS)
        plain = s.get("plain") or {}
        lines.append(
            f"| {s['seed']} | {_seconds(s.get('plain_seconds'))} | {s['pipeline_seconds']:.1f} s | "
            f"{_number(s.get('ratio'), 3)} | {_number(s['scored_accuracy'], 4)} ({_number(s['tfma_accuracy'], 4)}) | "
            f"{_number(s.get('lite_scored_accuracy'), 4)} | {_number(plain.get('test_accuracy'), 4)} | "
            f"{_number(s.get('seconds_per_epoch'))} | {marks} |"
        )
    lines += [
        "",
        "| figure | value |",
        "|---|---|",
        f"| peak memory, all processes of the first pipeline run | {r['peak_memory_bytes'] / 2**30:.2f} GiB |",
        f"| rerun, nothing changed | {r['rerun_seconds']:.1f} s ({r['rerun_cached']} of {r['rerun_nodes']} cached) |",
        f"| make inspect (median of {r['inspect_repeats']}) | {r['inspect_seconds']:.2f} s |",
        f"| ingestion | {r['examples_written']:,} examples, {_number(r['ingestion_examples_per_second'], 0)} "
        "examples/s |",
        f"| serving latency, 1 image | p50 {r['serving_latency_p50_ms']:.2f} ms, "
        f"p99 {r['serving_latency_p99_ms']:.2f} ms |",
        f"| serving throughput, batch 256 | {r['serving_images_per_second_batch256']:,.0f} images/s |",
        *_serving_rows(r.get("serving_side_by_side", {})),
        *_lite_rows(r.get("lite")),
        "",
        "| component (first seed's run) | seconds |",
        "|---|---|",
    ]
    lines += [f"| {node} | {seconds:.1f} |" for node, seconds in r["component_seconds"].items()]
    return "\n".join(lines) + "\n"
