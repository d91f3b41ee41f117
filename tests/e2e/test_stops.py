"""Stops a user or an environment causes: signals at a real component (SIGKILL included), a damaged store, a full
serving disk.

Each is one line on the console (the traceback in the log), the stated exit status, and nothing lost.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import config as config_lib
from pipeline.metadata import health
from pipeline.metadata.store import Store
from tests.conftest import REPO_ROOT, in_mount_namespace, run_make
from tests.e2e.conftest import Runs, node_states, run_pipeline, show_json, versions
from tests.support.pipeline_nodes import UPSTREAM_OF_MODEL

pytestmark = pytest.mark.e2e


def _error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error:")]


def _wait_until_running(
    cfg: config_lib.PipelineConfig, node: str, process: subprocess.Popen, runs_before: int, timeout: float = 600
):
    """Returns once ML Metadata shows ``node`` running in a run newer than the first ``runs_before`` (an execution
    killed with SIGKILL stays "running" in its own run), with no sleeps standing in for progress."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the run ended before {node} started"
        try:
            store = Store.open(cfg.metadata_path)
            runs = store.runs(cfg.model_name)
            if len(runs) > runs_before and any(
                e.node_id == node and e.state == "running" for e in store.executions(runs[-1][1])
            ):
                return
        except Exception:  # noqa: BLE001 - the store may not exist yet, or be mid-write
            pass
        time.sleep(0.2)
    pytest.fail(f"{node} never ran")


def _run_count(cfg: config_lib.PipelineConfig) -> int:
    return len(Store.open(cfg.metadata_path).runs(cfg.model_name)) if cfg.metadata_path.exists() else 0


