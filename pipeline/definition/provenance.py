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
    """The run's configuration as plain JSON values; ``pipeline_name`` the name the pipeline runs under (an
    empty ``pipeline_name`` means the model's name)."""
    record = dataclasses.asdict(config) | {"pipeline_name": config.tfx_pipeline_name}
    return {k: str(v) if isinstance(v, Path) else list(v) if isinstance(v, tuple) else v for k, v in record.items()}
