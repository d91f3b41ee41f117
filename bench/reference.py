"""The machine-speed reference: seconds per training step of a network, and whether oneDNN ran on AMX.

Run as its own process (``python -m bench.reference --network double_conv``), so that TensorFlow's
threads and oneDNN's choice of kernels start fresh, and the bench process itself never imports
TensorFlow. The bench times ``double_conv`` (the net every figure before issue 26 was measured on) and
the profile's own network the same way, side by side: a wall time on this machine then reads as a ratio
to the reference, which survives a change of machine where seconds do not. Random images, the profile's
batch size and precision, after warm-up steps that build the graph and pick the kernels.

Prints one JSON line: ``{"network", "stage_filters", "steps", "batch_size", "precision", "seconds_per_step",
"cores_busy", "multiply_adds", "parameters", "onednn_isa", "amx"}``. ``cores_busy`` is the process's CPU seconds
over the wall seconds of the timed steps: on this 2-core VM a process sometimes runs at one core's speed
(docs/benchmarks.md, "Noise"), and it shows there (about 1.7 cores busy at full speed, 0.9-1.35 in that mode).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from components.training.network import Architecture

# A oneDNN primitive ran on AMX when its implementation names it (e.g. "brg_conv_fwd:avx512_core_amx").
_AMX_KERNEL = re.compile(r"\bavx512_core_amx\w*")
# oneDNN's verbose header: "onednn_verbose,...,info,cpu,isa:Intel AVX-512 ... with Intel AMX ..."
_ISA_LINE = re.compile(r"info,cpu,isa:(.*)$")


def onednn_isa(verbose_lines: Iterable[str]) -> tuple[str | None, bool]:
    """(the ISA oneDNN reported, whether any primitive it ran used AMX) from ONEDNN_VERBOSE=1 output."""
    isa, amx = None, False
    for line in verbose_lines:
        found = _ISA_LINE.search(line.strip())
        if found and isa is None:
            isa = found.group(1).strip()
        if line.startswith("onednn_verbose") and ",exec," in line and _AMX_KERNEL.search(line):
            amx = True
    return isa, amx


def _probe_isa(shape_args: Sequence[str], precision: str) -> tuple[str | None, bool]:
    """Runs two training steps with ONEDNN_VERBOSE=1 in a child process and reads what oneDNN did."""
    env = {**os.environ, "ONEDNN_VERBOSE": "1"}
    command = [sys.executable, "-m", "bench.reference", *shape_args, f"--precision={precision}"]
    probe = subprocess.run(
        [*command, "--steps=2", "--warmup=1", "--no-probe"], env=env, capture_output=True, text=True, check=False
    )
    return onednn_isa(probe.stdout.splitlines())


def measure(shape: Architecture, *, steps: int, warmup: int, batch_size: int, precision: str) -> dict[str, object]:
    import numpy as np
    import tensorflow as tf

    from components.training import devices
    from components.training import network as network_lib

    dtype = devices.resolve_precision(precision)
    tf.keras.utils.set_random_seed(0)
    cnn = network_lib.build_model(1e-3, shape, label_smoothing=0.1, precision=dtype)
    rng = np.random.default_rng(0)
    images = rng.random((batch_size * 4, 28, 28, 1), np.float32)
    targets = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch_size * 4)]
    batches = tf.data.Dataset.from_tensor_slices((images, targets)).batch(batch_size).cache().repeat()
    cnn.fit(batches, steps_per_epoch=warmup, epochs=1, verbose=0)
    started, cpu_started = time.perf_counter(), time.process_time()
    cnn.fit(batches, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "network": shape.network,
        "stage_filters": list(shape.stage_filters),
        "steps": steps,
        "batch_size": batch_size,
        "precision": dtype,
        "seconds_per_step": seconds / steps,
        "cores_busy": cpu_seconds / seconds,
        "multiply_adds": network_lib.multiply_adds(cnn),
        "parameters": cnn.count_params(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="double_conv")
    parser.add_argument("--stem-filters", type=int, default=16)
    parser.add_argument("--stage-filters", default="32,64,128")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--no-probe", action="store_true", help="do not ask oneDNN which kernels it ran")
    args = parser.parse_args(argv)
    from components import legacy_keras

    legacy_keras.use_legacy_keras()
    from components.training import network as network_lib

    stages = tuple(int(f) for f in args.stage_filters.split(","))
    shape = network_lib.Architecture(args.network, args.stem_filters, stages)
    result = measure(shape, steps=args.steps, warmup=args.warmup, batch_size=args.batch_size, precision=args.precision)
    if not args.no_probe:
        shape_args = [
            f"--network={args.network}",
            f"--stem-filters={args.stem_filters}",
            f"--stage-filters={args.stage_filters}",
        ]
        result["onednn_isa"], result["amx"] = _probe_isa(shape_args, args.precision)
        result["onednn_max_cpu_isa"] = os.environ.get("ONEDNN_MAX_CPU_ISA")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
