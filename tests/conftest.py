"""Shared test set-up.

``TF_USE_LEGACY_KERAS`` must be set before anything imports TensorFlow, so it
is set here, at the top of the first module pytest loads.
"""

import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.idx_fixtures import make_dataset_dir
from tests.support.mirroring import CODE_FOLDERS, misplaced_tests

if TYPE_CHECKING:
    from pipeline.local import beam_services

TESTS_DIR = Path(__file__).parent
REPO_ROOT = TESTS_DIR.parent
# Helpers, not tests: everything in tests/support/, and pytest's own files anywhere under tests/.
SUPPORT_DIR = TESTS_DIR / "support"
PYTEST_FILES = {"conftest.py", "__init__.py"}


def is_support_file(path: Path) -> bool:
    return path.is_relative_to(SUPPORT_DIR) or path.name in PYTEST_FILES


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Fails the run when a test file would silently not run, or sits where no one would look for it.

    Every Python file under tests/ must be a support file or match test_*.py; every test file must
    mirror the module it covers (tests/support/mirroring.py); and, unless tests were selected by keyword
    or node id, every test file under the paths given must contribute at least one test.
    """
    problems = [
        f"{p.relative_to(REPO_ROOT)} does not match test_*.py, so pytest never collects it"
        for p in TESTS_DIR.rglob("*.py")
        if not is_support_file(p) and not p.name.startswith("test_")
    ]
    problems += misplaced_tests(
        [p.relative_to(REPO_ROOT).as_posix() for p in TESTS_DIR.rglob("test_*.py")],
        [p.relative_to(REPO_ROOT).as_posix() for folder in CODE_FOLDERS for p in (REPO_ROOT / folder).rglob("*.py")],
    )
    selected_by_name = (
        config.getoption("keyword") or config.getoption("markexpr") or any("::" in str(arg) for arg in config.args)
    )
    if not selected_by_name:
        collected = {Path(item.fspath) for item in items}
        roots = [Path(arg).resolve() for arg in config.args] or [TESTS_DIR]
        for root in roots:
            files = [root] if root.is_file() else root.rglob("test_*.py")
            problems += [
                f"{f.relative_to(REPO_ROOT)} defines no test that pytest collects" for f in files if f not in collected
            ]
    if problems:
        raise pytest.UsageError("test collection check failed:\n  " + "\n  ".join(problems))


def run_make(*args: str, timeout: int = 300, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    """``make ARGS...`` in the checkout (or from ``cwd``, with ``-C``), as a person runs it: not as a sub-make of
    the ``make test`` that runs the tests (whose flags and level would make it print "make[1]: Entering
    directory" lines)."""
    inherited = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    return subprocess.run(
        ["make", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={k: v for k, v in os.environ.items() if k not in inherited},
    )


def in_mount_namespace(
    script: str, *args: str, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    """``sh -c SCRIPT sh ARGS...`` in a private mount namespace: what it mounts is gone when it ends."""
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    return make_dataset_dir(tmp_path / "idx")


@pytest.fixture
def beam_job_services(tmp_path: Path) -> Iterator["beam_services.Services"]:
    """Beam's portable job service and an SDK worker pool (pipeline/local/beam_services.py), listening, stopped
    after the test."""
    from pipeline.local import beam_services

    started = beam_services.start(tmp_path / "beam-services")
    try:
        yield started
    finally:
        beam_services.stop(tmp_path / "beam-services")


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The verified real Fashion-MNIST (``make test`` fetches it into data/raw first)."""
    from data import sources

    return sources.locate(
        data_dir=None, raw_dir=REPO_ROOT / "data" / "raw", allow_apt=False, allow_download=False
    ).directory
