"""pipeline/local/runner.py: the pre-flight check, on the console before anything is written."""

import io
from pathlib import Path

from pipeline.config import parse_args
from pipeline.local import console, runner
from tests.support.idx_fixtures import make_span_layout


def test_the_preflight_names_each_folder_it_skips_in_a_warning(tmp_path: Path):
    """Issue 25, defect 6: ``Span-2`` and ``span_3`` are not spans; one warning line each, and the run goes on."""
    root = make_span_layout(tmp_path / "data", (1, 3))
    (root / "span-3").rename(root / "span_3")
    (root / "Span-2").mkdir()
    out, err = io.StringIO(), io.StringIO()
    config = parse_args(["--profile=smoke", f"--data-dir={root}", f"--output-dir={tmp_path / 'out'}"])
    dataset = runner.preflight(config, console.Console(out, error_stream=err))
    assert dataset.span_numbers == (1,)
    rule = "not a span folder, skipped (a span folder is named span-<number>, e.g. span-2)"
    assert err.getvalue().splitlines() == [f"warning: {root / 'Span-2'}: {rule}", f"warning: {root / 'span_3'}: {rule}"]
    assert out.getvalue() == f"data: {root} (spans 1, from DATA_DIR {root})\n"
    assert not (tmp_path / "out").exists()