def _start_runner(*args: str) -> subprocess.Popen:
    """The smoke profile's run in a process group of its own, where a terminal's Ctrl-C would reach it."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.local.runner", "--profile=smoke", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _interrupt_at(cfg: config_lib.PipelineConfig, args: list[str], node: str, signum: int) -> tuple[int, str, str]:
    runs_before = _run_count(cfg)
    process = _start_runner(*args)
    try:
        _wait_until_running(cfg, node, process, runs_before)
        os.killpg(process.pid, signum)
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, out, err


def test_killed_then_ctrl_c_then_sigterm_and_each_rerun_resumes(real_data_dir: Path, tmp_path: Path):
    """One output folder through four runs: SIGKILL during training (a second run refused meanwhile), Ctrl-C at
    the rerun's Trainer, SIGTERM at the next one's Evaluator, and the last, through make, pushing. Each rerun starts
    where the one before stopped. The on-device model is left out (``--no-on-device``): the stops are the point."""
    # Folders with spaces: the last run goes through make, whose variables must carry them.
    output, serving = tmp_path / "out put", tmp_path / "serving model"
    args = [f"--output-dir={output}", f"--serving-dir={serving}", f"--raw-dir={real_data_dir}", "--no-on-device"]
    cfg = config_lib.parse_args(["--profile=smoke", *args])

    killed = _start_runner(*args)
    try:
        _wait_until_running(cfg, "Trainer", killed, runs_before=0)
        # A second run on the same output folder, now: refused at once, naming the first.
        second = run_pipeline(*args, timeout=120)
        assert second.returncode == 1
        (error,) = _error_lines(second.stdout + second.stderr)
        assert error.startswith(f"error: {cfg.output_dir} is in use by a running pipeline (pid {killed.pid}, ")
        os.killpg(killed.pid, signal.SIGKILL)
    finally:
        if killed.poll() is None:
            os.killpg(killed.pid, signal.SIGKILL)
        killed.communicate()
    assert killed.returncode == -signal.SIGKILL
    assert versions(cfg.model_serving_dir) == [], "nothing pushed, nothing half-written"

    status, out, err = _interrupt_at(cfg, args, "Trainer", signal.SIGINT)
    assert status == 130
    assert err.splitlines() == [
        "error: Trainer interrupted (SIGINT); a rerun resumes from the cached components; full log: "
        + out.split("logs in ", 1)[1].splitlines()[0]
    ]
    assert "Traceback" not in out + err
    states = node_states(cfg)
    assert {n for n, s in states.items() if s == "cached"} == UPSTREAM_OF_MODEL - {"Trainer"}, "after the SIGKILL"
    shown = show_json(output)
    assert shown["overview"]["outcome"] == "interrupted"
    assert (
        shown["overview"]["reason"] == "Trainer was interrupted by SIGINT; a rerun resumes from the cached components"
    )
    log = Path(out.split("logs in ", 1)[1].splitlines()[0]).read_text()
    assert "interrupted by SIGINT:" in log and "Traceback (most recent call last)" in log
    assert versions(cfg.model_serving_dir) == []

    status, out, err = _interrupt_at(cfg, args, "Evaluator", signal.SIGTERM)
    assert status == 143
    (error,) = err.splitlines()
    assert error.startswith("error: Evaluator interrupted (SIGTERM); a rerun resumes from the cached components")
    states = node_states(cfg)
    assert {n for n, s in states.items() if s == "cached"} == UPSTREAM_OF_MODEL - {"Trainer"}
    assert states["Trainer"] == "done" and states["Evaluator"] == "interrupted" and "Pusher" not in states
    assert versions(cfg.model_serving_dir) == []

    done = run_make(
        "run-pipeline",
        "PROFILE=smoke",
        f"OUTPUT_DIR={output}",
        f"SERVING_DIR={serving}",
        "FLAGS=--no-on-device",
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    states = node_states(cfg)
    assert states["Trainer"] == "cached" and states["Evaluator"] == "done" and states["Pusher"] == "done"
    pushed = versions(cfg.model_serving_dir)
    assert len(pushed) == 1 and pushed[0].isdigit()


def test_ctrl_c_during_start_up_is_one_line(real_data_dir: Path, tmp_path: Path):
    """Sent when the runner says where its log goes, while it imports TFX: before any component."""
    process = _start_runner(
        f"--output-dir={tmp_path / 'out'}", f"--serving-dir={tmp_path / 'serving'}", f"--raw-dir={real_data_dir}"
    )
    try:
        for line in process.stdout:
            if line.startswith("profile smoke: logs in "):
                break
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130
    assert err.splitlines() == ["error: interrupted (SIGINT) before any component ran; nothing was changed"]
    assert "Traceback" not in out + err


def test_a_damaged_store_stops_run_and_inspect_in_one_line_and_restores(runs: Runs, tmp_path: Path):
    """The shared smoke runs' store and its copies, in a folder of their own, broken as a full disk breaks it."""
    output = tmp_path / "out"
    output.mkdir()
    shutil.copy(runs.config.metadata_path, output / "metadata.sqlite")
    shutil.copytree(runs.config.output_dir / health.BACKUP_DIR_NAME, output / health.BACKUP_DIR_NAME)
    (newest,) = health.backups(output / "metadata.sqlite")[:1]
    store = output / "metadata.sqlite"
    args = [f"--output-dir={output}", f"--serving-dir={runs.config.serving_dir}", f"--raw-dir={runs.config.raw_dir}"]
    for damage, problem in (
        (lambda: store.write_bytes(b""), "is empty (0 bytes), so the history of every run is gone from it"),
        (lambda: store.write_bytes(os.urandom(8192)), "is not an SQLite database"),
    ):
        damage()
        result = run_pipeline(*args, timeout=300)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            f"error: {store} {problem}; restore the newest sound copy ({newest}) with `make restore-metadata`"
        ]
        assert not (output / "logs").exists(), "stopped before TFX started"
        inspect = subprocess.run(
            [sys.executable, "-m", "pipeline.inspection.cli", "runs", f"--output-dir={output}"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert inspect.returncode == 1 and inspect.stderr.splitlines() == result.stderr.splitlines()

    restored = run_make("restore-metadata", f"OUTPUT_DIR={output}", timeout=300)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.splitlines()[-1] == f"restored {store} from {newest}"
    assert health.problem(store) is None
    assert len(Store.open(store).runs(runs.config.model_name)) >= 1, "the history is back"


def test_a_full_serving_disk_is_one_line_and_keeps_the_served_version(runs: Runs, tmp_path: Path):
    """The Pusher alone runs again (a new destination), into a 1 MB filesystem that already serves a version."""
    serving = tmp_path / "serving"
    folder = serving / runs.config.model_name
    log_dir = runs.config.logs_dir
    logs_before = set(log_dir.iterdir())
    script = (
        'set -e; mount -t tmpfs -o size=1m tmpfs "$SERVING"; mkdir -p "$FOLDER/1"; '
        'head -c 300000 /dev/urandom > "$FOLDER/1/saved_model.pb"; sha256sum "$FOLDER/1/saved_model.pb"; '
        'set +e; "$PYTHON" -m pipeline.local.runner --profile=smoke "$@"; echo "exit $?"; '
        'ls -A "$FOLDER"; sha256sum "$FOLDER/1/saved_model.pb"'
    )
    serving.mkdir()
    done = in_mount_namespace(
        script,
        f"--output-dir={runs.config.output_dir}",
        f"--serving-dir={serving}",
        f"--raw-dir={runs.config.raw_dir}",
        env={**os.environ, "SERVING": str(serving), "FOLDER": str(folder), "PYTHON": sys.executable},
    )
    lines = done.stdout.splitlines()
    before, after = lines[0].split()[0], lines[-1].split()[0]
    assert "exit 1" in lines, done.stdout + done.stderr[-3000:]
    assert lines[lines.index("exit 1") + 1 : -1] == ["1"], "no staging folder left, the served version alone"
    assert before == after, "the served version is byte-identical"
    (error,) = _error_lines(done.stderr)
    assert error.startswith(f"error: Pusher failed: {folder}: cannot publish version ")
    assert error.endswith(": no space left on device") and len(error) < 300
    (log,) = set(log_dir.iterdir()) - logs_before
    assert "PushError" in log.read_text() and "Traceback (most recent call last)" in log.read_text()
    assert node_states(runs.config)["Pusher"] == "failed"


def test_predict_warns_about_an_image_unlike_the_training_data(runs: Runs, tmp_path: Path):
    from PIL import Image

    white = tmp_path / "white shirt.png"
    Image.new("L", (28, 28), 255).save(white)
    done = run_make(
        "predict", "PROFILE=smoke", f"SERVING_DIR={runs.config.serving_dir}", f'IMAGES="{white}"', timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "binary operator expected" not in done.stderr
    assert f"warning: {white}[0]" not in done.stderr
    assert f"warning: {white}: light background (border mean 255 of 255)" in done.stderr
    assert done.stdout.splitlines()[-1].startswith(f"{white}: ")
