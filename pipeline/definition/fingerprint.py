"""Fingerprints of the code behind a component, for caching that tells the truth.

TFX's cache key covers a component's inputs and execution properties, but not
the code behind a dotted ``run_fn`` or ``preprocessing_fn`` path. The pipeline
puts the fingerprint of that code (the module and every project module it
imports, transitively) into the component's ``custom_config``: change the
training code and the Trainer runs again; change the docs and nothing does.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from pathlib import Path

from pipeline.config import REPO_ROOT

PROJECT_PACKAGES = frozenset({"components", "data", "pipeline"})


def module_file(module: str, root: Path = REPO_ROOT) -> Path | None:
    """The source file of a project module (``a.b`` -> ``a/b.py`` or ``a/b/__init__.py``)."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def project_imports(source: str, root: Path = REPO_ROOT) -> set[str]:
    """The project modules a piece of source imports (absolute imports only)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from a import b` imports module a.b when there is one, else a name of a.
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] in PROJECT_PACKAGES and module_file(n, root) is not None)
    return found


def source_fingerprint(modules: Iterable[str], root: Path = REPO_ROOT) -> str:
    """SHA-256 over the sources of ``modules`` and every project module they import."""
    pending, seen = list(modules), {}
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        path = module_file(name, root)
        if path is None:
            raise ModuleNotFoundError(f"no project module {name} under {root}")
        seen[name] = path.read_bytes()
        pending.extend(project_imports(seen[name].decode(), root))
    digest = hashlib.sha256()
    for name in sorted(seen):
        digest.update(name.encode() + b"\0" + hashlib.sha256(seen[name]).digest())
    return digest.hexdigest()
