"""Beam's own portable job service and an SDK worker pool on this machine: ``make beam-services``.

The same Job API, artifact staging and Fn API over gRPC that a Flink or Spark job
server offers, with the SDK workers in processes of their own; what differs on a
cluster is only the job endpoint and how workers start (docs/scaling.md, "Beam runners"). It
proves portability (pickling, shipping, the workers' environment), not speed: the
job service runs one SDK worker per job.

The worker pool starts each SDK worker as ``python`` from its PATH, in its own
environment, and installs no staged packages. So the pool starts from this
project's environment: the venv's ``python`` first on PATH (the project is
installed there), and ``TF_USE_LEGACY_KERAS=1``, which the Evaluator's workers need
to load the model with Keras 2 (components/evaluation/model_loader.py checks it on the worker).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from components import legacy_keras, processes
from pipeline.config import DEFAULT_OUTPUT_DIR, REPO_ROOT
from pipeline.path_checks import printable

STATE_FILE = "services.json"
_STARTUP_SECONDS = 60
JOB_SERVICE_MODULE = "apache_beam.runners.portability.local_job_service_main"
WORKER_POOL_MODULE = "apache_beam.runners.worker.worker_pool_main"


class ServicesError(RuntimeError):
    """The services could not be started or found. The message says which and why."""


@dataclasses.dataclass(frozen=True)
class Services:
    """The two services' process ids and ports on localhost, and when each process started.

    A start time is None in a record written before they were kept: the command line alone identifies the process.
    """

    job_pid: int
    job_port: int
    worker_pid: int
    worker_port: int
    job_started: float | None = None
    worker_started: float | None = None

    def processes(self) -> list[tuple[str, int, float | None, tuple[str, ...]]]:
        """(name, pid, start time, what its command line holds) of each service's process."""
        return [
            ("job service", self.job_pid, self.job_started, (JOB_SERVICE_MODULE, f"--port={self.job_port}")),
            (
                "worker pool",
                self.worker_pid,
                self.worker_started,
                (WORKER_POOL_MODULE, f"--service_port={self.worker_port}"),
            ),
        ]

    @property
    def beam_args(self) -> list[str]:
        """The Beam options that send every Beam-powered component to these services."""
        return [
            "--runner=PortableRunner",
            f"--job_endpoint=localhost:{self.job_port}",
            "--environment_type=EXTERNAL",
            f"--environment_config=localhost:{self.worker_port}",
        ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def worker_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the worker pool (and so every SDK worker it starts) runs in."""
    env = dict(os.environ if base is None else base)
    env[legacy_keras.ENV_VAR] = "1"
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("localhost", port)) == 0


def _start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _quiet(line: str) -> None:
    del line


def start(state_dir: Path, *, job_port: int = 0, worker_port: int = 0, log: Callable[[str], None] = _quiet) -> Services:
    """Starts both services in the background and returns once both accept connections.

    A service left running from an earlier pair whose other service ended is stopped first, and a stale record
    (its processes gone, or its ids now another program's) replaced; ``log`` gets a line saying so.

    Raises:
      ServicesError: services recorded in ``state_dir`` are still running, or one did not come up.
    """
    earlier = recorded(state_dir)
    if earlier is not None:
        if all(why is None for _, _, why in check(earlier)):
            raise ServicesError(
                f"{state_dir}: Beam services are already running (job service on localhost:{earlier.job_port}, "
                f"SDK worker pool on localhost:{earlier.worker_port}); stop them first (make beam-services-stop)"
            )
        log(stop(state_dir))
    state_dir.mkdir(parents=True, exist_ok=True)
    job_port, worker_port = job_port or free_port(), worker_port or free_port()
    env = worker_environment()
    job = _start(
        [
            sys.executable,
            "-m",
            JOB_SERVICE_MODULE,
            f"--port={job_port}",
            f"--staging_dir={state_dir / 'staging'}",
        ],
        state_dir / "job_service.log",
        env,
    )
    workers = _start(
        [sys.executable, "-m", WORKER_POOL_MODULE, f"--service_port={worker_port}"], state_dir / "worker_pool.log", env
    )
    started = processes.started(job.pid), processes.started(workers.pid)
    services = Services(job.pid, job_port, workers.pid, worker_port, *started)
    deadline = time.monotonic() + _STARTUP_SECONDS
    while not (_listening(job_port) and _listening(worker_port)):
        dead = [name for name, p in (("job service", job), ("worker pool", workers)) if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            stop_pids([job.pid, workers.pid])
            why = f"{' and '.join(dead)} exited" if dead else f"not listening after {_STARTUP_SECONDS} s"
            raise ServicesError(f"Beam services did not start ({why}); see the logs in {state_dir}")
        time.sleep(0.2)
    (state_dir / STATE_FILE).write_text(json.dumps(dataclasses.asdict(services)))
    return services


def recorded(state_dir: Path) -> Services | None:
    """The services ``state_dir`` records, running or not; None when it records none."""
    try:
        return Services(**json.loads((state_dir / STATE_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def check(services: Services) -> list[tuple[str, int, str | None]]:
    """(name, pid, why that pid is not the service) of each recorded service; why is None for one still running.

    A pid is taken for the service only while its process has the recorded start time and the service's module
    and port on its command line: after the service ended, or a reboot, the number may be any other program's.
    """
    return [
        (name, pid, processes.mismatch(pid, started_at=started, command_holds=command))
        for name, pid, started, command in services.processes()
    ]


def stop_pids(pids: list[int], timeout: float = 10) -> None:
    """SIGTERM to each process group (a pool's workers included), SIGKILL to whatever outlives ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, sig)
        deadline = time.monotonic() + timeout
        while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not any(_running(pid) for pid in pids):
            return


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a child of this process that exited is reaped here, not left a zombie)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return processes.alive(pid)


def stop(state_dir: Path) -> str:
    """Stops the services recorded in ``state_dir`` that are still those processes, removes the record, and says
    what it did in one line. A recorded pid that now names another process is left alone.
    """
    services = recorded(state_dir)
    if services is None:
        return f"no Beam services in {state_dir}"
    checked = check(services)
    running = [(name, pid) for name, pid, why in checked if why is None]
    stop_pids([pid for _, pid in running])
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    if len(running) == len(checked):
        return f"stopped the Beam services of {state_dir} ({', '.join(f'{n} pid {p}' for n, p in running)})"
    ended = "; ".join(f"{name} pid {pid}: {why}" for name, pid, why in checked if why is not None)
    if not running:
        return f"stopped nothing: the record {state_dir / STATE_FILE} was stale ({ended}); removed it"
    survivors = " and ".join(f"the {name} (pid {pid})" for name, pid in running)
    return f"stopped {survivors} of {state_dir}, left running after the other had ended ({ended})"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipeline.local.beam_services start|stop [--dir DIR]``: one line of outcome."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("command", choices=("start", "stop"))
    parser.add_argument("--dir", type=Path, default=DEFAULT_OUTPUT_DIR / "beam-services", help="state and logs")
    parser.add_argument("--job-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--worker-port", type=int, default=0, help="default: a free port")
    args = parser.parse_args(argv)
    state_dir = args.dir.resolve()
    if args.command == "stop":
        print(printable(stop(state_dir)))
        return 0
    try:
        services = start(
            state_dir, job_port=args.job_port, worker_port=args.worker_port, log=lambda line: print(printable(line))
        )
    except ServicesError as e:
        print(printable(f"error: {e}"), file=sys.stderr)
        return 1
    print(f"Beam job service on localhost:{services.job_port}, SDK worker pool on localhost:{services.worker_port}")
    print(f'BEAM_ARGS="{" ".join(services.beam_args)}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
