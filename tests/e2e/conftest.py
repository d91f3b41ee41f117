"""The smoke pipeline, run twice on one output folder, shared by the end-to-end modules."""

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import config as config_lib
from tests.conftest import REPO_ROOT


@dataclasses.dataclass
class Runs:
    config: config_lib.PipelineConfig
    first: subprocess.CompletedProcess
    second: subprocess.CompletedProcess
    versions_after_first: list[str]


# The background runs' processes (the span sequence's, Airflow's) run niced: they take the CPU the foreground tests
# leave idle (they keep one core busy on average, two at times) rather than slowing them.
NICE = ("nice", "-n", "10")


def run_pipeline(*args: str, timeout: int = 1200, nice: bool = False) -> subprocess.CompletedProcess:
    """Runs the local runner as `make run-pipeline` does, with the smoke profile; ``nice``: niced (``NICE``)."""
    return subprocess.run(
        [*(NICE if nice else ()), sys.executable, "-m", "pipeline.local.runner", "--profile=smoke", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# Spans of the real training set for the smoke profile: 3 stratified spans of 3,000 images
# (smaller ones train below the smoke profile's accuracy floor in its one epoch).
SPAN_COUNT = 3
SPAN_SIZE = 3000


def write_spans(
    real_data_dir: Path, dest: Path, *, release: int, alter: dict[int, str] | None = None, seed: int = 0
) -> None:
    """Releases spans 1..``release`` of the real training set into ``dest`` (data/make_spans.py)."""
    from data import idx, make_spans, sources

    images = idx.read_images(real_data_dir / sources.TRAIN_IMAGES).array
    labels = idx.read_labels(real_data_dir / sources.TRAIN_LABELS).array
    rows = make_spans.split_rows(labels, SPAN_COUNT, seed, span_size=SPAN_SIZE)
    make_spans.write_layout(
        dest,
        images,
        labels,
        idx.read_images(real_data_dir / sources.TEST_IMAGES).array,
        idx.read_labels(real_data_dir / sources.TEST_LABELS).array,
        rows,
        release=release,
        alter=alter,
    )


def inspect_json(output_dir: Path, *args: str):
    """`make inspect ARGS="<args> --json"` on an output folder, parsed."""
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.inspection.cli", *args, "--json", f"--output-dir={output_dir}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def show_json(output_dir: Path) -> dict:
    """`make inspect ARGS="show --json"` on an output folder: its latest run."""
    return inspect_json(output_dir, "show")


def launch_chromium(playwright):
    """Debian's headless Chromium, without the background connections this machine's closed network refuses."""
    return playwright.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    )


def node_states(cfg: config_lib.PipelineConfig, index: int = -1) -> dict[str, str]:
    """{node id: state} of one run of the configured pipeline (by index, oldest first), from ML Metadata."""
    from pipeline.metadata.store import Store

    store = Store.open(cfg.metadata_path)
    _, run = store.runs(cfg.model_name)[index]
    return {e.node_id: e.state for e in store.executions(run)}


def run_details(cfg: config_lib.PipelineConfig, index: int = -1):
    """What `make inspect ARGS=show` reads about one run of the configured pipeline."""
    from pipeline.inspection import details as details_lib
    from pipeline.metadata.store import Store

    store = Store.open(cfg.metadata_path)
    return details_lib.details(store, store.runs(cfg.model_name)[index][1].name, cfg.model_name)


def output_uri(details, node: str, key: str) -> str:
    """The URI of the one output ``key`` of ``node`` in a run (by key: a node's outputs may share a type,
    and ML Metadata's ids for them come in no fixed order)."""
    (uri,) = [a.uri for a in details.artifacts if a.node == node and a.key == key]
    return uri


def versions(serving: Path) -> list[str]:
    """Everything in a model's serving folder (version folders and anything left half-done)."""
    return sorted(p.name for p in serving.iterdir()) if serving.is_dir() else []


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path) -> Runs:
    root = tmp_path_factory.mktemp("e2e")
    args = [f"--output-dir={root / 'out'}", f"--serving-dir={root / 'serving'}", f"--raw-dir={real_data_dir}"]
    cfg = config_lib.parse_args(["--profile=smoke", *args])
    first = run_pipeline(*args)
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    after_first = versions(cfg.model_serving_dir)
    second = run_pipeline(*args)
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    return Runs(cfg, first, second, after_first)


# --- runs in the background from the start of the session --------------------------------------------------------
# The span sequence (tests/support/span_sequence.py) and a real Airflow (tests/support/airflow_schedule.py) each run
# in a thread of their own, their processes niced, while the other tests run; their modules' tests come last, in
# this order, and read what the runs did.

BACKGROUND_MODULES = ("test_continuous_training.py", "test_airflow.py")
_SELECTED = pytest.StashKey[frozenset[str]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Puts the background modules' tests last."""
    background = [item for item in items if item.path.name in BACKGROUND_MODULES]
    background.sort(key=lambda item: BACKGROUND_MODULES.index(item.path.name))  # stable: each module's own order
    items[:] = [item for item in items if item.path.name not in BACKGROUND_MODULES] + background
    config.stash[_SELECTED] = frozenset(item.path.name for item in background)


def _in_background(
    request: pytest.FixtureRequest, module: str, start: Callable[[], Any], stop: Callable[[Any], None] | None = None
) -> Iterator[Any]:
    """The session fixture of a background module: what ``start`` started, from the first end-to-end test, when
    the module's tests are selected (else None), and ``stop`` called on it at the end of the session."""
    if module not in request.config.stash.get(_SELECTED, frozenset()):
        yield None
        return
    started = start()
    try:
        yield started
    finally:
        if stop is not None:
            stop(started)


@pytest.fixture(scope="session", autouse=True)
def span_sequence(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path):
    """The span sequence's runs (tests/support/span_sequence.py), when its tests are selected."""

    def start() -> Any:
        from tests.support import span_sequence as sequence

        return sequence.start(tmp_path_factory.mktemp("spans"), real_data_dir)

    yield from _in_background(request, BACKGROUND_MODULES[0], start)


@pytest.fixture(scope="session", autouse=True)
def airflow_schedule(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path):
    """Airflow and its three runs (tests/support/airflow_schedule.py), when the Airflow tests are selected."""

    def start() -> Any:
        from tests.support.airflow_schedule import Schedule

        return Schedule(tmp_path_factory.mktemp("airflow"), real_data_dir).start()

    yield from _in_background(request, BACKGROUND_MODULES[1], start, stop=lambda schedule: schedule.stop())
