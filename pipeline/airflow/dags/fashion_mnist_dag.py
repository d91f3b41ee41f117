"""Airflow DAG of the Fashion-MNIST pipeline: the same create_pipeline as `make run-pipeline`.

Point Airflow's ``dags_folder`` at this folder (``make airflow-dag`` prints the
settings). Configured at the edge, by environment variables of the Airflow
processes:

  FASHION_MNIST_PIPELINE_ARGS  the local runner's flags, e.g. "--profile=smoke --output-dir=/srv/fmnist"
  FASHION_MNIST_SCHEDULE       an Airflow schedule (default "@daily"; "none": triggered runs only)

Runs never catch up and never overlap; tasks retry with back-off, except where the
data stopped the run (pipeline/airflow/tasks.py). `make airflow` starts a local
scheduler and web server over this folder (pipeline/airflow/local.py).

This file imports only what it uses (never ``tfx.v1``, whose extensions pull in
google.cloud.aiplatform), but TFX and TensorFlow still take tens of seconds to
import: Airflow's ``dagbag_import_timeout`` must be raised (see airflow.env).
"""

import os
import shlex

from components import legacy_keras

legacy_keras.use_legacy_keras()

from airflow import models as airflow_models  # noqa: E402
from tfx.orchestration import metadata  # noqa: E402
from tfx.orchestration.airflow.airflow_dag_runner import AirflowDagRunner, AirflowPipelineConfig  # noqa: E402

from data import manifest  # noqa: E402
from pipeline.airflow import tasks  # noqa: E402
from pipeline.airflow.settings import DEFAULT_SCHEDULE, PIPELINE_ARGS_ENV, SCHEDULE_ENV, parse_schedule  # noqa: E402
from pipeline.config import parse_args  # noqa: E402
from pipeline.definition.arrivals import spans_to_ingest  # noqa: E402
from pipeline.definition.pipeline import create_pipeline  # noqa: E402


def build_dag() -> airflow_models.DAG:
    """Parses the configuration, finds the spans in the data folder and what to ingest, and returns the DAG.

    Airflow parses the file again before each task, so a run picks up the spans there are when it
    starts. The hashes come from the manifest of the last check while the files are unchanged, so a
    parse does not decompress and hash every file every time (data/manifest.py).
    """
    config = parse_args(shlex.split(os.environ.get(PIPELINE_ARGS_ENV, "")))
    dataset = manifest.locate(data_dir=config.data_dir, raw_dir=config.raw_dir, manifest_path=config.data_manifest_path)
    arrival = spans_to_ingest(dataset, config.metadata_path, config.tfx_pipeline_name)
    tfx_pipeline = create_pipeline(
        config,
        dataset=dataset,
        spans_to_ingest=arrival.spans,
        metadata_connection_config=metadata.sqlite_metadata_connection_config(str(config.metadata_path)),
        # TFX's Airflow runner names artifacts "<output key>:<run id>": a second Evaluator's would clash.
        on_device=False,
    )
    schedule = parse_schedule(os.environ.get(SCHEDULE_ENV, DEFAULT_SCHEDULE))
    airflow_config = tasks.dag_settings(schedule)
    dag = AirflowDagRunner(AirflowPipelineConfig(airflow_dag_config=airflow_config)).run(tfx_pipeline)
    tasks.apply(dag, metadata_path=config.metadata_path, pipeline_name=config.tfx_pipeline_name)
    return dag


DAG = build_dag()
