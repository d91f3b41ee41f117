"""What a local run that did not finish reports: the component, why in one line, and a note in ML Metadata;
and, for any run, the warnings about its data, noted on its ingestion.

The console gets one line; the full traceback goes to the run's log; the note (pipeline/metadata/notes.py)
is what ``make inspect`` and the report show.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

from ml_metadata.proto import metadata_store_pb2

from pipeline import node_ids
from pipeline.config import PipelineConfig
from pipeline.local import console as console_lib
from pipeline.metadata.notes import STOPPED_STATES, note_execution, one_line
from pipeline.metadata.store import DATA_WARNINGS, FAILURE_MESSAGE, INTERRUPTED_BY


def _note(config: PipelineConfig, node_id: str, **kwargs: object) -> None:
    try:
        note_execution(config.metadata_path, config.tfx_pipeline_name, node_id, **kwargs)
    except Exception as e:  # noqa: BLE001 - the note is a courtesy; the run's outcome stands
        print(f"could not note the run's end in ML Metadata: {e}", file=sys.stderr)


def report_failure(failure: BaseException, terminal: console_lib.Console, config: PipelineConfig) -> None:
    """Prints which component failed and why, in one line; the traceback to the log; a note in ML Metadata."""
    traceback.print_exception(type(failure), failure, failure.__traceback__, file=sys.stderr)
    failed_node = terminal.current_node
    terminal.node_failed()
    reason = one_line(failure)
    terminal.error(f"{failed_node or 'pipeline'} failed: {reason}")
    if failed_node:
        _note(config, failed_node, states=(metadata_store_pb2.Execution.FAILED,), notes={FAILURE_MESSAGE: reason})


def report_interruption(
    stopped: BaseException, signal_name: str, terminal: console_lib.Console, config: PipelineConfig, log_path: Path
) -> None:
    """Prints which component a signal stopped, in one line; the traceback to the log; the execution noted
    as interrupted (cancelled) in ML Metadata."""
    print(f"interrupted by {signal_name}:", file=sys.stderr)
    traceback.print_exception(type(stopped), stopped, stopped.__traceback__, file=sys.stderr)
    node = terminal.current_node
    if node is None:
        terminal.error(f"interrupted ({signal_name}) {terminal.progress_words()}; full log: {log_path}")
        return
    terminal.error(
        f"{node} interrupted ({signal_name}); a rerun resumes from the cached components; full log: {log_path}"
    )
    _note(
        config,
        node,
        states=STOPPED_STATES,
        notes={INTERRUPTED_BY: signal_name},
        new_state=metadata_store_pb2.Execution.CANCELED,
    )


def note_data_warnings(config: PipelineConfig, warnings: list[str]) -> None:
    """Notes the warnings about the data (printed when the run started) on the run's ingestion, whatever its state."""
    states = tuple(metadata_store_pb2.Execution.State.values())
    _note(config, node_ids.EXAMPLE_GEN, states=states, notes={DATA_WARNINGS: json.dumps(warnings)})
