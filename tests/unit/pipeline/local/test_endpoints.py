"""The Beam endpoints a run would dial, found in the Beam options and checked with a TCP connection."""

import socket

import pytest

from pipeline.local import endpoints


def test_the_endpoints_of_a_portable_runner_in_either_spelling():
    args = [
        "--runner=PortableRunner",
        "--job_endpoint=localhost:8099",
        "--artifact_endpoint",
        "[::1]:8098",
        "--environment_type=EXTERNAL",
        "--environment_config=localhost:50000",
    ]
    assert endpoints.beam_endpoints(args) == [("job endpoint", "localhost:8099"), ("artifact endpoint", "[::1]:8098")]
    assert endpoints.host_and_port("[::1]:8098") == ("::1", 8098)
    flink = ["--runner=flink", "--job_endpoint=flink-job-server:8099"]
    assert endpoints.beam_endpoints(flink) == [("job endpoint", "flink-job-server:8099")]


@pytest.mark.parametrize(
    "args",
    [
        ["--direct_running_mode=in_memory", "--direct_num_workers=1"],  # the DirectRunner: no job service
        ["--runner=DirectRunner", "--job_endpoint=localhost:8099"],  # a job endpoint the DirectRunner ignores
        ["--runner=PortableRunner", "--job_endpoint=embed"],  # Beam's job service inside this process
        ["--runner=PortableRunner"],
    ],
)
def test_nothing_to_check(args):
    assert endpoints.beam_endpoints(args) == []
    endpoints.check(args)


def _closed_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_listening_endpoint_passes_and_a_closed_one_is_named():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert endpoints.unreachable(f"127.0.0.1:{port}") is None
        endpoints.check(["--runner=PortableRunner", f"--job_endpoint=127.0.0.1:{port}"])
    closed = _closed_port()
    args = ["--runner=PortableRunner", f"--job_endpoint=localhost:{closed}"]
    with pytest.raises(endpoints.EndpointError) as raised:
        endpoints.check(args)
    assert str(raised.value) == (
        f"Beam job endpoint localhost:{closed} is unreachable: nothing listens there (connection refused)"
    )


def test_an_endpoint_that_never_answers_is_named_with_the_wait(monkeypatch):
    def silent(address, timeout):
        raise TimeoutError

    monkeypatch.setattr(socket, "create_connection", silent)
    assert endpoints.unreachable("localhost:8099", timeout=3) == "no answer within 3 s"
