"""Reading the Beam options a run is given, and the one this project adds to them.

Beam 2.59's PortableRunner (and FlinkRunner and SparkRunner, built on it) opens the job's state and message
streams with ``--job_server_timeout`` (60 s by default) as their gRPC deadline, so a job that runs longer fails
with ``DEADLINE_EXCEEDED: Stream removed``, although Beam documents the option as not limiting the pipeline's run
time. Measured: the smoke profile's Evaluator took 70.6 s through Beam's portable job service on a 2-core AMD
EPYC without AVX-512, and failed so. ``for_run`` gives such runners a deadline no component reaches, unless the
options set one.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

# The runners that submit a job to a job service (Beam's names, lowercase, without "Runner").
PORTABLE_RUNNERS = frozenset({"portable", "flink", "spark"})
JOB_SERVER_TIMEOUT_FLAG = "--job_server_timeout"
# The deadline given to a portable runner's jobs: an hour, 50 times the longest Beam job measured here (the 70.6 s
# above). Beam waits as long for the channel to a job service that does not answer: the local runner checks the
# endpoints first (pipeline/local/endpoints.py), so that a dead one is one line in seconds.
PORTABLE_JOB_SECONDS = 60 * 60


def values(beam_args: Sequence[str], flag: str) -> list[str]:
    """The values of ``flag`` among Beam options, as ``--flag=value`` or as ``--flag value``."""
    found = [arg.split("=", 1)[1] for arg in beam_args if arg.startswith(f"{flag}=")]
    return found + [value for arg, value in itertools.pairwise(beam_args) if arg == flag]


def runner(beam_args: Sequence[str]) -> str:
    """The runner the options choose, in Beam's spelling folded to ``portable``, ``flink``...; ``direct`` by default."""
    names = values(beam_args, "--runner")
    name = names[-1].rsplit(".", 1)[-1].lower() if names else "direct"
    return name.removesuffix("runner") or name


def for_run(beam_args: Sequence[str]) -> tuple[str, ...]:
    """``beam_args``, and for a portable runner without a ``--job_server_timeout`` of its own, a deadline of
    ``PORTABLE_JOB_SECONDS`` for its jobs."""
    extra: tuple[str, ...] = ()
    if runner(beam_args) in PORTABLE_RUNNERS and not _given(beam_args, JOB_SERVER_TIMEOUT_FLAG):
        extra = (f"{JOB_SERVER_TIMEOUT_FLAG}={PORTABLE_JOB_SECONDS}",)
    return (*beam_args, *extra)


def _given(beam_args: Sequence[str], flag: str) -> bool:
    # Beam also accepts the option with dashes (--job-server-timeout).
    return any(values(beam_args, spelling) for spelling in (flag, flag.replace("_", "-")))
