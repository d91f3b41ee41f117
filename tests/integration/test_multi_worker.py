"""Training on two workers for real: two local processes with TF_CONFIG, each TFX's Trainer executor over run_fn.

And the datasets such a run fits on, in process: sharded by data, in whole batches.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from tfx.utils import path_utils

from components.contract import features, files
from components.contract.training_config import TrainingConfig
from components.training import dataset
from components.training.workers import CHIEF, WORKER
from tests.conftest import REPO_ROOT
from tests.support import multi_worker_driver as driver
from tests.support.example_records import fixture_images, write_examples

TIMEOUT_S = 300  # both workers, start to end: under a minute on two idle cores, two on busy ones
# 41 training and 9 eval examples in batches of 8: each split ends with a partial batch, which split
# across two replicas would leave one empty.
N_TRAIN, N_EVAL, BATCH = 41, 9, 8


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _start_workers(tmp_path: Path, job_file: Path) -> dict[str, Path]:
    """Runs the chief and one worker to their end; returns each one's result file."""
    chief_port, worker_port = _free_ports(2)
    cluster = {CHIEF: [f"localhost:{chief_port}"], WORKER: [f"localhost:{worker_port}"]}
    processes: dict[str, subprocess.Popen] = {}
    results: dict[str, Path] = {}
    try:
        for task_type in (CHIEF, WORKER):
            name = f"{task_type}-0"
            results[name] = tmp_path / f"{name}.json"
            scratch = tmp_path / f"tmp-{name}"  # the worker's temporary files, where the test can look
            scratch.mkdir()
            env = {
                **os.environ,
                "TF_USE_LEGACY_KERAS": "1",
                "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": task_type, "index": 0}}),
                "TMPDIR": str(scratch),
                "CUDA_VISIBLE_DEVICES": "",
            }
            with open(tmp_path / f"{name}.log", "w") as log:
                processes[name] = subprocess.Popen(
                    [sys.executable, "-m", "tests.support.multi_worker_driver", str(job_file), str(results[name])],
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        deadline = time.monotonic() + TIMEOUT_S
        for name, process in processes.items():
            try:
                code = process.wait(timeout=max(deadline - time.monotonic(), 1))
            except subprocess.TimeoutExpired:
                code = None
            if code != 0:
                logs = "\n".join(f"--- {n}\n{(tmp_path / f'{n}.log').read_text()[-4000:]}" for n in processes)
                raise AssertionError(f"{name} {'timed out' if code is None else f'exited {code}'}\n{logs}")
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return results


def _write_splits(examples: Path) -> np.ndarray:
    """One file per split, as Transform's input has; returns the images."""
    images, labels = fixture_images(N_TRAIN + N_EVAL, seed=3)
    for split, rows in ((features.TRAIN_SPLIT, slice(0, N_TRAIN)), (features.EVAL_SPLIT, slice(N_TRAIN, None))):
        (examples / f"Split-{split}").mkdir(parents=True)
        write_examples(examples / f"Split-{split}" / "data.tfrecord", images[rows], labels[rows])
    return images


def test_two_workers_train_the_same_model_and_only_the_chief_exports(transform_output, tmp_path: Path):
    outputs = tmp_path / "outputs"
    examples = outputs / "examples"
    images = _write_splits(examples)
    job = {
        driver.EXAMPLES_URI: str(examples),
        driver.TRANSFORM_GRAPH_URI: str(Path(transform_output.transform_savedmodel_dir).parent),
        driver.MODEL_URI: str(outputs / "model"),
        driver.MODEL_RUN_URI: str(outputs / "model_run"),
        driver.TRAINING_CONFIG: TrainingConfig(
            epochs=1,
            batch_size=BATCH,
            learning_rate=1e-3,
            seed=0,
            distribution="multi_worker_mirrored",
            precision="float32",
        ).to_dict(),
        driver.OTHERS_EXPORTED: str(tmp_path / "others-exported"),
    }
    job_file = tmp_path / "job.json"
    job_file.write_text(json.dumps(job))

    results = {name: json.loads(path.read_text()) for name, path in _start_workers(tmp_path, job_file).items()}

    assert {r[driver.TASK] for r in results.values()} == {f"{CHIEF}-0", f"{WORKER}-0"}
    assert [r[driver.REPLICAS_IN_SYNC] for r in results.values()] == [2, 2]
    digests = {r[driver.WEIGHTS_SHA256] for r in results.values()}
    assert len(digests) == 1, "both replicas ended with the same weights"

    serving_model_dir = Path(path_utils.serving_model_dir(job[driver.MODEL_URI]))
    chief, worker = results[f"{CHIEF}-0"], results[f"{WORKER}-0"]
    assert Path(chief[driver.EXPORT_DIR]) == serving_model_dir
    worker_export = Path(worker[driver.EXPORT_DIR])
    assert worker_export.is_relative_to(tmp_path / f"tmp-{WORKER}-0"), "the worker saved to a folder of its own"
    assert not worker_export.exists(), "and removed it"
    assert [p.parent for p in tmp_path.rglob("saved_model.pb")] == [serving_model_dir], "one serving model"

    model_run = outputs / "model_run"
    assert {files.HISTORY_FILE, files.TRAINED_CONFIG_FILE} <= {p.name for p in model_run.iterdir()}
    assert list(model_run.rglob("events.out.tfevents.*")), "the chief's TensorBoard logs"
    assert not list(model_run.glob("workertemp_*")), "the worker's TensorBoard logs are gone"

    served = tf.saved_model.load(str(serving_model_dir)).signatures[features.IMAGES_SIGNATURE]
    predictions = served(**{features.IMAGES_INPUT_KEY: tf.constant(images[:5])})
    probabilities = predictions[features.PROBABILITIES_KEY].numpy()
    assert probabilities.shape == (5, features.NUM_CLASSES)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-4)
    np.testing.assert_array_equal(predictions[features.CLASS_IDS_KEY].numpy(), probabilities.argmax(axis=1))


def test_datasets_shard_by_data_and_batches_are_whole_only_on_several_replicas(transform_output, tmp_path: Path):
    _write_splits(tmp_path)
    files = [[str(tmp_path / f"Split-{split}" / "*")] for split in (features.TRAIN_SPLIT, features.EVAL_SPLIT)]
    config = TrainingConfig(epochs=1, batch_size=BATCH, learning_rate=1e-3, seed=0)

    def batch_sizes(data: tf.data.Dataset, batches: int) -> list[int]:
        return [int(labels.shape[0]) for _, labels in data.take(batches)]

    one = dataset.training_data(*files, transform_output, config)
    assert one.steps_per_epoch == 6 and batch_sizes(one.train_data, 6) == [8] * 5 + [1], "one replica: as before"
    assert batch_sizes(one.eval_data, 9) == [8, 1]
    two = dataset.training_data(*files, transform_output, config, replicas=2)
    assert two.steps_per_epoch == 5 and set(batch_sizes(two.train_data, 15)) == {8}, "whole batches, pass after pass"
    assert batch_sizes(two.eval_data, 9) == [8]
    data_sharding = tf.data.experimental.AutoShardPolicy.DATA  # Transform's one file per split shards by file badly
    for data in (one.train_data, one.eval_data, two.train_data, two.eval_data):
        assert data.options().experimental_distribute.auto_shard_policy == data_sharding
    with pytest.raises(ValueError, match="no examples"):
        dataset.training_data(*files, transform_output, dataclasses.replace(config, batch_size=1), replicas=2)
    with pytest.raises(ValueError, match="at least one whole batch"):
        dataset.training_data(*files, transform_output, dataclasses.replace(config, batch_size=16), replicas=2)
