"""Per-component console lines from TFX's log records."""

import io
import logging

from pipeline import console


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
