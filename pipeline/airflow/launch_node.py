"""One node of the compiled pipeline, run the way LocalDagRunner runs each: what every Airflow 3 task executes.

  python -m pipeline.airflow.launch_node compile --run-dir DIR [--expect-nodes FILE] -- RUNNER_FLAGS...
  python -m pipeline.airflow.launch_node launch --ir DIR/pipeline.pb --run-id ID --node NODE_ID

``compile`` is the first task of a DAG run: it checks the data and the ML Metadata store as ``make run-pipeline``
does, decides which spans the run ingests, builds the same ``create_pipeline``, compiles it to TFX's IR and
freezes it in the run's folder with the node graph the DAG is built from (pipeline/airflow/node_graph.py).
``launch`` runs one node of that IR with TFX's portable Launcher. The run id becomes the IR's
``pipeline_run_id``, so every task of a DAG run shares one ``pipeline_run`` context in ML Metadata, as a local
run's components do, and ``make inspect`` reads both alike.

Exit status: 0 done (or cached), 1 failed, 2 a usage error, ``DATA_STOP_EXIT_STATUS`` the data stopped the run
(no retry helps). A failure's one-line reason is the last line of stderr (the task log) and is noted on the
node's execution in ML Metadata. TFX is imported inside the functions: ``--help`` needs none of it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components import legacy_keras
from pipeline import node_ids
from pipeline.airflow import node_graph


class UnknownNodeError(ValueError):
    """The IR has no node of that id: a usage error, noted nowhere."""


class Interrupted(BaseException):
    """A signal asked the launcher to stop (SIGTERM from Airflow, SIGINT from a terminal)."""

    def __init__(self, signum: int) -> None:
        self.signum, self.signal_name = signum, signal.Signals(signum).name
        super().__init__(self.signal_name)


def _interrupt(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


# The nodes that never retry: their whole work is a decision on the data at hand.
GATES = (node_ids.DATA_GATE, node_ids.DRIFT_GATE)


def data_stopped(failure: BaseException) -> bool:
    """Whether ``failure``, or an exception it was raised from, says that the data stopped the run."""
    from components.anomaly_gate.checks import DataAnomaliesError
    from components.drift_gate.checks import DriftError
    from components.records.tfrecord import TFRecordError
    from data.idx import IdxError
    from data.sources import DataSourceError

    stops = (DataAnomaliesError, DriftError, IdxError, DataSourceError, TFRecordError)
    seen: set[int] = set()
    error: BaseException | None = failure
    while error is not None and id(error) not in seen:
        if isinstance(error, stops):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def compile_run(
    run_dir: Path, pipeline_args: Sequence[str], expect_nodes: Path | None = None, *, shape_only: bool = False
) -> node_graph.NodeGraph:
    """Compiles the pipeline for one run into ``run_dir``: the IR and the node graph. ``shape_only``: for the
    DAG's shape (``make airflow``), nothing is written outside ``run_dir`` (no store backup).

    Raises:
      ConfigError, StoreDamagedError, IdxError, DataSourceError: one line each.
      ValueError: the nodes differ from ``expect_nodes``'s (the DAG was built from another shape).
    """
    from tfx.dsl.compiler import compiler
    from tfx.dsl.components.base import base_component
    from tfx.orchestration import metadata

    from data import spans
    from pipeline.config import REPO_ROOT, parse_args
    from pipeline.definition.arrivals import spans_to_ingest
    from pipeline.definition.pipeline import create_pipeline
    from pipeline.metadata import backups
    from pipeline.metadata.health import check

    config = parse_args(list(pipeline_args))
    warnings: list[str] = []
    dataset = spans.locate(data_dir=config.data_dir, raw_dir=config.raw_dir, log=print)
    warnings += [spans.ignored_warning(folder) for folder in dataset.ignored]
    config.output_dir.mkdir(parents=True, exist_ok=True)
    if config.metadata_path.exists():
        check(config.metadata_path)
        if not shape_only:
            backups.backup(config.metadata_path)
    arrival = spans_to_ingest(dataset, config.metadata_path, config.tfx_pipeline_name)
    print(arrival.describe())
    warnings += arrival.warnings
    tfx_pipeline = create_pipeline(
        config,
        dataset=dataset,
        spans_to_ingest=arrival.spans,
        metadata_connection_config=metadata.sqlite_metadata_connection_config(str(config.metadata_path)),
    )
    # What TfxRunner.run does before run_with_ir (tfx/orchestration/portable/tfx_runner.py).
    for component in tfx_pipeline.components:
        if isinstance(component, base_component.BaseComponent):
            component._resolve_pip_dependencies(tfx_pipeline.pipeline_info.pipeline_root)
    ir = compiler.Compiler().compile(tfx_pipeline)
    graph = node_graph.NodeGraph(
        pipeline_name=ir.pipeline_info.id,
        nodes=tuple(
            node_graph.Node(n.pipeline_node.node_info.id, tuple(n.pipeline_node.upstream_nodes)) for n in ir.nodes
        ),
        python=sys.executable,
        checkout=str(REPO_ROOT),
        pipeline_args=tuple(pipeline_args),
        runs_dir=str(config.output_dir / "airflow-runs"),
        no_retry=GATES,
        warnings=tuple(warnings),
    )
    if expect_nodes is not None:
        expected = node_graph.read(expect_nodes).shape()
        if expected != graph.shape():
            raise ValueError(
                f"the pipeline's nodes differ from those the DAG was built from ({expect_nodes}): "
                f"{[n.node_id for n in graph.nodes]}; the DAG changes at its next parse"
            )
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / node_graph.PIPELINE_IR_FILE).write_bytes(ir.SerializeToString())
    node_graph.write(run_dir / node_graph.NODES_FILE, graph)
    return graph


def _load_ir(path: Path) -> Any:
    from tfx.proto.orchestration import pipeline_pb2

    ir = pipeline_pb2.Pipeline()
    ir.ParseFromString(path.read_bytes())
    return ir


def launch(ir_path: Path, run_id: str, node_id: str) -> None:
    """Runs ``node_id`` of the IR in ``ir_path`` as part of the run ``run_id``, as LocalDagRunner.run_with_ir does
    for each node (tfx/orchestration/local/local_dag_runner.py).

    Raises:
      UnknownNodeError: no such node. Whatever the node raised, after TFX marked its execution failed.
    """
    from tfx.dsl.compiler import constants
    from tfx.orchestration import metadata
    from tfx.orchestration.local import runner_utils
    from tfx.orchestration.portable import launcher, runtime_parameter_utils
    from tfx.utils import telemetry_utils

    ir = _load_ir(ir_path)
    runtime_parameter_utils.substitute_runtime_parameter(ir, {constants.PIPELINE_RUN_ID_PARAMETER_NAME: run_id})
    nodes = {n.pipeline_node.node_info.id: n.pipeline_node for n in ir.nodes}
    if node_id not in nodes:
        raise UnknownNodeError(f"no node {node_id!r} in {ir_path}; its nodes: {', '.join(nodes)}")
    pipeline_node = nodes[node_id]
    if pipeline_node.execution_options.HasField("skip"):
        print(f"{node_id} is skipped in this run")
        return
    deployment_config = runner_utils.extract_local_deployment_config(ir)
    connection = deployment_config.metadata_connection_config
    connection_config = getattr(connection, connection.WhichOneof("connection_config"))
    component_launcher = launcher.Launcher(
        pipeline_node=pipeline_node,
        mlmd_connection=metadata.Metadata(connection_config),
        pipeline_info=ir.pipeline_info,
        pipeline_runtime_spec=ir.runtime_spec,
        executor_spec=runner_utils.extract_executor_spec(deployment_config, node_id),
        custom_driver_spec=runner_utils.extract_custom_driver_spec(deployment_config, node_id),
    )
    with telemetry_utils.scoped_labels({telemetry_utils.LABEL_TFX_RUNNER: "airflow3"}):
        component_launcher.launch()


def metadata_path_of(ir_path: Path) -> Path:
    """The SQLite ML Metadata store the IR's deployment config names."""
    from tfx.orchestration.local import runner_utils

    connection = runner_utils.extract_local_deployment_config(_load_ir(ir_path)).metadata_connection_config
    return Path(connection.database_connection_config.sqlite.filename_uri)


