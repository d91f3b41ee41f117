"""``make airflow``'s command line (pipeline/airflow/local.py) before anything starts, and the TFX virtualenv it
runs in, which has no Airflow."""

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def test_a_mistake_in_the_pipeline_flags_is_one_line_before_anything_starts(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.airflow.local", f"--home={tmp_path / 'af'}", "--pipeline-args=--epochs=0"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "epochs" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "af").exists()


def test_the_tfx_virtualenv_has_no_airflow():
    done = subprocess.run([sys.executable, "-c", "import airflow"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "No module named 'airflow'" in done.stderr
