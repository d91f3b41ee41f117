"""Code fingerprints: a change to the code behind a component changes its cache key."""

from pathlib import Path

import pytest

from pipeline import fingerprint


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "components").mkdir()
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "components" / "__init__.py").write_text("")
    (tmp_path / "components" / "trainer.py").write_text(
        "import numpy\nfrom components import model\nfrom components.features import KEY\n"
    )
    (tmp_path / "components" / "model.py").write_text("import components.layers\n")
    (tmp_path / "components" / "layers.py").write_text("X = 1\n")
    (tmp_path / "components" / "features.py").write_text("KEY = 'k'\n")
    (tmp_path / "components" / "unrelated.py").write_text("Y = 2\n")
    return tmp_path


def test_imports_are_followed_transitively(tree: Path):
    assert fingerprint.project_imports((tree / "components/trainer.py").read_text(), tree) == {
        "components",
        "components.model",
        "components.features",
    }
    before = fingerprint.source_fingerprint(["components.trainer"], tree)
    (tree / "components" / "layers.py").write_text("X = 2\n")  # two imports away
    assert fingerprint.source_fingerprint(["components.trainer"], tree) != before


def test_unrelated_changes_keep_the_fingerprint(tree: Path):
    before = fingerprint.source_fingerprint(["components.trainer"], tree)
    (tree / "components" / "unrelated.py").write_text("Y = 3\n")
    assert fingerprint.source_fingerprint(["components.trainer"], tree) == before


def test_unknown_module_is_an_error(tree: Path):
    with pytest.raises(ModuleNotFoundError):
        fingerprint.source_fingerprint(["components.missing"], tree)


def test_real_modules_have_distinct_fingerprints():
    transform = fingerprint.source_fingerprint(["components.transform"])
    trainer = fingerprint.source_fingerprint(["components.trainer"])
    assert transform != trainer and len(trainer) == 64
