"""Compiles the pipeline for Kubeflow Pipelines v2 and Vertex AI Pipelines: ``make compile-kubeflow``.

Writes the pipeline spec JSON with TFX's KubeflowV2DagRunner, from the same
``create_pipeline`` as every other runner. The test set is verified here, from a
local copy, and its hashes go into the spec; ``--input-base`` says where the data
folder is for the cluster (for example a gs:// folder). The spec is compiled once
and scheduled many times, so its ingestion step takes every span it finds there
when a run starts (uncached), and checks each file as it reads it.

``--train-replicas N`` (N > 1) makes the Trainer a Vertex AI training job on N machines, a chief
and N - 1 workers, through TFX's Vertex AI training extension; the default, 1, trains in the
Trainer's own step.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from components import legacy_keras
from data import idx, sources, spans
from pipeline import node_ids
from pipeline.config import REPO_ROOT, ArgumentParser, ConfigError, parse_args
from pipeline.definition import vertex_training

# Where the Dockerfile puts the project inside the image.
IMAGE_PROJECT_DIR = "/pipeline"
DEFAULT_IMAGE = "fashion-mnist-tfx:latest"


def in_image_path(text: str) -> str:
    """``text`` with paths into this checkout made paths into the image."""
    return text.replace(str(REPO_ROOT), IMAGE_PROJECT_DIR)


def kubeflow_name(name: str) -> str:
    """Kubeflow pipeline names match [a-z0-9][a-z0-9-]*."""
    return name.replace("_", "-")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    parser.add_argument("--image", default=DEFAULT_IMAGE, help="the image built from this repository's Dockerfile")
    parser.add_argument("--pipeline-root", required=True, help="artifact root, e.g. gs://bucket/fashion-mnist")
    parser.add_argument("--input-base", help="where the cluster reads the four IDX files (default: the local copy)")
    parser.add_argument("--output-file", type=Path, required=True)
    vertex_training.add_arguments(parser)
    return parser


def compile_spec(argv: Sequence[str]) -> Path:
    """Compiles the spec; the arguments not listed above are the local runner's (profile, epochs, ...)."""
    parser = build_parser()
    args, pipeline_args = parser.parse_known_args(argv)
    problem = vertex_training.check_arguments(args)
    if problem:
        parser.error(problem)
    config = parse_args(pipeline_args)
    dataset = spans.locate(data_dir=config.data_dir, raw_dir=config.raw_dir, allow_apt=False, allow_download=False)

    from tfx.orchestration.kubeflow.v2 import kubeflow_v2_dag_runner

    from pipeline.definition.pipeline import create_pipeline

    in_image = dataclasses.replace(
        config,
        pipeline_name=kubeflow_name(config.model_name),
        artifact_root=args.pipeline_root,
        # Paths into this checkout (the schema, the default --setup_file) are paths into the image there.
        schema_file=in_image_path(config.schema_file),
        beam_args=tuple(in_image_path(arg) for arg in config.beam_args),
    )
    tfx_pipeline = create_pipeline(
        in_image,
        dataset=dataset,
        input_base=args.input_base,
        # None named: the ExampleGen ingests every span in the data location when each run starts (the spec
        # is compiled once). The v2 compiler knows only TFX's own resolver strategies.
        spans_to_ingest={},
        custom_resolvers=False,
        vertex_training=vertex_training.from_arguments(args, default_image=args.image),
    )
    args.output_file.parent.mkdir(parents=True, exist_ok=True)
    runner = kubeflow_v2_dag_runner.KubeflowV2DagRunner(
        config=kubeflow_v2_dag_runner.KubeflowV2DagRunnerConfig(default_image=args.image),
        output_dir=str(args.output_file.parent),
        output_filename=args.output_file.name,
    )
    runner.run(tfx_pipeline, write_out=True)
    ingest_at_run_time(args.output_file)
    return args.output_file


def ingest_at_run_time(spec_file: Path) -> None:
    """Turns Kubeflow's cache off for the ExampleGen, whose inputs are the same in every run of the spec while
    the spans it finds in the data location are not; every task after it sees new artifacts, and so runs."""
    job = json.loads(spec_file.read_text())
    job["pipelineSpec"]["root"]["dag"]["tasks"][node_ids.EXAMPLE_GEN]["cachingOptions"] = {"enableCache": False}
    spec_file.write_text(json.dumps(job, indent=2, sort_keys=True))


def main(argv: Sequence[str] | None = None) -> int:
    legacy_keras.use_legacy_keras()
    try:
        path = compile_spec(sys.argv[1:] if argv is None else argv)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (idx.IdxError, sources.DataSourceError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
