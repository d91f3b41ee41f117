"""The node launcher on real nodes of the compiled smoke pipeline (pipeline/airflow/launch_node.py), as Airflow's
tasks run it: a node launched in two runs is cached from ML Metadata the second time, each run is a
``pipeline_run`` of its own, an unknown node is a usage error, and a data file changed after the compile stops
the run with the reserved exit status, its reason noted on the node's execution."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import node_ids
from pipeline.airflow import node_graph
from pipeline.metadata.store import FAILURE_MESSAGE, Store
from tests.conftest import REPO_ROOT

PIPELINE = "fashion_mnist_smoke"


def _launcher(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", node_graph.LAUNCHER_MODULE, *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory, real_data_dir: Path) -> tuple[Path, Path]:
    """A run's folder compiled from a copy of the data, and the copy."""
    root = tmp_path_factory.mktemp("launcher")
    data = root / "data"
    shutil.copytree(real_data_dir, data, ignore=shutil.ignore_patterns("*.json", ".*"))
    run_dir = root / "out" / "airflow-runs" / "scheduled__1"
    flags = ["--profile=smoke", f"--data-dir={data}", f"--output-dir={root / 'out'}", f"--serving-dir={root / 's'}"]
    done = _launcher("compile", "--run-dir", str(run_dir), "--", *flags)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (run_dir / node_graph.PIPELINE_IR_FILE).exists()
    return run_dir, data


def _executions(run_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """{run id: [(node id, state)]} from the run's ML Metadata store."""
    store = Store.open(run_dir.parent.parent / "metadata.sqlite")
    return {Store.run_id(run): [(e.node_id, e.state) for e in store.executions(run)] for _, run in store.runs(PIPELINE)}


def test_a_node_launched_in_a_second_run_is_cached_each_run_its_own_context(compiled: tuple[Path, Path]):
    run_dir, _ = compiled
    ir = str(run_dir / node_graph.PIPELINE_IR_FILE)
    for run_id in ("scheduled__1", "scheduled__2"):
        done = _launcher("launch", "--ir", ir, "--run-id", run_id, "--node", node_ids.SCHEMA_GEN)
        assert done.returncode == 0, done.stderr[-3000:]
    executions = _executions(run_dir)
    assert executions["scheduled__1"] == [(node_ids.SCHEMA_GEN, "done")]
    assert executions["scheduled__2"] == [(node_ids.SCHEMA_GEN, "cached")]
    unknown = _launcher("launch", "--ir", ir, "--run-id", "scheduled__2", "--node", "NoSuchNode")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines()[-1].startswith("error: no node 'NoSuchNode' in ")


def test_a_data_file_changed_after_the_compile_stops_the_run_with_the_data_stop_status(compiled: tuple[Path, Path]):
    run_dir, data = compiled
    labels = data / "t10k-labels-idx1-ubyte.gz"
    content = bytearray(gzip.decompress(labels.read_bytes()))
    content[8] = (content[8] + 1) % 10  # one test label changed
    labels.write_bytes(gzip.compress(bytes(content)))
    ir = str(run_dir / node_graph.PIPELINE_IR_FILE)
    done = _launcher("launch", "--ir", ir, "--run-id", "scheduled__3", "--node", node_ids.EXAMPLE_GEN)
    assert done.returncode == node_graph.DATA_STOP_EXIT_STATUS, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"pipeline {PIPELINE} stopped at {node_ids.EXAMPLE_GEN} (run scheduled__3): {labels}: ")
    assert "SHA-256" in last
    assert _executions(run_dir)["scheduled__3"] == [(node_ids.EXAMPLE_GEN, "failed")]
    store = Store.open(run_dir.parent.parent / "metadata.sqlite")
    [execution] = store.node_executions(PIPELINE, node_ids.EXAMPLE_GEN)
    assert execution.custom_properties[FAILURE_MESSAGE].string_value == last.split("): ", 1)[1]
