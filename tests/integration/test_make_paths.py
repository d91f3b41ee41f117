"""What make passes to the commands: a path holding any character the shell treats specially, as one word, and
a relative path made absolute against the checkout (issue 25, defects 9 and 10)."""

import os
import shlex
import subprocess
from pathlib import Path

from pipeline import config
from pipeline.airflow import node_graph
from tests.conftest import REPO_ROOT, run_make

# Everything a shell would act on, but a $ (make's own: written $$): quotes, a backtick, a backslash, ; # & *.
ODD_NAME = 'it\'s "odd" `x` a\\b;c #d & e*'


def _command(make_n: subprocess.CompletedProcess) -> list[str]:
    """The words of the last command ``make -n`` printed, as bash would split them."""
    assert make_n.returncode == 0, make_n.stderr
    lines = [line for line in make_n.stdout.replace("\\\n", "").splitlines() if not line.startswith("make")]
    return shlex.split(lines[-1])


def _flag(words: list[str], flag: str) -> str:
    (value,) = [word.removeprefix(f"{flag}=") for word in words if word.startswith(f"{flag}=")]
    return value


def test_a_path_with_quotes_and_shell_characters_reaches_the_runner(tmp_path: Path):
    data = tmp_path / ODD_NAME
    result = run_make("run-pipeline", "PROFILE=smoke", f"DATA_DIR={data}", f"OUTPUT_DIR={data / 'out'}")
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == f"error: {data}: folder not found", result.stderr
    assert list(tmp_path.iterdir()) == [], "nothing created"


def test_airflow_gets_the_same_paths_through_two_levels_of_quoting_and_the_schedule_given(tmp_path: Path):
    output = tmp_path / ODD_NAME
    settings = run_make("-s", "airflow-dag", f"OUTPUT_DIR={output}", "PROFILE=smoke", "AIRFLOW_SCHEDULE=0 3 * * *")
    assert settings.returncode == 0, settings.stderr
    shell = subprocess.run(
        ["bash", "-c", 'eval "$1" && printf "%s\\n" "$FASHION_MNIST_SCHEDULE" "$FASHION_MNIST_AIRFLOW_NODES"', "bash",
         settings.stdout],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    schedule, nodes_file = shell.stdout.splitlines()
    assert schedule == "0 3 * * *", "the schedule given, not @daily"
    assert nodes_file == str(output / "airflow" / "shape" / "nodes.json")
    words = list(node_graph.read(Path(nodes_file)).pipeline_args)
    assert _flag(words, "--output-dir") == str(output)
    assert config.parse_args(words).output_dir == output
    launch = _command(run_make("-n", "airflow", f"OUTPUT_DIR={output}", "DATA_DIR=spans"))
    assert _flag(launch, "--home") == str(output / "airflow")
    launched = shlex.split(_flag(launch, "--pipeline-args"))
    assert _flag(launched, "--output-dir") == str(output)
    assert _flag(launched, "--data-dir") == str(REPO_ROOT / "spans"), "relative to the checkout, made absolute"


def test_a_run_id_with_a_quote_is_one_argument():
    words = _command(run_make("-n", "report", "RUN=it's", "OUTPUT_DIR=runs"))
    assert words[words.index("pipeline.report.page") + 1] == "it's"
    assert _flag(words, "--output-dir") == str(REPO_ROOT / "runs")


def test_relative_paths_are_relative_to_the_checkout_also_under_make_c(tmp_path: Path):
    words = _command(run_make("-C", str(REPO_ROOT), "-n", "run-pipeline", "OUTPUT_DIR=out put", cwd=tmp_path))
    assert _flag(words, "--output-dir") == str(REPO_ROOT / "out put")
    assert os.path.isabs(_flag(words, "--serving-dir")) and os.path.isabs(_flag(words, "--raw-dir"))
