"""One run per output folder; a killed run leaves no stale lock."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.local import run_lock
from tests.conftest import REPO_ROOT


def test_a_second_run_is_refused_naming_the_first(tmp_path: Path):
    refused = pytest.raises(run_lock.RunLockedError, match=r"in use by a running pipeline \(pid \d+, profile smoke")
    with run_lock.run_lock(tmp_path, "profile smoke"), refused, run_lock.run_lock(tmp_path, "profile full"):
        pass
    with run_lock.run_lock(tmp_path, "profile full"):
        pass


def test_a_killed_holder_does_not_block(tmp_path: Path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from pipeline.local import run_lock\n"
            f"with run_lock.run_lock(Path({str(tmp_path)!r}), 'holder'):\n"
            "    print('locked', flush=True); time.sleep(60)",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(run_lock.RunLockedError), run_lock.run_lock(tmp_path, "second"):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    deadline = time.monotonic() + 10
    while True:
        try:
            with run_lock.run_lock(tmp_path, "after the kill"):
                break
        except run_lock.RunLockedError:
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_a_folder_the_run_creates_is_ignored_by_git_and_one_that_exists_is_left_alone(tmp_path: Path):
    """A relative OUTPUT_DIR lands inside the checkout: git must not offer its outputs for a commit (issue 25)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    created, existing = tmp_path / "runs" / "out", tmp_path / "mine"
    existing.mkdir()
    (existing / "notes.txt").write_text("the user's own")
    for folder in (created, existing):
        with run_lock.run_lock(folder, "profile smoke"):
            pass
    assert (created / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not (existing / ".gitignore").exists()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path, capture_output=True, text=True
    )
    untracked = status.stdout.splitlines()
    assert "?? mine/notes.txt" in untracked and not [line for line in untracked if "runs/" in line]
