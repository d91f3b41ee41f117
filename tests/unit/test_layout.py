"""The shape of the code (STYLE.md): imports run one way, no cycles, one job per file, every component alike."""

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# Each layer may import itself and the layers listed for it: data <- components <- pipeline.
LAYERS = {"data": {"data"}, "components": {"data", "components"}, "pipeline": {"data", "components", "pipeline"}}
MAX_LINES = 300
CUSTOM_COMPONENT_FILES = ("spec.py", "component.py", "executor.py")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for layer in LAYERS for p in sorted((REPO_ROOT / layer).rglob("*.py"))}


def imports_of(source: str, known: set[str]) -> set[str]:
    """The project modules a source imports, at the top or inside a function (lazy imports count)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(n for n in names if n in known)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: imports_of(path.read_text(), set(modules)) - {name} for name, path in modules.items()}


def test_imports_run_upward_only():
    wrong = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in sorted(targets)
        if target.split(".")[0] not in LAYERS[module.split(".")[0]]
    ]
    assert wrong == []


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles_lazy_ones_included():
    assert find_cycles(_graph()) == []


def test_the_checks_catch_what_they_guard():
    """The two checks above fail on a back-up import and on a cycle hidden in a function."""
    known = {"components.a", "components.b", "pipeline.c"}
    lazy = "def f():\n    from components import b\n"
    assert imports_of(lazy, known) == {"components.b"}
    assert imports_of("from pipeline import c\n", known) == {"pipeline.c"}
    assert find_cycles({"components.a": {"components.b"}, "components.b": {"components.a"}}) == [
        ["components.a", "components.b"]
    ]


@pytest.mark.parametrize("layer", ["data", "components", "pipeline"])
def test_no_module_is_over_300_lines(layer: str):
    long = {
        str(p.relative_to(REPO_ROOT)): n
        for p in (REPO_ROOT / layer).rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_custom_component_has_spec_component_and_executor():
    folders = [p.parent for p in (REPO_ROOT / "components").glob("*/component.py")]
    assert {f.name for f in folders} == {
        "ingestion",
        "anomaly_gate",
        "drift_gate",
        "span_validation",
        "serving_canary",
        "pusher",
    }
    for folder in folders:
        assert all((folder / name).is_file() for name in CUSTOM_COMPONENT_FILES), folder
