"""Code fingerprints: a change to the code behind a component changes its cache key."""

from pathlib import Path

import pytest

from pipeline.definition import fingerprint


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A made-up project: a trainer that imports a package, a module (which imports another) and a name."""
    training = tmp_path / "components" / "training"
    training.mkdir(parents=True)
    (tmp_path / "components" / "contract").mkdir()
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "components" / "__init__.py").write_text("")
    (training / "trainer.py").write_text(
        "import numpy\nfrom components import training\nfrom components.training import network\n"
        "from components.contract.features import KEY\n"
    )
    (training / "__init__.py").write_text("")
    (training / "network.py").write_text("import components.training.layers\n")
    (training / "layers.py").write_text("X = 1\n")
    (tmp_path / "components" / "contract" / "features.py").write_text("KEY = 'k'\n")
    (tmp_path / "components" / "unrelated.py").write_text("Y = 2\n")
    return tmp_path


def test_imports_are_followed_transitively(tree: Path):
    assert fingerprint.project_imports((tree / "components/training/trainer.py").read_text(), tree) == {
        "components",
        "components.training",
        "components.training.network",
        "components.contract.features",
    }
    before = fingerprint.source_fingerprint(["components.training.trainer"], tree)
    (tree / "components" / "training" / "layers.py").write_text("X = 2\n")  # two imports away
    assert fingerprint.source_fingerprint(["components.training.trainer"], tree) != before


def test_unrelated_changes_keep_the_fingerprint(tree: Path):
    before = fingerprint.source_fingerprint(["components.training.trainer"], tree)
    (tree / "components" / "unrelated.py").write_text("Y = 3\n")
    assert fingerprint.source_fingerprint(["components.training.trainer"], tree) == before


def test_unknown_module_is_an_error(tree: Path):
    with pytest.raises(ModuleNotFoundError):
        fingerprint.source_fingerprint(["components.missing"], tree)


def test_real_modules_have_distinct_fingerprints():
    transform = fingerprint.source_fingerprint(["components.training.preprocessing"])
    trainer = fingerprint.source_fingerprint(["components.training.trainer"])
    assert transform != trainer and len(trainer) == 64
