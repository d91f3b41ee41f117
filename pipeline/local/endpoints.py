"""The Beam services a run will call, checked before it starts: a dead job endpoint is one line in seconds.

Without the check, Beam's PortableRunner waits ``--job_server_timeout`` for the job service's channel, twice
(artifact staging, then the job): an hour each with the deadline this project gives portable jobs
(pipeline/beam_options.py), a minute each with Beam's default. Then the run fails with
``FashionMnistExampleGen failed: FutureTimeoutError``, and gRPC's threads keep the process alive after the
message. A TCP connection to each endpoint, with a short timeout, tells the same in seconds, before any output is
written.

Only what this process dials is checked: the job endpoint, and the artifact endpoint when one is given. The
worker pool of ``--environment_type=EXTERNAL`` is dialled by the runner's side, from wherever that runs.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence

from pipeline import beam_options

ENDPOINT_FLAGS = {"--job_endpoint": "job endpoint", "--artifact_endpoint": "artifact endpoint"}
CONNECT_SECONDS = 3.0


class EndpointError(RuntimeError):
    """A Beam endpoint the run would call does not answer. The message names it and why."""


def host_and_port(endpoint: str) -> tuple[str, int] | None:
    """``localhost:8099`` or ``[::1]:8099`` as (host, port); None for what is no TCP address (``embed``)."""
    host, sep, port = endpoint.rpartition(":")
    if not sep or not host or not port.isdigit() or "/" in host:
        return None
    return host.removeprefix("[").removesuffix("]"), int(port)


def beam_endpoints(beam_args: Sequence[str]) -> list[tuple[str, str]]:
    """(what, endpoint) for each TCP endpoint a portable runner would dial, e.g. ("job endpoint", "localhost:8099")."""
    if beam_options.runner(beam_args) not in beam_options.PORTABLE_RUNNERS:
        return []
    return [
        (what, value)
        for flag, what in ENDPOINT_FLAGS.items()
        for value in beam_options.values(beam_args, flag)
        if host_and_port(value) is not None
    ]


def unreachable(endpoint: str, timeout: float = CONNECT_SECONDS) -> str | None:
    """Why nothing answers at ``endpoint`` (host:port), in a few words; None when it accepts a connection."""
    address = host_and_port(endpoint)
    if address is None:
        return None
    try:
        with socket.create_connection(address, timeout=timeout):
            return None
    except ConnectionRefusedError:
        return "nothing listens there (connection refused)"
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except socket.gaierror:
        return "unknown host"
    except OSError as e:
        return (e.strerror or str(e)).lower()


def check(beam_args: Sequence[str], timeout: float = CONNECT_SECONDS) -> None:
    """Raises EndpointError for the first endpoint of ``beam_args`` that does not answer.

    Raises:
      EndpointError: "Beam job endpoint localhost:1 is unreachable: nothing listens there (connection refused)".
    """
    for what, endpoint in beam_endpoints(beam_args):
        why = unreachable(endpoint, timeout)
        if why is not None:
            raise EndpointError(f"Beam {what} {endpoint} is unreachable: {why}")
