"""Publishing a SavedModel into TensorFlow Serving's layout: never half-written, never the same model twice.

TFX's filesystem Pusher copies straight into ``<base>/<version>``, where
TensorFlow Serving may load a partial copy. Here the model is copied into a
hidden staging folder beside it (TF Serving only loads folders named by an
integer) and renamed into place in one step. A model whose content is already
served under some version is not pushed again. Plain functions: no TFX.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from components import processes

# The model card: provenance, metrics and the push itself. TF Serving loads only
# the SavedModel and ignores assets.extra/, which exists for files like this.
MODEL_CARD_PATH = Path("assets.extra") / "model_card.json"
_STAGING_PREFIX = ".incoming-"
_STAGING_NAME = re.compile(re.escape(_STAGING_PREFIX) + r"\d+-(\d+)$")
# "[Errno 28] No space left on device: 'src' -> 'dst'", as shutil.copytree reports each file it could not copy.
_ERRNO = re.compile(r"^\[Errno (\d+)\] ")


class PushError(RuntimeError):
    """The model could not be published. Nothing new is visible, the served versions are untouched."""


@dataclasses.dataclass(frozen=True)
class PushResult:
    """Where the model is served, and whether this push put it there."""

    version: int
    path: Path
    pushed: bool


def model_digest(model_dir: Path) -> str:
    """SHA-256 over the relative paths and contents of every file of a SavedModel."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(model_dir).rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(model_dir)).encode() + b"\0")
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def served_versions(base_dir: Path) -> list[int]:
    """The integer-named version folders under ``base_dir``, ascending."""
    if not base_dir.is_dir():
        return []
    return sorted(int(p.name) for p in base_dir.iterdir() if p.is_dir() and p.name.isdigit())


def find_served(base_dir: Path, digest: str) -> int | None:
    """The version already serving a model with this digest, if any."""
    for version in reversed(served_versions(base_dir)):
        info_path = base_dir / str(version) / MODEL_CARD_PATH
        try:
            if json.loads(info_path.read_text()).get("model_digest") == digest:
                return version
        except (OSError, ValueError):
            continue
    return None


def remove_stale_staging(base_dir: Path) -> list[Path]:
    """Removes staging folders left by pushes whose process is gone (killed mid-copy); returns them.

    TF Serving never loads them (their names are not integers), but nothing else would ever remove them.
    A staging folder whose process still runs is another push in progress, and is left alone.
    """
    removed = []
    for path in sorted(base_dir.glob(f"{_STAGING_PREFIX}*")) if base_dir.is_dir() else []:
        match = _STAGING_NAME.match(path.name)
        if match and path.is_dir() and not processes.alive(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            logging.getLogger(__name__).warning("removed %s, left by a push whose process is gone", path)
            removed.append(path)
    return removed


def _reason(error: OSError) -> str:
    """One short phrase for why a copy failed: "no space left on device", not shutil's list of every file."""
    if isinstance(error, shutil.Error) and error.args and isinstance(error.args[0], list) and error.args[0]:
        first = error.args[0][0]
        why = str(first[-1]) if isinstance(first, tuple) else str(first)
        match = _ERRNO.match(why)
        text = os.strerror(int(match.group(1))) if match else why
    else:
        text = error.strerror or str(error)
    return text[:1].lower() + text[1:]


def push_model(
    model_dir: Path,
    base_dir: Path,
    *,
    info: dict[str, Any],
    now: float | None = None,
    renames: dict[str, str] | None = None,
) -> PushResult:
    """Publishes ``model_dir`` as a new version under ``base_dir``, atomically.

    The version is the Unix time, or one more than the newest version if that is
    not later. ``info`` (the model card) is written beside the model as
    ``assets.extra/model_card.json``, together with the version and the model's
    digest. ``renames`` ({file name in ``model_dir``: name in the version}) renames top-level files of the
    copy (the digest is of ``model_dir`` as it is). On any failure nothing new is left visible.
    """
    digest = model_digest(model_dir)
    existing = find_served(base_dir, digest)
    if existing is not None:
        return PushResult(existing, base_dir / str(existing), pushed=False)
    try:
        base_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PushError(f"{base_dir}: cannot create the serving folder: {_reason(e)}") from None
    remove_stale_staging(base_dir)
    versions = served_versions(base_dir)
    version = max(int(now if now is not None else time.time()), versions[-1] + 1 if versions else 0)
    staging = base_dir / f"{_STAGING_PREFIX}{version}-{os.getpid()}"
    target = base_dir / str(version)
    try:
        shutil.copytree(model_dir, staging)
        for name, new_name in (renames or {}).items():
            os.rename(staging / name, staging / new_name)
        (staging / MODEL_CARD_PATH).parent.mkdir(parents=True, exist_ok=True)
        (staging / MODEL_CARD_PATH).write_text(
            json.dumps({**info, "version": version, "model_digest": digest}, indent=2, sort_keys=True)
        )
        os.rename(staging, target)
    except OSError as e:
        raise PushError(f"{base_dir}: cannot publish version {version}: {_reason(e)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PushResult(version, target, pushed=True)
