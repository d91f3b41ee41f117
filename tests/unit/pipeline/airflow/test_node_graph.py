"""The node graph file between the TFX side and the Airflow 3 DAG: written atomically, read back whole, in order."""

import json
import re
from pathlib import Path

import pytest

from pipeline.airflow import node_graph
from pipeline.airflow.node_graph import Node, NodeGraph


def _graph(*nodes: Node) -> NodeGraph:
    return NodeGraph(
        pipeline_name="fashion_mnist",
        nodes=nodes,
        python="/venv/bin/python",
        checkout="/checkout",
        pipeline_args=("--profile=smoke",),
        runs_dir="/out/airflow-runs",
        no_retry=("AnomalyGate",),
        warnings=("span-x looks like a span",),
    )


def test_a_graph_reads_back_as_written_with_what_the_dag_needs_to_launch_a_node(tmp_path: Path):
    graph = _graph(Node("A", ()), Node("B", ("A",)), Node("C", ("A", "B")))
    node_graph.write(tmp_path / "nodes.json", graph)
    assert node_graph.read(tmp_path / "nodes.json") == graph
    record = json.loads((tmp_path / "nodes.json").read_text())
    assert record["data_stop_exit_status"] == node_graph.DATA_STOP_EXIT_STATUS
    assert record["launcher_module"] == "pipeline.airflow.launch_node"
    assert record["compile_task_id"] == node_graph.COMPILE_TASK_ID
    assert list(tmp_path.iterdir()) == [tmp_path / "nodes.json"]  # no partial file left


@pytest.mark.parametrize(
    "nodes, problem",
    [
        ((Node("B", ("A",)), Node("A", ())), "waits for ['A'], not listed before it"),
        ((Node("A", ()), Node("A", ())), "repeated or reserved"),
        ((Node(node_graph.COMPILE_TASK_ID, ()),), "repeated or reserved"),
    ],
)
def test_a_graph_out_of_order_or_with_a_repeated_or_reserved_id_is_refused(tmp_path: Path, nodes, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        node_graph.write(tmp_path / "nodes.json", _graph(*nodes))
    assert not (tmp_path / "nodes.json").exists()


def test_a_file_of_another_version_is_refused(tmp_path: Path):
    record = _graph(Node("A", ())).to_json()
    (tmp_path / "nodes.json").write_text(json.dumps({**record, "version": 99}))
    with pytest.raises(ValueError, match="version 99"):
        node_graph.read(tmp_path / "nodes.json")
