"""The one line a failed run prints."""

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
