"""A real local Airflow over the project's DAG folder: ``make airflow``, and the scheduler's end-to-end test.

It starts Airflow's scheduler and web server on localhost, in an ``AIRFLOW_HOME`` of
its own (the output folder's ``airflow/`` for ``make airflow``), with SQLite and the
SequentialExecutor: Airflow 2.10 refuses SQLite with any executor that runs tasks in
parallel, and every task of this DAG first spends ~20 s of CPU importing TFX and
TensorFlow, so on two cores a second task at a time would buy little (docs/scheduling.md,
"Airflow"). The DAG is unpaused, an admin account is created once and
its password kept in ``admin-credentials.txt`` there, and Ctrl-C stops every process
started here, the task a scheduler is running included.

Nothing here imports TensorFlow or Airflow: the services run as processes of their own.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import psutil

from pipeline import config as config_lib
from pipeline.airflow.api import Api, Credentials
from pipeline.airflow.settings import DAGS_FOLDER, PIPELINE_ARGS_ENV, SCHEDULE_ENV, dag_settings

CREDENTIALS_FILE = "admin-credentials.txt"
ADMIN_USER = "admin"
DEFAULT_PORT = 8080
# The scheduler's first parse of the DAG file imports TFX and TensorFlow (about 20 s here).
_READY_SECONDS = 300
# How long the services get to stop on SIGTERM before they are killed.
_STOP_SECONDS = 30


class AirflowError(RuntimeError):
    """Airflow could not be set up, started or reached. The message says what and where to look."""


@dataclasses.dataclass(frozen=True)
class Site:
    """One local Airflow: where it keeps its state and where it listens."""

    home: Path
    port: int
    pipeline_args: str
    schedule: str
    host: str = "127.0.0.1"
    web_workers: int = 2

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def credentials_path(self) -> Path:
        return self.home / CREDENTIALS_FILE

    @property
    def dag_id(self) -> str:
        return config_lib.parse_args(shlex.split(self.pipeline_args)).model_name

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of every Airflow process of this site, the tasks' included."""
        env = dict(os.environ if base is None else base)
        env.update(dag_settings())
        venv_bin = str(Path(sys.executable).parent)
        env.update(
            {
                # The scheduler starts each task as `airflow tasks run ...`, found on PATH.
                "PATH": os.pathsep.join([venv_bin, env.get("PATH", "")]),
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.home / 'airflow.db'}",
                "AIRFLOW__CORE__EXECUTOR": "SequentialExecutor",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
                "AIRFLOW__WEBSERVER__WEB_SERVER_HOST": self.host,
                "AIRFLOW__WEBSERVER__WEB_SERVER_PORT": str(self.port),
                "AIRFLOW__WEBSERVER__WORKERS": str(self.web_workers),
                "AIRFLOW__WEBSERVER__WARN_DEPLOYMENT_EXPOSURE": "False",
                # The REST API with the admin's password, for this module and scripts; the UI keeps its sessions.
                "AIRFLOW__API__AUTH_BACKENDS": "airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session",
                PIPELINE_ARGS_ENV: self.pipeline_args,
                SCHEDULE_ENV: self.schedule,
            }
        )
        return env


def _airflow(site: Site, env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "airflow"), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise AirflowError(f"`airflow {' '.join(args[:2])}` failed in {site.home}: {last}")
    return done


def read_credentials(path: Path) -> Credentials | None:
    if not path.is_file():
        return None
    fields = dict(line.split(": ", 1) for line in path.read_text().splitlines() if ": " in line)
    if "username" not in fields or "password" not in fields:
        return None
    return Credentials(fields["username"], fields["password"])


def prepare(site: Site, env: dict[str, str]) -> Credentials:
    """Creates or upgrades the site's database and its admin account; returns the admin's credentials.

    The password is made up once and kept in ``admin-credentials.txt``; an account missing from the
    database (a new or deleted database) is created, or given the kept password again.
    """
    site.home.mkdir(parents=True, exist_ok=True)
    (site.home / "logs").mkdir(exist_ok=True)
    _airflow(site, env, "db", "migrate")
    known = read_credentials(site.credentials_path)
    users = json.loads(_airflow(site, env, "users", "list", "--output", "json").stdout or "[]")
    exists = any(u.get("username") == ADMIN_USER for u in users)
    if known is not None and known.username == ADMIN_USER and exists:
        return known
    credentials = Credentials(ADMIN_USER, known.password if known else secrets.token_urlsafe(12))
    if exists:
        _airflow(site, env, "users", "reset-password", "--username", ADMIN_USER, "--password", credentials.password)
    else:
        _airflow(
            site, env, "users", "create", "--username", ADMIN_USER, "--password", credentials.password,
            "--role", "Admin", "--firstname", "Pipeline", "--lastname", "Admin", "--email", "admin@localhost",
        )  # fmt: skip
    site.credentials_path.write_text(f"username: {credentials.username}\npassword: {credentials.password}\n")
    site.credentials_path.chmod(0o600)
    return credentials


