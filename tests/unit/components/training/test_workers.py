"""components/training/workers.py: who is the chief, where each worker exports, what Vertex AI is asked for."""

import pytest

from components.training import workers
from components.training.workers import CHIEF, WORKER, WorkerRole


@pytest.mark.parametrize(
    ("task_type", "task_id", "jobs", "chief"),
    [
        (None, 0, set(), True),  # one process, no TF_CONFIG
        (CHIEF, 0, {CHIEF, WORKER}, True),
        (WORKER, 0, {CHIEF, WORKER}, False),  # a cluster with a chief: worker 0 is just a worker
        (WORKER, 1, {CHIEF, WORKER}, False),
        (WORKER, 0, {WORKER}, True),  # no chief: worker 0 is the chief
        (WORKER, 1, {WORKER}, False),
        ("evaluator", 0, {WORKER}, False),
    ],
)
def test_the_chief_is_the_chief_task_or_worker_0_without_one(task_type, task_id, jobs, chief):
    assert workers.is_chief(task_type, task_id, jobs) is chief
    assert WorkerRole(task_type, task_id, frozenset(jobs)).is_chief is chief


def test_a_role_names_its_task():
    assert WorkerRole().name == "single" and not WorkerRole().in_cluster
    assert WorkerRole(WORKER, 2, frozenset({WORKER})).name == "worker-2"


def test_only_the_chief_exports_to_the_serving_model_dir():
    cluster = frozenset({CHIEF, WORKER})
    where = {"serving_model_dir": "gs://b/model/Format-Serving", "scratch_dir": "/tmp/serving-model-x/"}
    assert workers.export_dir(WorkerRole(), **where) == "gs://b/model/Format-Serving"
    assert workers.export_dir(WorkerRole(CHIEF, 0, cluster), **where) == "gs://b/model/Format-Serving"
    others = {workers.export_dir(WorkerRole(WORKER, i, cluster), **where) for i in (0, 1)}
    assert others == {"/tmp/serving-model-x/worker-0", "/tmp/serving-model-x/worker-1"}


def test_vertex_pools_are_one_chief_and_the_other_workers():
    chief, others = workers.vertex_worker_pool_specs(replicas=3, image="img:1", machine_type="n1-standard-8")
    assert chief["replica_count"] == 1 and others["replica_count"] == 2
    for pool in (chief, others):
        assert pool["machine_spec"] == {"machine_type": "n1-standard-8"}
        assert pool["container_spec"] == {"image_uri": "img:1"}
    with pytest.raises(ValueError, match="at least 2"):
        workers.vertex_worker_pool_specs(replicas=1, image="img:1", machine_type="n1-standard-8")
