"""Faults a scheduled run must survive: each stops cleanly, says why, and leaves the served model alone."""

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import config as config_lib
from pipeline.metadata import outcomes
from pipeline.metadata.store import Store
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import Runs, node_states, run_pipeline, show_json, versions
from tests.support.idx_fixtures import write_idx

pytestmark = pytest.mark.e2e


def _args(runs: Runs, *extra: str, serving_dir: Path | None = None) -> list[str]:
    return [
        f"--output-dir={runs.config.output_dir}",
        f"--serving-dir={serving_dir or runs.config.serving_dir}",
        f"--raw-dir={runs.config.raw_dir}",
        *extra,
    ]


def _error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("error:")]


def _truncate(path: Path) -> str:
    path.write_bytes(path.read_bytes()[: 1 << 20])
    return "truncated gzip stream (the download or copy is incomplete)"


def _bad_label(path: Path) -> str:
    labels = bytearray(gzip.decompress(path.read_bytes()))
    labels[8 + 123] = 10
    path.write_bytes(gzip.compress(bytes(labels)))
    return "label 10 at index 123 is outside 0..9"


def _fewer_labels(path: Path) -> str:
    write_idx(path, [1] * 9999)
    return "9999 labels for 10000 images"


@pytest.mark.parametrize(
    ("file_name", "corrupt"),
    [
        ("train-images-idx3-ubyte.gz", _truncate),
        ("train-labels-idx1-ubyte.gz", _bad_label),
        ("t10k-labels-idx1-ubyte.gz", _fewer_labels),
    ],
)
def test_bad_raw_data_stops_the_run_before_tfx(runs: Runs, real_data_dir: Path, tmp_path: Path, file_name, corrupt):
    data = tmp_path / "data"
    shutil.copytree(real_data_dir, data)
    problem = corrupt(data / file_name)
    logs_before = set(runs.config.logs_dir.iterdir())
    result = run_pipeline(*_args(runs, f"--data-dir={data}"), timeout=300)
    assert result.returncode == 1
    assert _error_lines(result) == [f"error: {data / file_name}: {problem}"]
    assert set(runs.config.logs_dir.iterdir()) == logs_before, "stopped by the pre-flight check, before TFX"
    assert versions(runs.config.model_serving_dir) == runs.versions_after_first


