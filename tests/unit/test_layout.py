"""The shape of the code (docs/architecture.md, docs/contributing.md): imports run one way, between layers and
between the folders of a layer; the run path reads no inspection view; no cycles; one job per file; folders
narrow enough to name what they hold; every component alike.
"""

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# Each layer may import itself and the layers listed for it: data <- components <- pipeline.
LAYERS = {"data": {"data"}, "components": {"data", "components"}, "pipeline": {"data", "components", "pipeline"}}
MAX_LINES = 300
MAX_MODULES_PER_FOLDER = 12
# Inside components/ and pipeline/, what each folder may import besides itself (and besides data/): a folder
# name, "<top>" for the layer's loose modules, or a whole layer. The contract is below everything in
# components; the metadata layer is below both the runners and the inspection views; the report is on top.
COMPONENT_FOLDERS = ("anomaly_gate", "drift_gate", "ingestion", "lite_conversion", "pusher", "serving_canary")
COMPONENT_FOLDERS += ("span_validation",)
# Besides: the converter starts from the training's preprocessing; the canary runs the on-device model it made.
COMPONENT_EXTRA_IMPORTS = {"lite_conversion": {"components.training"}, "serving_canary": {"components.lite_conversion"}}
FOLDER_IMPORTS = {
    "components.contract": set(),
    "components.<top>": {"components.contract"},
    "components.records": {"components.contract"},
    "components.training": {"components.contract", "components.records", "components.<top>"},
    "components.evaluation": {"components.contract", "components.<top>"},
    "components.resolvers": {"components.contract", "components.drift_gate"},
    **{
        f"components.{name}": {"components.contract", "components.records", "components.<top>", "components.drift_gate"}
        | COMPONENT_EXTRA_IMPORTS.get(name, set())
        for name in COMPONENT_FOLDERS
    },
    "pipeline.<top>": {"components"},
    "pipeline.metadata": {"components", "pipeline.<top>"},
    "pipeline.definition": {"components", "pipeline.<top>", "pipeline.metadata"},
    "pipeline.local": {"components", "pipeline.<top>", "pipeline.metadata", "pipeline.definition"},
    "pipeline.airflow": {"components", "pipeline.<top>", "pipeline.metadata", "pipeline.definition"},
    "pipeline.kubeflow": {"components", "pipeline.<top>", "pipeline.metadata", "pipeline.definition"},
    "pipeline.inspection": {"components", "pipeline.<top>", "pipeline.metadata"},
    "pipeline.report": {"components", "pipeline.<top>", "pipeline.metadata", "pipeline.inspection"},
}
# What a run executes: each runner's entry point and the code TFX loads by name. None of it may import an
# inspection view or the report, directly or through anything it imports.
RUN_PATH = (
    "pipeline.local.runner",
    "pipeline.airflow.dags.fashion_mnist_dag",
    "pipeline.airflow.launch_node",
    "pipeline.kubeflow.runner",
    "pipeline.definition.pipeline",
    "components.training.trainer",
    "components.training.tuner",
    "components.training.preprocessing",
    "components.evaluation.model_loader",
)
READ_ONLY_VIEWS = ("pipeline.inspection", "pipeline.report")
CUSTOM_COMPONENT_FILES = ("spec.py", "component.py", "executor.py")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for layer in LAYERS for p in sorted((REPO_ROOT / layer).rglob("*.py"))}


def folder_of(module: str) -> str:
    """``components.training`` for ``components.training.trainer``; ``components.<top>`` for a loose module."""
    parts = module.split(".")
    if parts[0] not in ("components", "pipeline") or len(parts) == 1:
        return parts[0]
    if len(parts) == 2 and not (REPO_ROOT / parts[0] / parts[1]).is_dir():
        return f"{parts[0]}.<top>"
    return ".".join(parts[:2])


