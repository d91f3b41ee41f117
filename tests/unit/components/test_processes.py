"""A recorded process id is taken for the process only with its start time and command line."""

import os

import psutil

from components import processes

ENDED = 2**22 + 12345  # above the default pid_max: no such process


def test_this_process_is_itself_and_an_ended_one_is_not():
    me, started = os.getpid(), processes.started(os.getpid())
    assert started == psutil.Process(me).create_time() and processes.started(ENDED) is None
    assert processes.alive(me) and not processes.alive(ENDED)
    assert processes.mismatch(me, started_at=started, command_holds=psutil.Process(me).cmdline()[:2]) is None
    assert processes.mismatch(me, started_at=None, command_holds=[]) is None, "an old record: the command line alone"
    assert processes.mismatch(ENDED, started_at=started, command_holds=[]) == "no such process"


def test_another_start_time_or_command_line_is_another_process():
    me, started = os.getpid(), processes.started(os.getpid())
    assert processes.mismatch(me, started_at=started - 3600, command_holds=[]).startswith("a process started at ")
    assert processes.mismatch(me, started_at=started + 0.5, command_holds=[]) is None, "psutil's rounding"
    other = processes.mismatch(me, started_at=started, command_holds=["--port=1"])
    assert other.startswith("another program: ") and len(other) <= len("another program: ") + 80
