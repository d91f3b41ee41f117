"""The file between the TFX side and the Airflow 3 side: the compiled pipeline's nodes and how to launch them.

``python -m pipeline.airflow.launch_node compile`` writes it beside the pipeline's IR; the DAG file
(pipeline/airflow/dags/) reads it with nothing but the standard library, since the Airflow virtualenv
has neither TFX nor this project. Everything the DAG needs to know about the TFX side is in the file, spelled
here once: the nodes and their upstream nodes, the command that launches one, the exit status that means the
data stopped the run, the nodes that never retry. No TFX, no Airflow.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from pathlib import Path

# What `compile` writes in a run's folder.
PIPELINE_IR_FILE = "pipeline.pb"
NODES_FILE = "nodes.json"
# The launcher's exit status when the data stopped the run (a gate, a corrupt or changed data file): BSD's
# EX_DATAERR. A retry would read the same data, so Airflow fails the task at once. Exit 1 is any other failure.
DATA_STOP_EXIT_STATUS = 65
# The Airflow task of each run that compiles the pipeline; no node id of the pipeline is spelled so.
COMPILE_TASK_ID = "compile_pipeline"
LAUNCHER_MODULE = "pipeline.airflow.launch_node"
_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Node:
    """A node of the compiled pipeline: its id and the ids of the nodes it waits for."""

    node_id: str
    upstream: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class NodeGraph:
    """What the DAG is built from.

    Attributes:
      pipeline_name: the TFX pipeline's name.
      nodes: in the order of the IR (a topological order).
      python: the TFX virtualenv's interpreter, which runs the launcher.
      checkout: the folder the launcher runs in (the project is importable from it).
      pipeline_args: the runner's flags the pipeline is compiled with, every run.
      runs_dir: each DAG run's folder is ``runs_dir/<run id>``: the IR frozen by its first task.
      no_retry: nodes that never retry, whatever failed: their whole work is a decision on the data at hand.
      warnings: what the compile said about the data, for the run's ingestion note in ML Metadata.
    """

    pipeline_name: str
    nodes: tuple[Node, ...]
    python: str
    checkout: str
    pipeline_args: tuple[str, ...]
    runs_dir: str
    no_retry: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def shape(self) -> tuple[Node, ...]:
        """What a DAG's tasks and dependencies depend on."""
        return self.nodes

    def to_json(self) -> dict[str, object]:
        return {
            "version": _VERSION,
            "pipeline_name": self.pipeline_name,
            "nodes": [{"id": n.node_id, "upstream": list(n.upstream)} for n in self.nodes],
            "python": self.python,
            "checkout": self.checkout,
            "pipeline_args": list(self.pipeline_args),
            "runs_dir": self.runs_dir,
            "no_retry": list(self.no_retry),
            "warnings": list(self.warnings),
            # For the DAG file, which cannot import this module.
            "launcher_module": LAUNCHER_MODULE,
            "compile_task_id": COMPILE_TASK_ID,
            "data_stop_exit_status": DATA_STOP_EXIT_STATUS,
            "pipeline_ir_file": PIPELINE_IR_FILE,
            "nodes_file": NODES_FILE,
        }

    @classmethod
    def from_json(cls, record: dict) -> NodeGraph:
        if record.get("version") != _VERSION:
            raise ValueError(f"node graph version {record.get('version')!r}, expected {_VERSION}")
        return cls(
            pipeline_name=str(record["pipeline_name"]),
            nodes=tuple(Node(str(n["id"]), tuple(map(str, n["upstream"]))) for n in record["nodes"]),
            python=str(record["python"]),
            checkout=str(record["checkout"]),
            pipeline_args=tuple(map(str, record["pipeline_args"])),
            runs_dir=str(record["runs_dir"]),
            no_retry=tuple(map(str, record.get("no_retry", ()))),
            warnings=tuple(map(str, record.get("warnings", ()))),
        )


def check_order(nodes: Sequence[Node]) -> None:
    """Raises ValueError unless every upstream node is listed before the nodes that wait for it, once each."""
    seen: set[str] = set()
    for node in nodes:
        if node.node_id in seen or node.node_id == COMPILE_TASK_ID:
            raise ValueError(f"node id {node.node_id!r} is repeated or reserved")
        missing = [u for u in node.upstream if u not in seen]
        if missing:
            raise ValueError(f"node {node.node_id!r} waits for {missing}, not listed before it")
        seen.add(node.node_id)


def write(path: Path, graph: NodeGraph) -> None:
    """Writes the graph atomically: a DAG parse never reads half a file."""
    check_order(graph.nodes)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(graph.to_json(), indent=1) + "\n")
    os.replace(partial, path)


def read(path: Path) -> NodeGraph:
    """The graph in ``path``.

    Raises:
      OSError, ValueError: no such file, or not a node graph of this version.
    """
    graph = NodeGraph.from_json(json.loads(path.read_text()))
    check_order(graph.nodes)
    return graph