def note(
    ir_path: Path, pipeline_name: str, run_id: str, node_id: str, notes: dict[str, str], *, failed: bool,
    canceled: bool = False,
) -> None:  # fmt: skip
    """Notes ``notes`` on the node's newest execution in the run (pipeline/metadata/notes.py); a courtesy.
    ``failed``: the execution is marked FAILED, or CANCELED with ``canceled`` (a signal stopped it)."""
    from ml_metadata.proto import metadata_store_pb2

    from pipeline.metadata.notes import STOPPED_STATES, note_execution

    execution = metadata_store_pb2.Execution
    try:
        noted = note_execution(
            metadata_path_of(ir_path),
            pipeline_name,
            node_id,
            run_id=run_id,
            states=STOPPED_STATES if failed else tuple(execution.State.values()),
            notes=notes,
            new_state=(execution.CANCELED if canceled else execution.FAILED) if failed else None,
        )
    except Exception as error:  # noqa: BLE001 - the task's outcome stands either way
        print(f"could not note {node_id}'s execution in ML Metadata: {error}", file=sys.stderr)
        return
    if not noted:
        print(f"no execution of {node_id} in run {run_id} to note in ML Metadata", file=sys.stderr)


def _launch_command(args: argparse.Namespace) -> int:
    from pipeline.metadata.notes import one_line
    from pipeline.metadata.store import DATA_WARNINGS, FAILURE_MESSAGE, INTERRUPTED_BY

    graph = node_graph.read(args.ir.parent / node_graph.NODES_FILE)
    try:
        launch(args.ir, args.run_id, args.node)
    except UnknownNodeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Interrupted as stopped:  # Airflow's task timeout, a cleared task, make airflow's Ctrl-C
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        note(args.ir, graph.pipeline_name, args.run_id, args.node, {INTERRUPTED_BY: stopped.signal_name},
             failed=True, canceled=True)  # fmt: skip
        print(f"pipeline {graph.pipeline_name}: {args.node} interrupted ({stopped.signal_name})", file=sys.stderr)
        return 128 + stopped.signum
    except Exception as failure:  # noqa: BLE001 - every failure is one line, a note, and an exit status
        traceback.print_exc()
        reason = one_line(failure)
        note(args.ir, graph.pipeline_name, args.run_id, args.node, {FAILURE_MESSAGE: reason}, failed=True)
        print(f"pipeline {graph.pipeline_name} stopped at {args.node} (run {args.run_id}): {reason}", file=sys.stderr)
        return node_graph.DATA_STOP_EXIT_STATUS if data_stopped(failure) else 1
    if args.node == node_ids.EXAMPLE_GEN and graph.warnings:
        import json

        note(args.ir, graph.pipeline_name, args.run_id, args.node, {DATA_WARNINGS: json.dumps(graph.warnings)},
             failed=False)  # fmt: skip
    return 0


