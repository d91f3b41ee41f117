"""``make airflow``: a local Airflow 3 scheduling the pipeline, started from the TFX virtualenv.

Airflow 3 lives in a virtualenv of its own (``.venv-airflow``, ``make setup-airflow``); this module runs in
the TFX one and imports neither Airflow nor TensorFlow. It

1. checks the runner's flags, takes the site's lock (one ``make airflow`` per AIRFLOW_DIR) and checks that
   the port is free, all before anything starts;
2. writes the DAG's shape: ``launch_node compile --shape-only`` into ``AIRFLOW_DIR/shape/nodes.json`` (TFX is
   imported there, once, not by any Airflow process);
3. makes AIRFLOW_DIR owner-only (umask 077 for every Airflow process, so ``airflow.db`` and the logs are
   created so) and the admin's password file, created with mode 0600 (``O_EXCL``) and read by Airflow's simple
   auth manager: the password is on no command line and in no environment;
4. starts the scheduler, the DAG processor, the API server and the triggerer (LocalExecutor on SQLite,
   parallelism 2 for two cores), listening on 127.0.0.1 only (the log servers are off: the logs are on this
   disk), waits until ``/api/v2/monitor/health`` says the scheduler and the metadatabase are healthy and the
   DAG is listed, and unpauses it;
5. on Ctrl-C (or SIGTERM, or a process that dies) stops every process any of them started: this process is
   their subreaper (``PR_SET_CHILD_SUBREAPER``), so a task that left its parent's session, or whose parent
   died, is still its descendant, and the descendants are collected again after each signal until none is left.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pipeline import config as config_lib
from pipeline.airflow.api import Api
from pipeline.airflow.processes import SERVICES, Running, become_subreaper, serving
from pipeline.airflow.settings import DEFAULT_SCHEDULE, dag_settings
from pipeline.airflow.site import (
    DEFAULT_PORT,
    DEFAULT_VENV,
    AirflowError,
    Site,
    admin_credentials,
    check_port,
    claimed,
    compile_shape,
    migrate,
    secure_home,
)

# Nothing in Airflow's start imports TensorFlow (the DAG file does not): a minute is plenty on a busy machine.
_READY_SECONDS = 240


def wait_until_ready(site: Site, running: Running, api: Api, dag_id: str, timeout: float = _READY_SECONDS) -> None:
    """Waits until the scheduler and the metadatabase are healthy and the DAG is listed; unpauses it.

    Raises:
      AirflowError: a service died (its log's last line), the DAG file failed to import, or ``timeout`` passed.
    """
    deadline = time.monotonic() + timeout
    while True:
        dead = running.dead()
        if dead:
            name = dead[0]
            raise AirflowError(f"the {name} stopped at start: {running.last_words(name)} (log: {running.logs[name]})")
        health = api.health() or {}
        if all(health.get(part, {}).get("status") == "healthy" for part in ("scheduler", "metadatabase")):
            errors = api.import_errors()
            if errors:
                raise AirflowError(f"the DAG file did not load: {errors[0]}")
            dag = api.dag(dag_id)
            if dag is not None:
                if dag.get("is_paused"):
                    api.unpause(dag_id)
                return
        if time.monotonic() > deadline:
            raise AirflowError(f"Airflow at {site.url} was not ready after {timeout:.0f} s; see {site.logs}")
        time.sleep(1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="A local Airflow 3 scheduling the pipeline (make airflow).")
    parser.add_argument("--home", type=Path, required=True, help="AIRFLOW_HOME: database, logs, the password file")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="the API server's (and UI's) port")
    parser.add_argument("--schedule", default=DEFAULT_SCHEDULE, help='e.g. "@hourly", "0 3 * * *", "none"')
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="Airflow 3's virtualenv")
    parser.add_argument("--ready-timeout", type=float, default=_READY_SECONDS, help="seconds to wait for Airflow")
    parser.add_argument("--pipeline-args", default="", help="the runner's flags for every run")
    parser.add_argument(
        "--print-settings", action="store_true", help="write the DAG's shape, print the settings, start nothing"
    )
    return parser


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def print_settings(site: Site, pipeline_args: Sequence[str]) -> None:
    """``make airflow-dag``: what an Airflow 3 of your own needs to schedule this pipeline, as shell exports."""
    import shlex

    graph = compile_shape(site, pipeline_args)
    print(f"# The DAG's shape ({len(graph.nodes)} nodes of {graph.pipeline_name}) is in {site.nodes_path}.")
    print("# Give every Airflow 3 process (scheduler, DAG processor, workers) these settings:")
    for name, value in dag_settings(site.nodes_path, site.schedule).items():
        print(f"export {name}={shlex.quote(value)}")
    print(f"# Its tasks run {graph.python} in {graph.checkout}: workers need this checkout and its TFX virtualenv.")
    print("# Or, on this machine: make airflow (the same settings, with its own scheduler and UI).")


def run(args: argparse.Namespace) -> None:
    import shlex

    pipeline_args = shlex.split(args.pipeline_args)
    config_lib.parse_args(pipeline_args)  # a wrong flag is one line here, not a failed DAG run later
    site = Site(home=args.home.resolve(), port=args.port, schedule=args.schedule, venv=args.venv.resolve())
    if args.print_settings:
        print_settings(site, pipeline_args)
        return
    if not site.airflow.exists():
        raise AirflowError(f"no Airflow at {site.airflow}: make setup-airflow")
    with claimed(site.home):
        check_port(site.host, site.port)
        secure_home(site.home)
        print(f"compiling the pipeline for the DAG's shape ({site.nodes_path})")
        graph = compile_shape(site, pipeline_args)
        credentials = admin_credentials(site)
        env = site.environment()
        print(f"setting up Airflow in {site.home}")
        migrate(site, env)
        become_subreaper()
        with serving(site, env) as running:
            print(f"started the {', '.join(SERVICES)} (logs in {site.logs})")
            wait_until_ready(site, running, Api(site.url, credentials), graph.pipeline_name, args.ready_timeout)
            print(f"Airflow is up: {site.url}/dags/{graph.pipeline_name}")
            print(f"  log in as {credentials.username}; the password is in {site.passwords_path}")
            print(f"  DAG {graph.pipeline_name}, {len(graph.nodes)} nodes, unpaused, schedule: {site.schedule}")
            print("  Ctrl-C stops Airflow and every task it runs")
            while not running.dead():
                time.sleep(1)
            name = running.dead()[0]
            raise AirflowError(f"the {name} stopped: {running.last_words(name)} (log: {running.logs[name]})")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # each line as it happens, through a pipe too
    # SIGTERM stops it like Ctrl-C; SIGINT is set too, as a shell's background job inherits it ignored.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        run(args)
    except KeyboardInterrupt:
        print("stopped")
        return 0
    except (AirflowError, config_lib.ConfigError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
