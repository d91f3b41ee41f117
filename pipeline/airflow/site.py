"""One local Airflow 3's folder, port and settings (``make airflow``, pipeline/airflow/local.py): the lock that
allows one ``make airflow`` per folder, the port check, the owner-only folder and password file, the DAG's
shape and the database. Runs in the TFX virtualenv; Airflow itself only as commands of its own virtualenv.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline import config as config_lib
from pipeline.airflow import node_graph
from pipeline.airflow.api import Credentials
from pipeline.airflow.settings import DEFAULT_SCHEDULE, SHAPE_FOLDER, dag_settings

ADMIN_USER = "admin"
PASSWORDS_FILE = "passwords.json"
LOCK_FILE = ".make-airflow.lock"
DEFAULT_PORT = 8080
DEFAULT_VENV = config_lib.REPO_ROOT / ".venv-airflow"
# Every Airflow process creates its files owner-only: airflow.db (whichever command touches it first), the logs.
UMASK = 0o077


class AirflowError(RuntimeError):
    """Airflow could not be set up, started or reached. The message says what and where to look."""


@dataclasses.dataclass(frozen=True)
class Site:
    """One local Airflow: where it keeps its state, where it listens, what it schedules."""

    home: Path
    port: int
    schedule: str = DEFAULT_SCHEDULE
    venv: Path = DEFAULT_VENV
    host: str = "127.0.0.1"
    parallelism: int = 2

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def airflow(self) -> Path:
        return self.venv / "bin" / "airflow"

    @property
    def passwords_path(self) -> Path:
        return self.home / PASSWORDS_FILE

    @property
    def nodes_path(self) -> Path:
        return self.home / SHAPE_FOLDER / node_graph.NODES_FILE

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of every Airflow process of this site, the tasks' included."""
        env = {
            k: v for k, v in (os.environ if base is None else base).items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")
        }
        env.update(dag_settings(self.nodes_path, self.schedule))
        env.update(
            {
                "PATH": os.pathsep.join([str(self.venv / "bin"), env.get("PATH", "")]),
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.home / 'airflow.db'}",
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.passwords_path),
                "AIRFLOW__API__HOST": self.host,
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__BASE_URL": self.url,
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
                "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.logs),
            }
        )
        return env


@contextlib.contextmanager
def claimed(home: Path) -> Iterator[None]:
    """Holds the site's lock for the block: a second ``make airflow`` on the same folder is refused at once
    (two schedulers on one SQLite database would run every task twice). The kernel drops the lock with the
    process, however it ends."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = (home / LOCK_FILE).read_text().strip() or "another process"
            raise AirflowError(f"{home} is in use by another make airflow ({holder}); stop it first") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode())
        yield
    finally:
        os.close(fd)


def check_port(host: str, port: int) -> None:
    """Raises AirflowError at once when ``host:port`` is taken, rather than when the API server dies of it."""
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise AirflowError(f"port {port} on {host} is in use ({error.strerror}): pass AIRFLOW_PORT=...") from None


def secure_home(home: Path) -> None:
    """The site's folder, owner-only. Every Airflow process runs with ``UMASK``: what it creates is too."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    home.chmod(0o700)


def admin_credentials(site: Site) -> Credentials:
    """The admin's password, made up once and kept in ``passwords.json`` (mode 0600 from its creation), the file
    Airflow's simple auth manager reads. A file that is not the manager's JSON is a one-line error."""
    path = site.passwords_path
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            password = json.loads(path.read_text())[ADMIN_USER]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise AirflowError(f"{path}: not a password file of {ADMIN_USER!r} ({error}); delete it") from None
        path.chmod(0o600)
        return Credentials(ADMIN_USER, str(password))
    password = secrets.token_urlsafe(18)
    with os.fdopen(fd, "w") as out:
        json.dump({ADMIN_USER: password}, out)
    return Credentials(ADMIN_USER, password)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("error: ") if lines else "no output"


def compile_shape(site: Site, pipeline_args: Sequence[str]) -> node_graph.NodeGraph:
    """The DAG's shape for these flags, written to ``site.nodes_path`` by the launcher in the TFX virtualenv."""
    command = [sys.executable, "-m", node_graph.LAUNCHER_MODULE, "compile", "--shape-only"]
    command += ["--run-dir", str(site.nodes_path.parent), "--", *pipeline_args]
    done = subprocess.run(command, cwd=config_lib.REPO_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AirflowError(f"cannot compile the pipeline: {last_line(done.stderr or done.stdout)}")
    return node_graph.read(site.nodes_path)


def migrate(site: Site, env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(site.airflow), "db", "migrate"],
        env=env,
        cwd=site.home,
        capture_output=True,
        text=True,
        check=False,
        umask=UMASK,
    )
    if done.returncode != 0:
        raise AirflowError(f"`airflow db migrate` failed in {site.home}: {last_line(done.stderr or done.stdout)}")
