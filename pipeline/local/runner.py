"""Runs the pipeline on this machine: ``python -m pipeline.local.runner`` (``make run-pipeline``).

LocalDagRunner, Beam's DirectRunner, a SQLite ML Metadata store and the
pipeline root, all under the output folder. The console gets one line per
component and a summary; the full logs go to ``<output>/logs/``. Whatever stops
a run, a user's mistake, a failed component or Ctrl-C, is one line on the console,
the traceback in the log.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

from components import legacy_keras
from data import idx, sources, spans
from pipeline.config import ConfigError, PipelineConfig, parse_args
from pipeline.local import console as console_lib
from pipeline.local import endpoints, interrupts, run_lock
from pipeline.metadata import backups
from pipeline.metadata.health import StoreDamagedError, check


def preflight(config: PipelineConfig, terminal: console_lib.Console) -> spans.SpannedDataset:
    """The Beam endpoints' and the data's check: no TensorFlow, and nothing written, so a failure leaves no output
    folder behind.

    Raises:
      endpoints.EndpointError, idx.IdxError, sources.DataSourceError: one line each.
    """
    endpoints.check(config.beam_args)
    dataset = spans.locate(data_dir=config.data_dir, raw_dir=config.raw_dir, log=terminal.line)
    if dataset.official:
        kind = "official Fashion-MNIST"
    elif dataset.flat:
        kind = "not the official Fashion-MNIST (hashes differ)"
    else:
        kind = f"spans {', '.join(str(n) for n in dataset.span_numbers)}"
    terminal.line(f"data: {dataset.root} ({kind}, from {dataset.source})")
    for folder in dataset.ignored:
        terminal.warning(spans.ignored_warning(folder))
    return dataset


def run(
    config: PipelineConfig,
    dataset: spans.SpannedDataset,
    terminal: console_lib.Console,
    interruption: interrupts.Interruption,
) -> int:
    """The store's check and copy, the pipeline, then the summary. Returns the exit status.

    Raises:
      StoreDamagedError: the ML Metadata store is not sound (checked under the lock: no other run writes it).
    """
    started = time.monotonic()
    check(config.metadata_path)
    backups.backup(config.metadata_path)
    log_path = config.logs_dir / f"run-{time.strftime('%Y%m%d-%H%M%S')}.log"
    terminal.line(f"profile {config.profile}: logs in {log_path}")
    with console_lib.output_to_log(log_path):
        # Heavy imports here, after the cheap checks, with their noise in the log.
        from tfx.orchestration import metadata
        from tfx.orchestration.local.local_dag_runner import LocalDagRunner

        from pipeline.definition.arrivals import spans_to_ingest
        from pipeline.definition.pipeline import create_pipeline
        from pipeline.local import failure, summary

        arrival = spans_to_ingest(dataset, config.metadata_path, config.tfx_pipeline_name)
        terminal.line(arrival.describe())
        for text in arrival.warnings:
            terminal.warning(text)
        # Noted on the run's ingestion in ML Metadata once it ran, for make inspect and the report.
        data_warnings = [*(spans.ignored_warning(folder) for folder in dataset.ignored), *arrival.warnings]
        tfx_pipeline = create_pipeline(
            config,
            dataset=dataset,
            spans_to_ingest=arrival.spans,
            metadata_connection_config=metadata.sqlite_metadata_connection_config(str(config.metadata_path)),
        )
        terminal.total_nodes = len(tfx_pipeline.components)
        stopped_by: BaseException | None = None
        with console_lib.progress_lines(terminal):
            try:
                LocalDagRunner().run(tfx_pipeline)
            except BaseException as e:
                if interruption.signum:
                    interruption.caught()  # whatever the exception, a signal stopped the run
                elif not isinstance(e, Exception):
                    raise
                stopped_by = e
        if data_warnings:
            failure.note_data_warnings(config, data_warnings)
        if stopped_by is not None and interruption.signum:
            failure.report_interruption(stopped_by, interruption.name, terminal, config, log_path)
            return interruption.exit_status
        if stopped_by is not None:
            failure.report_failure(stopped_by, terminal, config)
            terminal.line(f"nothing was pushed; full log: {log_path}")
            return 1
        collected = summary.collect(config)
    for text in summary.format_summary(collected, wall_seconds=time.monotonic() - started):
        terminal.line(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    legacy_keras.use_legacy_keras()
    # Duplicates of the real stdout and stderr: during the run fds 1 and 2 point at the log file. A character the
    # locale's encoding lacks is written as an escape, not a UnicodeEncodeError.
    terminal = console_lib.Console(
        os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, errors="backslashreplace"),
        error_stream=os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1, errors="backslashreplace"),
    )
    with interrupts.interruptible() as interruption:
        try:
            config = parse_args(sys.argv[1:] if argv is None else argv)
        except ConfigError as e:
            terminal.error(str(e))
            return 2
        try:
            dataset = preflight(config, terminal)
            with run_lock.run_lock(config.output_dir, f"profile {config.profile}"):
                return run(config, dataset, terminal, interruption)
        except (
            endpoints.EndpointError,
            idx.IdxError,
            sources.DataSourceError,
            run_lock.OutputFolderError,
            run_lock.RunLockedError,
            StoreDamagedError,
        ) as e:
            terminal.error(str(e))
            return 1
        except interrupts.Interrupted:  # before or after LocalDagRunner ran
            interruption.caught()
            terminal.error(f"interrupted ({interruption.name}) {terminal.progress_words()}")
            return interruption.exit_status
    # A signal outside the blocks above (while parsing the flags, say): interruptible() caught it.
    terminal.error(f"interrupted ({interruption.name}) {terminal.progress_words()}")
    return interruption.exit_status


if __name__ == "__main__":
    raise SystemExit(main())
