"""Training on several workers: who exports, where each worker writes, and how Vertex AI is asked for them.

Pure decisions, no TensorFlow. TensorFlow reads ``TF_CONFIG`` (through the strategy's cluster
resolver, ``devices.worker_role``); the functions here decide from what it found.

Under ``MultiWorkerMirroredStrategy`` every worker runs the same ``run_fn`` to the end, saving
included, but only the chief's files may land where readers look: the serving model, the curves,
the TensorBoard logs. TensorFlow asks every worker to save because saving distributed variables
runs collective ops; the model exported here is a float32 copy built outside the strategy, whose
save measured no collective op, but the rule keeps an export of the distributed model safe too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

# TF_CONFIG's task types of a MultiWorkerMirroredStrategy cluster.
CHIEF = "chief"
WORKER = "worker"


@dataclasses.dataclass(frozen=True)
class WorkerRole:
    """This process's place in the training cluster.

    Attributes:
      task_type: ``chief``, ``worker``, ...; None when training is not multi-worker (no TF_CONFIG).
      task_id: the index among the tasks of ``task_type``.
      cluster_jobs: the task types the cluster has.
    """

    task_type: str | None = None
    task_id: int = 0
    cluster_jobs: frozenset[str] = frozenset()

    @property
    def in_cluster(self) -> bool:
        return self.task_type is not None

    @property
    def is_chief(self) -> bool:
        return is_chief(self.task_type, self.task_id, self.cluster_jobs)

    @property
    def name(self) -> str:
        """``chief-0``, ``worker-1``, ...; ``single`` out of a cluster."""
        return "single" if self.task_type is None else f"{self.task_type}-{self.task_id}"


def is_chief(task_type: str | None, task_id: int, cluster_jobs: Collection[str]) -> bool:
    """TensorFlow's convention: the ``chief`` task, or worker 0 of a cluster without one; a lone process."""
    if task_type is None or task_type == CHIEF:
        return True
    return task_type == WORKER and task_id == 0 and CHIEF not in cluster_jobs


def export_dir(role: WorkerRole, *, serving_model_dir: str, scratch_dir: str) -> str:
    """Where ``role`` saves the serving model: the chief where the Trainer's readers look.

    Every other worker saves into ``scratch_dir`` (a temporary folder of its own, removed after),
    never anywhere under the Trainer's output: the executor's check that ``serving_model_dir``
    exists must see the chief's model, not a worker's leftovers.
    """
    if role.is_chief:
        return serving_model_dir
    return f"{scratch_dir.rstrip('/')}/{role.name}"


def vertex_worker_pool_specs(*, replicas: int, image: str, machine_type: str) -> list[dict[str, Any]]:
    """Vertex AI CustomJob worker pools for ``replicas`` training machines: a chief and ``replicas - 1`` workers.

    Vertex AI sets TF_CONFIG from the pools: the first is the ``chief`` task, the second the ``worker``
    tasks. TFX's training extension sets each pool's command (its own executor runner); the image
    must hold this project (the Dockerfile's, which also sets TF_USE_LEGACY_KERAS).
    """
    if replicas < 2:
        raise ValueError(f"a multi-worker job needs at least 2 replicas, got {replicas}")

    def pool(count: int) -> dict[str, Any]:
        return {
            "machine_spec": {"machine_type": machine_type},
            "replica_count": count,
            "container_spec": {"image_uri": image},
        }

    return [pool(1), pool(replicas - 1)]