def test_schema_breaking_records_stop_the_run_at_the_gate(runs: Runs, tmp_path: Path):
    """Records injected into the eval split, past the IDX checks: ones without a label, images too short."""
    driver = (
        "import sys\n"
        "from components.ingestion import executor\n"
        "from components.contract import features\n"
        "from components.ingestion import examples\n"
        "encode = executor.encode_shard\n"
        "def tampered(shard):\n"
        "    records = list(encode(shard))\n"
        "    if shard[0].endswith('Split-' + features.EVAL_SPLIT):\n"
        "        import tensorflow as tf\n"
        "        no_label = tf.train.Example.FromString(records[0])\n"
        "        del no_label.features.feature[features.LABEL_KEY]\n"
        "        short = tf.train.Example.FromString(records[1])\n"
        "        short.features.feature[features.IMAGE_KEY].bytes_list.value[0] = bytes(700)\n"
        "        records[0] = no_label.SerializeToString()\n"
        "        records[1] = short.SerializeToString()\n"
        "    yield from records\n"
        "executor.encode_shard = tampered\n"
        "from pipeline.local import runner\n"
        "sys.exit(runner.main(sys.argv[1:]))\n"
    )
    out = tmp_path / "out"
    args = [
        "--profile=smoke",
        f"--output-dir={out}",
        f"--serving-dir={runs.config.serving_dir}",
        f"--raw-dir={runs.config.raw_dir}",
    ]
    result = subprocess.run(
        [sys.executable, "-c", driver, *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    (error,) = _error_lines(result)
    assert error.startswith("error: AnomalyGate failed: the data gate stopped the run: ")
    assert "split 'span-1/eval': feature 'image':" in error and "split 'span-1/eval': feature 'label':" in error
    cfg = config_lib.parse_args(args)
    nodes = node_states(cfg)
    assert nodes["AnomalyGate"] == "failed"
    assert "Transform" not in nodes and "Trainer" not in nodes
    assert versions(runs.config.model_serving_dir) == runs.versions_after_first
    shown = show_json(out)
    assert shown["overview"]["outcome"] == "stopped by the data gate"
    assert shown["overview"]["reason"] == error.removeprefix("error: AnomalyGate failed: ")
    assert shown["decision"]["blessed"] is None and shown["decision"]["pushed_version"] is None
    assert any(line.startswith("data gate: the data gate stopped the run: ") for line in shown["anomalies"])
    # Airflow and Kubeflow leave no runner note: the reason is then decided again from the gate's recorded inputs.
    store = Store.open(cfg.metadata_path)
    (gate,) = [e for _, run in store.runs() for e in store.executions(run) if e.node_id == "AnomalyGate"]
    assert outcomes.gate_reason(gate) == gate.error, "the same checks, the same words"


def test_a_model_worse_than_the_baseline_is_not_pushed(runs: Runs):
    # Only the no-regression threshold can fail: the floors are off.
    result = run_pipeline(*_args(runs, "--learning-rate=0.00001", "--accuracy-floor=0", "--class-accuracy-floor=0"))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    verdict = next(line for line in lines if line.startswith("model NOT BLESSED: "))
    assert "overall: sparse_categorical_accuracy fell by" in verdict and "against the baseline model" in verdict
    assert "nothing pushed" in lines and lines[-1] == "on-device model not pushed"
    # The on-device model's own regression gate, against the last blessed on-device model.
    lite_verdict = next(line for line in lines if line.startswith("on-device model NOT BLESSED: "))
    assert "overall: sparse_categorical_accuracy fell by" in lite_verdict
    assert versions(runs.config.model_serving_dir) == runs.versions_after_first
    shown = show_json(runs.config.output_dir)
    assert shown["overview"]["outcome"] == "not blessed"
    assert shown["overview"]["reason"] == verdict.removeprefix("model NOT BLESSED: ")
    assert shown["decision"]["blessed"] is False and shown["decision"]["reason"] == shown["overview"]["reason"]
    assert shown["evaluation"]["baseline_accuracy"] > shown["evaluation"]["accuracy"]


def test_an_unusable_serving_folder_is_a_clear_error(runs: Runs, tmp_path: Path):
    blocker = tmp_path / "serving"
    blocker.write_text("a file where the serving folder should be")
    result = run_pipeline(*_args(runs, serving_dir=blocker))
    assert result.returncode == 1
    (error,) = _error_lines(result)
    assert error.startswith(f"error: Pusher failed: {blocker}/{runs.config.model_name}: cannot create the serving")
    assert blocker.read_text() == "a file where the serving folder should be"
    assert versions(runs.config.model_serving_dir) == runs.versions_after_first


def test_the_tuner_feeds_the_trainer(real_data_dir: Path, tmp_path: Path):
    """The tune path on the smoke data: TFX's Tuner runs a real search and the Trainer trains its best values."""
    from pipeline.inspection import details as details_lib
    from pipeline.metadata.store import Store

    args = [
        f"--output-dir={tmp_path / 'out'}",
        f"--serving-dir={tmp_path / 'serving'}",
        f"--raw-dir={real_data_dir}",
        "--tune-trials=2",
        "--tune-epochs=1",
        "--no-on-device",  # the Tuner feeding the Trainer is the point, not the on-device model
    ]
    result = run_pipeline(*args)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    component_lines = [line.split("]", 1)[1].split() for line in result.stdout.splitlines() if line.startswith("[")]
    assert ["Tuner", "done"] in [words[:2] for words in component_lines]
    trial_lines = [
        line.strip().split(":")[0] for line in result.stdout.splitlines() if line.strip().startswith("trial ")
    ]
    assert trial_lines == ["trial 1/2 epoch 1/1", "trial 2/2 epoch 1/1"], "one console line per trial epoch"
    cfg = config_lib.parse_args(["--profile=smoke", *args])
    details = details_lib.details(Store.open(cfg.metadata_path))
    best_uri = next(a.uri for a in details.artifacts if a.type == "HyperParameters")
    best = json.loads((Path(best_uri) / "best_hyperparameters.txt").read_text())["values"]
    trained = json.loads((Path(details.model_run_dir) / "training_config.json").read_text())
    for name in ("learning_rate", "dropout"):
        assert trained[name] == best[name], name
    assert trained["epochs"] == cfg.training.epochs
