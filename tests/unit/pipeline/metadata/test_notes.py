"""The one line a failed run prints."""

import grpc

from pipeline.metadata import notes


def test_the_first_line_of_a_plain_message():
    assert notes.one_line(ValueError("bad thing\nmore detail")) == "bad thing"
    assert notes.one_line(KeyError()) == "KeyError"


def test_a_project_error_inside_a_beam_workers_traceback_is_the_reason():
    message = (
        "Pipeline job-1 failed in state FAILED: Error running pipeline.\n"
        "Traceback (most recent call last):\n"
        '  File "worker.py", line 3, in construct\n'
        "RuntimeError: Traceback (most recent call last):\n"
        "components.legacy_keras.KerasVersionError: Beam worker pid 7 on host: set TF_USE_LEGACY_KERAS=1\n"
    )
    assert notes.one_line(RuntimeError(message)) == "Beam worker pid 7 on host: set TF_USE_LEGACY_KERAS=1"


def test_a_foreign_traceback_keeps_the_first_line():
    message = "Pipeline job-1 failed: Error running pipeline.\nTraceback:\nValueError: something in TFMA\n"
    assert notes.one_line(RuntimeError(message)) == "Pipeline job-1 failed: Error running pipeline."


class _FailedCall(grpc.RpcError):
    """What a gRPC call that failed raises: an RpcError with the call's status, whose text starts with its type."""

    def __str__(self) -> str:
        return "<_MultiThreadedRendezvous of RPC that terminated with:\n\tstatus = StatusCode.DEADLINE_EXCEEDED\n>"

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.DEADLINE_EXCEEDED

    def details(self) -> str:
        return "Stream removed (Deadline Exceeded)"


def test_a_failed_grpc_call_is_its_status_and_details():
    assert notes.one_line(_FailedCall()) == "gRPC DEADLINE_EXCEEDED: Stream removed (Deadline Exceeded)"
    assert notes.one_line(grpc.RpcError("no call")) == "no call", "an RpcError that is no call keeps its message"
