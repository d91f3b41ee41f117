"""The Trainer as a Vertex AI training job on several machines: ``make compile-kubeflow KFP_TRAIN_REPLICAS=N``.

Only a Kubeflow / Vertex AI spec uses it: TFX's Vertex AI training extension starts a
custom job of a chief and ``N - 1`` workers, which train with ``multi_worker_mirrored``.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from components.training import workers

DEFAULT_REGION = "us-central1"
DEFAULT_MACHINE_TYPE = "n1-standard-4"
MAX_REPLICAS = 64


@dataclasses.dataclass(frozen=True)
class VertexTraining:
    """The Trainer as a Vertex AI training job on several machines: a chief and ``replicas - 1`` workers.

    Only a Kubeflow / Vertex AI spec can use it (TFX's Vertex AI training extension starts the job);
    the Trainer then trains with ``multi_worker_mirrored``.

    Attributes:
      replicas: machines that train together, at least 2.
      project: the Google Cloud project the training job runs in.
      region: its Vertex AI region.
      image: what every machine runs: the image of this repository's Dockerfile.
      machine_type: each machine's Compute Engine machine type.
    """

    replicas: int
    project: str
    region: str
    image: str
    machine_type: str

    def trainer_custom_config(self) -> dict[str, Any]:
        """The extension's keys of the Trainer's custom_config: the job, its region, Vertex AI rather than CAIP."""
        from tfx.extensions.google_cloud_ai_platform import constants
        from tfx.extensions.google_cloud_ai_platform.trainer import executor

        pools = workers.vertex_worker_pool_specs(
            replicas=self.replicas, image=self.image, machine_type=self.machine_type
        )
        return {
            constants.ENABLE_VERTEX_KEY: True,
            constants.VERTEX_REGION_KEY: self.region,
            executor.TRAINING_ARGS_KEY: {"project": self.project, "job_spec": {"worker_pool_specs": pools}},
        }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--train-*`` flags of the Kubeflow runner."""
    parser.add_argument("--train-replicas", type=int, default=1, help="machines the Trainer trains on (default 1)")
    parser.add_argument("--train-project", help="the training job's Google Cloud project (for --train-replicas > 1)")
    parser.add_argument("--train-region", default=DEFAULT_REGION, help="the training job's Vertex AI region")
    parser.add_argument("--train-image", help="the training machines' image (default: --image)")
    parser.add_argument("--train-machine-type", default=DEFAULT_MACHINE_TYPE)


def check_arguments(args: argparse.Namespace) -> str | None:
    """What is wrong with the --train-* flags, if anything."""
    if not 1 <= args.train_replicas <= MAX_REPLICAS:
        return f"--train-replicas must be within [1, {MAX_REPLICAS}], got {args.train_replicas}"
    if args.train_replicas > 1 and not args.train_project:
        return "--train-replicas above 1 starts a Vertex AI training job: give its --train-project"
    return None


def from_arguments(args: argparse.Namespace, *, default_image: str) -> VertexTraining | None:
    """The training job the checked --train-* flags ask for; None for training in the Trainer's own step."""
    if args.train_replicas <= 1:
        return None
    return VertexTraining(
        replicas=args.train_replicas,
        project=args.train_project,
        region=args.train_region,
        image=args.train_image or default_image,
        machine_type=args.train_machine_type,
    )
