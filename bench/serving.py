"""Serving speed through ``serving_default``: one image's latency (p50, p99) and images per second at batch 256.

Of the pushed model, and side by side of the profile's network and the reference network (``double_conv``, the
net every figure before issue 26 was measured on), each with and without flip averaging: SavedModels exported
the way the Trainer exports (components/training/export.py) over the run's own Transform graph, in float32 as
the Trainer exports them, with untrained weights, since the speed of a network does not depend on its weights.
Their ratios are what survives a change of machine.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench import figures
from components.contract.training_config import TrainingConfig

SINGLE_CALLS = 300
BATCHES = 20
BATCH = 256


def speed(model_dir: Path, records: Sequence[bytes]) -> dict[str, float]:
    """Latency of one image (p50, p99 over ``SINGLE_CALLS`` calls) and images per second at batch ``BATCH``."""
    tf = figures.tensorflow()
    import numpy as np

    from components.contract import features

    serve = tf.saved_model.load(str(model_dir)).signatures[features.SERVING_SIGNATURE]
    one, batch = tf.constant(records[:1]), tf.constant(records[:BATCH])
    for _ in range(20):  # warm-up: tracing and first-call allocations
        serve(examples=one)
        serve(examples=batch)
    latencies = []
    for i in range(SINGLE_CALLS):
        record = tf.constant(records[i % len(records) : i % len(records) + 1])
        started = time.perf_counter()
        serve(examples=record)[features.CLASS_IDS_KEY].numpy()
        latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(BATCHES):
        serve(examples=batch)[features.CLASS_IDS_KEY].numpy()
    throughput = BATCHES * BATCH / (time.perf_counter() - started)
    ms = np.asarray(latencies) * 1000
    return {
        "serving_latency_p50_ms": float(np.percentile(ms, 50)),
        "serving_latency_p99_ms": float(np.percentile(ms, 99)),
        "serving_images_per_second_batch256": float(throughput),
    }


def lite_speed(flatbuffer_path: Path, images: Any, threads: int | None = None) -> dict[str, Any]:
    """The on-device model run by TFLite's interpreter with its default CPU delegate (XNNPACK), on pixels: one
    image's latency (p50, p99 over ``SINGLE_CALLS`` calls) and images per second at batch ``BATCH``, with
    ``threads`` interpreter threads (None: the interpreter's default)."""
    import numpy as np

    from components.lite_conversion import runtime

    flatbuffer = flatbuffer_path.read_bytes()
    one, batch = (
        runtime.OnDeviceModel(flatbuffer, num_threads=threads),
        runtime.OnDeviceModel(flatbuffer, num_threads=threads),
    )
    for _ in range(20):  # warm-up: allocation, XNNPACK's weight packing
        one.predict(images[:1])
        batch.predict(images[:BATCH])
    latencies = []
    for i in range(SINGLE_CALLS):
        started = time.perf_counter()
        one.predict(images[i % len(images) : i % len(images) + 1])
        latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(BATCHES):
        batch.predict(images[:BATCH])
    throughput = BATCHES * BATCH / (time.perf_counter() - started)
    ms = np.asarray(latencies) * 1000
    return {
        "threads": threads,
        "latency_p50_ms": float(np.percentile(ms, 50)),
        "latency_p99_ms": float(np.percentile(ms, 99)),
        "images_per_second_batch256": float(throughput),
    }


def test_images(data_dir: Path, count: int = 2 * BATCH) -> Any:
    """The first ``count`` official test images, uint8 [N, 28, 28]."""
    from data import sources

    return sources.read_all(str(data_dir))[sources.TEST_IMAGES].array[:count]


def test_records(data_dir: Path, count: int = 2 * BATCH) -> list[bytes]:
    """The first ``count`` official test images as a client sends them."""
    return figures.client_records(test_images(data_dir, count))


def side_by_side(
    configs: Mapping[str, TrainingConfig], transform_graph_dir: Path, records: Sequence[bytes]
) -> dict[str, dict[str, Any]]:
    """``speed`` of each named config's network, with (``flip``) and without (``single``) flip averaging,
    measured in turns so that every one sees the same state of the machine."""
    figures.tensorflow()
    import tensorflow_transform as tft

    from components.training import export, network

    tft_output = tft.TFTransformOutput(str(transform_graph_dir))
    results: dict[str, dict[str, Any]] = {name: {} for name in configs}
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as scratch:
        exported = {}
        for name, config in configs.items():
            # float32, as the Trainer exports whatever precision it trained in (network.for_serving).
            plain = network.float32_copy(network.from_config(config, 1e-3), network.architecture_of(config))
            for view, model in (("single", plain), ("flip", network.with_flip_averaging(plain))):
                exported[name, view] = Path(scratch) / f"{name}-{view}"
                export.export_serving_model(model, tft_output, str(exported[name, view]))
        for view in ("flip", "single"):
            for name in configs:
                results[name][view] = speed(exported[name, view], records)
    return results
