"""Who made a model: the code version and the configuration, recorded with every push."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path
from typing import Any

from pipeline.config import REPO_ROOT, PipelineConfig


def code_version(repo_root: Path = REPO_ROOT) -> dict[str, Any]:
    """The git commit of ``repo_root`` and whether the working tree differs from it.

    Outside a git checkout (a container image built without .git) both are unknown.
    """

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(repo_root), *args], capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit.strip(), "dirty": None if status is None else bool(status.strip())}


def config_record(config: PipelineConfig) -> dict[str, Any]:
    """The run's configuration as plain JSON values."""
    record = dataclasses.asdict(config)
    return {k: str(v) if isinstance(v, Path) else list(v) if isinstance(v, tuple) else v for k, v in record.items()}