def _compile_command(args: argparse.Namespace) -> int:
    from data.idx import IdxError
    from data.sources import DataSourceError
    from pipeline.config import ConfigError
    from pipeline.metadata.health import StoreDamagedError

    try:
        graph = compile_run(args.run_dir, args.pipeline_args, args.expect_nodes, shape_only=args.shape_only)
    except (IdxError, DataSourceError) as stop:
        print(f"error: {stop}", file=sys.stderr)
        return node_graph.DATA_STOP_EXIT_STATUS
    except (ConfigError, StoreDamagedError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"compiled {len(graph.nodes)} nodes into {args.run_dir}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline.airflow.launch_node", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    compile_parser = commands.add_parser("compile", help="compile the pipeline into a run's folder")
    compile_parser.add_argument("--run-dir", type=Path, required=True)
    compile_parser.add_argument("--expect-nodes", type=Path, help="fail unless the nodes are this file's")
    compile_parser.add_argument("--shape-only", action="store_true", help="for the DAG's shape: write nothing else")
    compile_parser.add_argument("pipeline_args", nargs=argparse.REMAINDER, help="-- and the runner's flags")
    launch_parser = commands.add_parser("launch", help="run one node of a compiled pipeline")
    launch_parser.add_argument("--ir", type=Path, required=True)
    launch_parser.add_argument("--run-id", required=True)
    launch_parser.add_argument("--node", required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    legacy_keras.use_legacy_keras()
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    if args.command == "compile":
        args.pipeline_args = [a for i, a in enumerate(args.pipeline_args) if i or a != "--"]
        return _compile_command(args)
    return _launch_command(args)


if __name__ == "__main__":
    raise SystemExit(main())
