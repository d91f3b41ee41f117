"""Per-component console lines from TFX's log records."""

import io
import logging
import os

from components.contract import progress
from pipeline.local import console


def _record(msg: str, *args) -> logging.LogRecord:
    return logging.LogRecord("absl", logging.INFO, __file__, 1, msg, args, None)


def test_one_line_per_component_with_state():
    out = io.StringIO()
    terminal = console.Console(out, total_nodes=3)
    handler = console.ProgressHandler(terminal)
    handler.emit(_record("Component %s is running.", "FashionMnistExampleGen"))
    handler.emit(_record("A cached execution %d is used.", 7))
    handler.emit(_record("Component %s is finished.", "FashionMnistExampleGen"))
    handler.emit(_record("Component %s is running.", "Trainer"))
    handler.emit(_record("Something else entirely %s", "x"))
    handler.emit(_record("Component %s is finished.", "Trainer"))
    handler.emit(_record("Component %s is running.", "Evaluator"))
    terminal.node_failed()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("[1/3] FashionMnistExampleGen") and " cached " in lines[0]
    assert lines[1].startswith("[2/3] Trainer") and " done " in lines[1]
    assert lines[2].startswith("[3/3] Evaluator") and " FAILED " in lines[2]
    assert terminal.node_states["Trainer"][0] == "done"
    assert all(line.endswith(" s") for line in lines)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _epoch(epoch: int, task: str = "training") -> progress.Epoch:
    return progress.epoch_figures(task, epoch, 3, {"loss": 0.5, "accuracy": 0.8, "val_accuracy": 0.85}, [20.0] * epoch)


def _epoch_record(figures: progress.Epoch) -> logging.LogRecord:
    record = logging.LogRecord(progress.LOGGER_NAME, logging.INFO, __file__, 1, "%s", (figures.text(),), None)
    setattr(record, progress.RECORD_ATTRIBUTE, figures)
    return record


def test_epochs_are_plain_lines_under_the_trainer_when_not_a_terminal():
    out = io.StringIO()
    handler = console.ProgressHandler(console.Console(out, total_nodes=2))
    handler.emit(_record("Component %s is running.", "Trainer"))
    for epoch in (1, 2, 3):
        handler.emit(_epoch_record(_epoch(epoch)))
    handler.emit(_record("Component %s is finished.", "Trainer"))
    text = out.getvalue()
    assert "\r" not in text and "\033" not in text
    lines = text.splitlines()
    assert [line.split(":")[0].strip() for line in lines[:3]] == [f"training epoch {e}/3" for e in (1, 2, 3)]
    assert (
        lines[0] == "        training epoch 1/3: loss 0.5000, accuracy 0.8000, eval accuracy 0.8500, 20.0 s, 40s left"
    )
    assert lines[2].endswith("0s left") and lines[3].startswith("[1/2] Trainer") and " done " in lines[3]


def test_on_a_terminal_the_running_line_stays_last_below_the_epochs():
    out = _Terminal()
    handler = console.ProgressHandler(console.Console(out, total_nodes=2))
    handler.emit(_record("Component %s is running.", "Tuner"))
    handler.emit(_epoch_record(_epoch(1, task="trial 1/4")))
    screen = out.getvalue()
    assert screen.endswith("[1/2] Tuner                          running\r")
    assert "\r\033[K        trial 1/4 epoch 1/3: " in screen


def test_epoch_figures_leave_out_what_keras_did_not_log_and_estimate_the_time_left():
    figures = progress.epoch_figures("training", 2, 16, {"loss": 0.25}, [30.0, 20.0])
    assert (figures.seconds, figures.seconds_left) == (20.0, 25.0 * 14)
    assert figures.text() == "training epoch  2/16: loss 0.2500, 20.0 s, 5m 50s left"
    assert [progress.duration(s) for s in (0.4, 9.6, 60, 75.4)] == ["0s", "10s", "1m 00s", "1m 15s"]


def test_a_path_that_is_not_utf8_is_written_escaped_on_a_strict_utf8_stream():
    """Python holds the byte 0xff of a file name as a lone surrogate, which a UTF-8 stream refuses (issue 25)."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", write_through=True)
    terminal = console.Console(stream)
    path = os.fsdecode(b"/data/span-\xff")
    terminal.line(f"data: {path} (spans 1)")
    terminal.error(f"{path}: folder not found")
    assert raw.getvalue() == b"data: /data/span-\\xff (spans 1)\nerror: /data/span-\\xff: folder not found\n"
