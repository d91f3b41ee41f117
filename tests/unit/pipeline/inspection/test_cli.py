"""pipeline/inspection/cli.py: `make inspect`'s errors, its text and JSON, and the light imports it keeps."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.inspection import cli
from tests.conftest import REPO_ROOT
from tests.support.run_details import not_blessed_run

# The inspection tools, the report, the ML Metadata readers under both, and what they read records with.
LIGHT_PACKAGES = ("pipeline.inspection", "pipeline.report", "pipeline.metadata")
LIGHT_MODULES = ("components.records.evaluation_results", "components.records.protos", "pipeline.local.summary")


def test_inspection_imports_neither_tensorflow_nor_tfx(tmp_path: Path):
    code = (
        "import importlib, pkgutil, sys\n"
        f"for package in {LIGHT_PACKAGES!r}:\n"
        "    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):\n"
        "        importlib.import_module(f'{package}.{module.name}')\n"
        f"for module in {LIGHT_MODULES!r}:\n"
        "    importlib.import_module(module)\n"
        "from components.records import protos\n"
        "from pipeline.inspection import cli\n"
        "protos.message_class('tensorflow_model_analysis.ValidationResult')\n"
        f"assert cli.main(['runs', '--output-dir', {str(tmp_path)!r}]) == 1\n"
        "heavy = ('tensorflow', 'tfx', 'tensorflow_model_analysis', 'apache_beam')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_cli_says_what_to_do_without_a_store(tmp_path: Path, capsys: pytest.CaptureFixture):
    assert cli.main(["runs", "--output-dir", str(tmp_path)]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"error: {tmp_path}/metadata.sqlite: no ML Metadata store; run the pipeline first")
    assert "\n" not in error


def test_cli_rejects_a_version_that_is_not_an_integer(tmp_path: Path, capsys: pytest.CaptureFixture):
    from ml_metadata import metadata_store
    from ml_metadata.proto import metadata_store_pb2

    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(tmp_path / "metadata.sqlite")
    metadata_store.MetadataStore(config)  # an empty store
    assert cli.main(["lineage", "latest", "--output-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == "error: 'latest' is not a version: versions are integers"
    assert cli.main(["--output-dir", str(tmp_path)]) == 1
    assert "no run recorded yet" in capsys.readouterr().err


def test_cli_text_of_a_not_blessed_run():
    text = "\n".join(cli.format_details(not_blessed_run()))
    assert "outcome: not blessed: overall: accuracy fell" in text
    assert "  NOT BLESSED: overall: accuracy fell" in text
    assert "baseline model: /baseline" in text
    assert "  span 1 train     10 examples, pixels 0-255, mean 72.9, std 90.0, image 784-784 bytes" in text
    assert "  test             10 examples, pixels 0-250" in text


def test_json_keeps_the_artifact_keys_and_each_threshold_in_words():
    shown = json.loads(json.dumps(cli.to_json(not_blessed_run())))
    assert shown["artifacts"] == [
        {"node": "Trainer", "key": "model", "type": "Model", "id": 3, "uri": "/m", "state": "done"}
    ]
    assert shown["evaluation"]["thresholds"][1] == {
        "where": "each label slice",
        "metric": "SparseCategoricalAccuracy",
        "kind": "lower_bound",
        "value": 0.5,
        "rule": "SparseCategoricalAccuracy >= 0.5000",
    }
