"""Where a test file belongs: tests mirror the code.

A unit or integration test of the module ``<path>/<module>.py`` is ``tests/<layer>/<path>/test_<module>.py``,
e.g. tests/unit/components/drift_gate/test_checks.py for components/drift_gate/checks.py. A few tests cover
the repository as a whole (the layout of the code, make targets, the pipeline's parts together): they sit at
the top of their layer under a name of their own, listed in WHOLE_REPOSITORY_TESTS. The end-to-end tests are
named after scenarios of the whole pipeline, not modules. tests/conftest.py runs ``misplaced_tests`` on every
collection.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

# The speed layers whose test files mirror modules, and the e2e layer whose files name scenarios.
MIRRORED_LAYERS = ("unit", "integration")
SCENARIO_LAYERS = ("e2e",)
# The folders of the project's code, which the mirrored layers mirror.
CODE_FOLDERS = ("data", "components", "pipeline", "bench", "scripts")
# Tests of the repository as a whole, at the top of their layer: tests/<layer>/<name>.
WHOLE_REPOSITORY_TESTS = {
    "unit": frozenset({"test_layout.py"}),  # the shape of the code: imports, folders, sizes
    "integration": frozenset(
        {
            "test_beam_options.py",  # docs/scaling.md's Beam options, through config, the definition and Beam
            "test_lab.py",  # make lab
            "test_make_paths.py",  # what make passes to the commands: any character, relative paths
            "test_multi_worker.py",  # two Trainer processes under TF_CONFIG, through run_fn
            "test_run_refusals.py",  # what the runner and make refuse before TFX starts
            "test_schema_and_gate.py",  # the curated schema, TFDV and the data gate together
        }
    ),
}


def misplaced_tests(test_files: Iterable[str], modules: Iterable[str]) -> list[str]:
    """What is wrong with where each test file sits; empty when every one mirrors a module or may stand alone.

    Args:
      test_files: the ``test_*.py`` files under tests/, as paths relative to the checkout (``tests/unit/...``).
      modules: the project's modules, as paths relative to the checkout (``components/drift_gate/checks.py``).
    """
    known = {str(PurePosixPath(m)) for m in modules}
    problems = []
    for name in sorted(str(PurePosixPath(f)) for f in test_files):
        path = PurePosixPath(name)
        parts = path.parts
        if len(parts) < 3 or parts[0] != "tests" or parts[1] not in (*MIRRORED_LAYERS, *SCENARIO_LAYERS):
            problems.append(f"{name} is in no speed layer: put it in tests/unit, tests/integration or tests/e2e")
            continue
        layer, below = parts[1], parts[2:]
        if layer in SCENARIO_LAYERS or (len(below) == 1 and below[0] in WHOLE_REPOSITORY_TESTS[layer]):
            continue
        module = PurePosixPath(*below[:-1], below[-1].removeprefix("test_"))
        if below[0] not in CODE_FOLDERS or str(module) not in known:
            problems.append(
                f"{name} mirrors no module ({module} does not exist): name it tests/{layer}/<path>/test_<module>.py "
                "after the module <path>/<module>.py it covers, or list it in WHOLE_REPOSITORY_TESTS "
                "(tests/support/mirroring.py)"
            )
    return problems