def folder_import_errors(graph: dict[str, set[str]]) -> list[str]:
    """Imports between folders of components/ and pipeline/ that FOLDER_IMPORTS does not allow."""
    wrong = []
    for module, targets in sorted(graph.items()):
        source = folder_of(module)
        if source.split(".")[0] not in ("components", "pipeline") or module in LAYERS:
            continue  # data/: test_imports_run_upward_only; a layer's empty __init__
        if source not in FOLDER_IMPORTS:
            wrong.append(f"{module}: its folder {source} is not in FOLDER_IMPORTS")
            continue
        allowed = FOLDER_IMPORTS[source]
        for target in sorted(targets):
            folder = folder_of(target)
            if target in LAYERS or folder in (source, "data") or folder in allowed or folder.split(".")[0] in allowed:
                continue
            wrong.append(f"{module} imports {target}")
    return wrong


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others (lazy imports included)."""
    seen, pending = set(), [start]
    while pending:
        for target in graph.get(pending.pop(), ()):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


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


def test_folders_import_only_the_folders_below_them():
    assert folder_import_errors(_graph()) == []


@pytest.mark.parametrize("entry", RUN_PATH)
def test_the_run_path_imports_no_inspection_view(entry: str):
    graph = _graph()
    assert entry in graph, f"{entry} is not a module any more: update RUN_PATH"
    views = sorted(m for m in reachable(graph, entry) if m.startswith(READ_ONLY_VIEWS))
    assert views == []


def test_the_folder_checks_catch_what_they_guard():
    """A back-up import between folders and an inspection view reached through another module both fail."""
    graph = {
        "pipeline.metadata.store": {"pipeline.inspection.cli"},
        "pipeline.local.runner": {"pipeline.metadata.store"},
        "components.contract.keys": {"components.training.network"},
    }
    assert folder_import_errors(graph) == [
        "components.contract.keys imports components.training.network",
        "pipeline.metadata.store imports pipeline.inspection.cli",
    ]
    assert "pipeline.inspection.cli" in reachable(graph, "pipeline.local.runner")


@pytest.mark.parametrize("layer", ["components", "pipeline"])
def test_no_folder_holds_more_than_a_dozen_modules(layer: str):
    wide = {
        str(folder.relative_to(REPO_ROOT)): n
        for folder in [REPO_ROOT / layer, *(p for p in (REPO_ROOT / layer).rglob("*") if p.is_dir())]
        if (n := len(list(folder.glob("*.py")))) > MAX_MODULES_PER_FOLDER
    }
    assert wide == {}


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
        "lite_conversion",
        "anomaly_gate",
        "drift_gate",
        "span_validation",
        "serving_canary",
        "pusher",
    }
    for folder in folders:
        assert all((folder / name).is_file() for name in CUSTOM_COMPONENT_FILES), folder


def test_tests_mirror_the_code_and_the_check_fails_on_a_misnamed_test_file():
    """tests/conftest.py fails the run on what misplaced_tests finds (tests/support/mirroring.py); here, on made-up
    paths: tests named after their module pass, and each way of misnaming or misplacing one is caught."""
    from tests.support.mirroring import misplaced_tests

    modules = ["components/drift_gate/checks.py", "data/idx.py", "pipeline/metadata/spans.py", "data/spans.py"]
    mirrored = [
        "tests/unit/components/drift_gate/test_checks.py",
        "tests/integration/components/drift_gate/test_checks.py",
        "tests/unit/data/test_idx.py",
        "tests/unit/data/test_spans.py",
        "tests/unit/pipeline/metadata/test_spans.py",
        "tests/unit/test_layout.py",  # a test of the whole repository, listed
        "tests/integration/test_lab.py",
        "tests/e2e/test_faults.py",  # end-to-end tests name scenarios
    ]
    assert misplaced_tests(mirrored, modules) == []
    misnamed = [
        "tests/unit/test_drift_checks.py",  # at the top of its layer, not a listed whole-repository test
        "tests/unit/drift_gate/test_checks.py",  # components/ left out of the path
        "tests/unit/components/drift_gate/test_check.py",  # no module check.py
        "tests/unit/data/test_spans_more.py",  # a second file for one module
        "tests/integration/test_layout.py",  # the unit layer's whole-repository name
        "tests/test_idx.py",  # in no speed layer
        "tests/support/test_helpers.py",
    ]
    found = misplaced_tests([*mirrored, *misnamed], modules)
    problems = {problem.split(" ")[0]: problem for problem in found}
    assert len(found) == len(problems) and sorted(problems) == sorted(misnamed)
    assert (
        "(components/drift_gate/check.py does not exist)" in problems["tests/unit/components/drift_gate/test_check.py"]
    )
    assert "(drift_gate/checks.py does not exist)" in problems["tests/unit/drift_gate/test_checks.py"]
    assert "(drift_checks.py does not exist)" in problems["tests/unit/test_drift_checks.py"]
    assert "is in no speed layer" in problems["tests/test_idx.py"] and "is in no speed layer" in problems[misnamed[-1]]


def test_no_test_module_is_over_300_lines():
    long = {
        str(p.relative_to(REPO_ROOT)): n
        for p in (REPO_ROOT / "tests").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