@dataclasses.dataclass
class Running:
    """The processes of a started site, by name, with their logs."""

    processes: dict[str, subprocess.Popen]
    logs: dict[str, Path]

    def dead(self) -> list[str]:
        return [name for name, p in self.processes.items() if p.poll() is not None]


def start(site: Site, env: dict[str, str]) -> Running:
    """Starts the scheduler and the web server, each in a session of its own, logging under ``home/logs``."""
    airflow = str(Path(sys.executable).parent / "airflow")
    running = Running({}, {})
    for name in ("scheduler", "webserver"):
        log = site.home / "logs" / f"{name}.out"
        with open(log, "ab") as out:
            running.processes[name] = subprocess.Popen(
                [airflow, name], env=env, cwd=site.home, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        running.logs[name] = log
    return running


def stop(running: Running, grace: float = _STOP_SECONDS) -> None:
    """Stops every process of the site: SIGTERM to each and to all it started, SIGKILL after ``grace`` s.

    A task's own process leaves its parent's process group (Airflow gives it one of
    its own), so the descendants are collected before anything is signalled.
    """
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave processes behind
    family: list[psutil.Process] = []
    for process in running.processes.values():
        with contextlib.suppress(psutil.NoSuchProcess):
            parent = psutil.Process(process.pid)
            family += [parent, *parent.children(recursive=True)]
    for member in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.send_signal(signal.SIGTERM)
    _, alive = psutil.wait_procs(family, timeout=grace)
    for member in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()
    psutil.wait_procs(alive, timeout=10)
    for process in running.processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=1)
    signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def serving(site: Site, env: dict[str, str]) -> Iterator[Running]:
    """The site's services for the duration of a ``with`` block; stopped however the block ends."""
    running = start(site, env)
    try:
        yield running
    finally:
        stop(running)


def wait_until_ready(site: Site, running: Running, api: Api, timeout: float = _READY_SECONDS) -> dict:
    """Waits until the web server answers, the scheduler beats and the DAG is loaded; unpauses the DAG.

    Raises:
      AirflowError: a service died, the DAG file failed to import, or it took longer than ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while True:
        dead = running.dead()
        if dead:
            raise AirflowError(f"the {dead[0]} stopped at start; see {running.logs[dead[0]]}")
        health = api.health()
        if health and health.get("scheduler", {}).get("status") == "healthy":
            errors = api.import_errors()
            if errors:
                raise AirflowError(f"the DAG file did not load: {errors[0]}")
            dag = api.dag(site.dag_id)
            if dag is not None:
                if dag.get("is_paused"):
                    dag = api.call("PATCH", f"dags/{site.dag_id}?update_mask=is_paused", {"is_paused": False})
                return dag
        if time.monotonic() > deadline:
            raise AirflowError(f"Airflow at {site.url} was not ready after {timeout:.0f} s; see {site.home / 'logs'}")
        time.sleep(2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="A local Airflow (scheduler and web server) scheduling the pipeline.")
    parser.add_argument("--home", type=Path, required=True, help="AIRFLOW_HOME: database, logs, credentials")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="the web server's port on localhost")
    parser.add_argument("--schedule", default="@daily", help='an Airflow schedule, e.g. "@hourly", "0 3 * * *", "none"')
    parser.add_argument("--pipeline-args", default="", help="the local runner's flags for every run")
    return parser


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # each line as it happens, through a pipe too
    # The runner's flags are checked before anything starts: a mistake is one line, not a DAG import error.
    try:
        config_lib.parse_args(shlex.split(args.pipeline_args))
    except config_lib.ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    site = Site(home=args.home.resolve(), port=args.port, pipeline_args=args.pipeline_args, schedule=args.schedule)
    env = site.environment()
    # SIGTERM stops it like Ctrl-C; SIGINT is set too, as a shell's background job inherits it ignored.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        print(f"setting up Airflow in {site.home}")
        credentials = prepare(site, env)
        with serving(site, env) as running:
            print(f"started the scheduler and the web server (logs in {site.home / 'logs'}); the first parse")
            print("of the DAG imports TFX and TensorFlow, which takes about half a minute")
            wait_until_ready(site, running, Api(site.url, credentials))
            print(f"Airflow is up: {site.url}/dags/{site.dag_id}/grid")
            print(f"  log in as {credentials.username} / {credentials.password}  (kept in {site.credentials_path})")
            print(f"  DAG {site.dag_id}, unpaused, schedule: {args.schedule}")
            print("  Ctrl-C stops the scheduler, the web server and any task they run")
            while not running.dead():
                time.sleep(1)
            dead = running.dead()[0]
            raise AirflowError(f"the {dead} stopped; see {running.logs[dead]}")
    except KeyboardInterrupt:
        print("stopped")
        return 0
    except AirflowError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
