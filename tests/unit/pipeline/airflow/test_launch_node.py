"""The node launcher's parts that need no TFX: what counts as the data stopping a run, and its command line.
(Launching real nodes, a failed node's note in ML Metadata and the data-stop exit status: tests/integration.)"""

import subprocess
import sys

import pytest

from components.drift_gate.checks import DriftError
from data.sources import DataSourceError
from pipeline.airflow import launch_node, node_graph
from tests.conftest import REPO_ROOT


def _raised_from(cause: BaseException) -> BaseException:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise RuntimeError("Pipeline failed: Error running pipeline.") from inner
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize("failure", [DriftError("span 3 drifted"), DataSourceError("hash differs")])
def test_a_gate_or_data_error_is_a_data_stop_also_when_wrapped(failure: BaseException):
    assert launch_node.data_stopped(failure)
    assert launch_node.data_stopped(_raised_from(failure))


@pytest.mark.parametrize("failure", [MemoryError(), OSError("disk went away"), _raised_from(ValueError("bug"))])
def test_any_other_failure_is_not(failure: BaseException):
    assert not launch_node.data_stopped(failure)


def test_compile_takes_the_runner_s_flags_after_a_double_dash(tmp_path):
    args = launch_node.build_parser().parse_args(["compile", "--run-dir", str(tmp_path), "--", "--profile=smoke"])
    assert args.pipeline_args == ["--", "--profile=smoke"]  # main() drops the "--"


def test_the_command_line_needs_no_tfx():
    """--help and a usage error come back at once, with no TensorFlow or TFX imported."""
    script = (
        "import sys\n"
        "from pipeline.airflow import launch_node\n"
        "try:\n    launch_node.main(['launch', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'tfx', 'apache_beam')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    usage = subprocess.run(
        [sys.executable, "-m", "pipeline.airflow.launch_node", "launch", "--ir", "x"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert usage.returncode == 2 and "--run-id" in usage.stderr


def test_a_signal_notes_the_node_s_execution_cancelled_and_exits_128_plus_its_number(tmp_path, monkeypatch):
    """What Airflow's SIGTERM (a task timeout, a cleared task, make airflow's Ctrl-C) leaves in ML Metadata."""
    import signal

    graph = node_graph.NodeGraph("fashion_mnist_smoke", (node_graph.Node("Trainer", ()),), "py", ".", (), "runs")
    node_graph.write(tmp_path / node_graph.NODES_FILE, graph)
    noted = []

    def stopped(*_args):
        raise launch_node.Interrupted(signal.SIGTERM)

    monkeypatch.setattr(launch_node, "launch", stopped)
    monkeypatch.setattr(launch_node, "note", lambda *args, **kwargs: noted.append((args, kwargs)))
    args = launch_node.build_parser().parse_args(
        ["launch", "--ir", str(tmp_path / node_graph.PIPELINE_IR_FILE), "--run-id", "r1", "--node", "Trainer"]
    )
    assert launch_node._launch_command(args) == 128 + signal.SIGTERM
    [(positional, keywords)] = noted
    assert positional[1:] == ("fashion_mnist_smoke", "r1", "Trainer", {"interrupted_by": "SIGTERM"})
    assert keywords == {"failed": True, "canceled": True}
