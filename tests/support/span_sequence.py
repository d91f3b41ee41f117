"""The continuous-training sequence of runs (tests/e2e/test_continuous_training.py), driven in the background.

Eight runs of the local runner on one output folder as spans arrive, each a process of its own that keeps one
core busy for a minute or so; the session starts them with the first end-to-end test, niced, in a thread, so
that they take the CPU the foreground tests leave idle, and the module's tests come last and read what the runs
did (tests/e2e/conftest.py).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

from pipeline import config as config_lib
from tests.e2e.conftest import node_states, run_pipeline, versions, write_spans
from tests.support.background import Background

# Each run's own limit is run_pipeline's; the whole sequence has this long.
SEQUENCE_TIMEOUT_SECONDS = 3 * 3600


@dataclasses.dataclass
class SpanRuns:
    cfg: config_lib.PipelineConfig
    first: subprocess.CompletedProcess
    rerun: subprocess.CompletedProcess
    second: subprocess.CompletedProcess
    pixel_drift: subprocess.CompletedProcess
    label_drift: subprocess.CompletedProcess
    withdrawn: subprocess.CompletedProcess
    accepted: subprocess.CompletedProcess
    span_1_removed: subprocess.CompletedProcess
    versions: dict[str, list[str]]
    serving: dict[str, dict[str, tuple[int, int]]]  # after a step: {file: (size, mtime)} under the serving folder
    states: dict[str, dict[str, str]]


def _serving_files(serving: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(serving)): (p.stat().st_size, p.stat().st_mtime_ns) for p in serving.rglob("*")}


def run_sequence(root: Path, real_data_dir: Path) -> SpanRuns:
    """The runs, one after the other, as the module's docstring lists them."""
    data = root / "data"
    args = [f"--data-dir={data}", f"--output-dir={root / 'out'}", f"--serving-dir={root / 'serving'}"]
    cfg = config_lib.parse_args(["--profile=smoke", *args])
    results, seen, serving, states = {}, {}, {}, {}

    def step(name: str, *extra: str) -> None:
        results[name] = run_pipeline(*args, *extra, nice=True)
        seen[name] = versions(cfg.model_serving_dir)
        serving[name] = _serving_files(cfg.serving_dir)
        states[name] = node_states(cfg)

    write_spans(real_data_dir, data, release=1)
    step("first")
    step("rerun")
    write_spans(real_data_dir, data, release=2)
    step("second")
    write_spans(real_data_dir, data, release=3, alter={3: "invert"})
    step("pixel_drift")
    shutil.rmtree(data / "span-3")  # the same span, delivered again with other content
    write_spans(real_data_dir, data, release=3, alter={3: "label-skew"})
    step("label_drift")
    (data / "span-3").rename(root / "span-3")  # the operator withdraws the drifted span
    step("withdrawn")
    (root / "span-3").rename(data / "span-3")  # and delivers it again: still drifted, and still stopped unless accepted
    step("accepted", "--accept-drift")
    # The flags of the run before (the drift gate's flag is in its cache key), a trained span gone, a misnamed folder.
    (data / "span-1").rename(root / "span-1")
    (data / "Span-4").mkdir()
    step("span_1_removed", "--accept-drift")
    return SpanRuns(cfg=cfg, versions=seen, serving=serving, states=states, **results)


def start(root: Path, real_data_dir: Path) -> Background[SpanRuns]:
    """``run_sequence`` started in the background; its ``result`` waits for the runs."""
    return Background(
        lambda: run_sequence(root, real_data_dir), name="span-sequence", timeout=SEQUENCE_TIMEOUT_SECONDS
    ).start()
