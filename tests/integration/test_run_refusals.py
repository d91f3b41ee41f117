"""What the real runner and make refuse before TFX starts: one line each, the stated status, nothing created."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from tests.conftest import REPO_ROOT, in_mount_namespace, run_make
from tests.support.idx_fixtures import make_span_layout


def _runner(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.local.runner", "--profile=smoke", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_bad_flag_stops_before_anything_is_created(tmp_path: Path):
    result = _runner("--epochs", "0", f"--output-dir={tmp_path / 'out'}")
    assert (result.returncode, result.stdout, result.stderr) == (2, "", "error: --epochs must be at least 1, got 0\n")
    assert not (tmp_path / "out").exists()


def test_a_preflight_failure_creates_no_output_folder(tmp_path: Path):
    result = _runner(f"--data-dir={tmp_path / 'no data'}", f"--output-dir={tmp_path / 'out'}")
    assert result.returncode == 1
    assert result.stderr == f"error: {tmp_path / 'no data'}: folder not found\n"
    assert not (tmp_path / "out").exists(), "no output folder, no .run.lock"


def test_a_data_folder_whose_name_is_not_utf8_is_one_line(tmp_path: Path, real_data_dir: Path):
    """TFX records paths as UTF-8 text: the name is refused before anything is written (issue 25, defect 5)."""
    data = Path(os.fsdecode(bytes(tmp_path) + b"/data-\xff"))
    data.mkdir()
    for source in real_data_dir.glob("*.gz"):
        (data / source.name).symlink_to(source)
    result = _runner(f"--data-dir={data}", f"--output-dir={tmp_path / 'out'}")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: --data-dir {tmp_path}/data-\\xff: the name is not valid UTF-8, which TFX cannot record; "
        "rename the folder\n"
    )
    assert not (tmp_path / "out").exists()


def _group(leader: int) -> list[int]:
    """The processes of the process group ``leader`` leads."""
    members = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getpgid(process.pid) == leader:
                members.append(process.pid)
    return members


def test_a_dead_beam_job_endpoint_is_one_line_and_leaves_no_process(tmp_path: Path, real_data_dir: Path):
    """Before issue 25 (defect 4): `FashionMnistExampleGen failed: FutureTimeoutError` after about two minutes,
    and the process lingering after it."""
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    beam = ["--runner=PortableRunner", f"--job_endpoint=localhost:{port}", "--environment_type=LOOPBACK"]
    command = [sys.executable, "-m", "pipeline.local.runner", "--profile=smoke", f"--raw-dir={real_data_dir}"]
    command += [f"--output-dir={tmp_path / 'out'}", *(f"--beam-arg={arg}" for arg in beam)]
    runner = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = runner.communicate(timeout=60)  # the check takes a second; Beam's own wait, two minutes
        left_running = _group(runner.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(runner.pid, signal.SIGKILL)
    assert (runner.returncode, out) == (1, "")
    assert (
        err == f"error: Beam job endpoint localhost:{port} is unreachable: nothing listens there (connection refused)\n"
    )
    assert left_running == [], "nothing of the run is left running"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("below_the_file", "problem"),
    [
        ("", "the output folder is a file, not a folder"),
        ("out", "cannot create the output folder: Not a directory"),
    ],
)
def test_an_unusable_output_folder_is_one_line(tmp_path: Path, real_data_dir: Path, below_the_file: str, problem: str):
    (tmp_path / "file").write_text("a file where the output folder should be")
    output = tmp_path / "file" / below_the_file if below_the_file else tmp_path / "file"
    result = _runner(f"--output-dir={output}", f"--raw-dir={real_data_dir}")
    assert result.returncode == 1
    assert result.stderr == f"error: {output}: {problem}\n"


def test_a_read_only_output_folder_is_one_line(tmp_path: Path, real_data_dir: Path):
    """A read-only filesystem, mounted in a private mount namespace that ends with the command."""
    output = tmp_path / "read-only"
    output.mkdir()
    script = 'mount -t tmpfs -o ro tmpfs "$1" && shift && exec "$@"'
    command = [sys.executable, "-m", "pipeline.local.runner", "--profile=smoke", f"--output-dir={output}"]
    result = in_mount_namespace(script, str(output), *command, f"--raw-dir={real_data_dir}", timeout=300)
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: {output}: cannot write in the output folder: Read-only file system\n"


def test_make_carries_paths_with_spaces(tmp_path: Path):
    data = tmp_path / "data dir"
    data.mkdir()
    result = run_make("run-pipeline", f"DATA_DIR={data}", f"OUTPUT_DIR={tmp_path / 'out put'}")
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == f"error: {data / 'train-images-idx3-ubyte.gz'}: file not found"
    assert "unrecognized arguments" not in result.stderr


def test_make_predict_takes_a_quoted_name_with_spaces(tmp_path: Path):
    image = tmp_path / "a b.png"
    image.write_text("not an image")
    # What `make predict IMAGES='"a b.png"'` gets once the shell has taken its single quotes off.
    result = run_make("predict", f'IMAGES="{image}"', f"SERVING_DIR={tmp_path / 'serving'}")
    assert result.stderr.splitlines()[0] == f"error: {image}: not a PNG image"
    assert "binary operator expected" not in result.stderr


def test_a_duplicated_span_is_refused_in_one_line_naming_both(tmp_path: Path):
    """Issue 25, defect 7: span-2 a link to span-1 would train on span 1's images twice."""
    root = make_span_layout(tmp_path / "data", (1,))
    (root / "span-2").symlink_to(root / "span-1")
    result = _runner(f"--data-dir={root}", f"--output-dir={tmp_path / 'out'}")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {root / 'span-2'}: the same folder as span-1 ")
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert not (tmp_path / "out").exists()
