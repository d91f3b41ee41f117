# The image Kubeflow Pipelines / Vertex AI runs every component in (`make compile-kubeflow` names it), and the
# SDK container of Beam's workers on Flink, Spark or Dataflow (--environment_type=DOCKER
# --environment_config=IMAGE, or --sdk_container_image=IMAGE): the same packages and the same environment
# (TF_USE_LEGACY_KERAS=1) wherever a component's code runs.
# Built from the same lock file as the local venv, so both run the same packages.
#   docker build -t REGISTRY/fashion-mnist-tfx:TAG .
FROM python:3.10-slim

# TF Transform and TFMA 1.16 need Keras 2: set before any component imports TensorFlow.
ENV TF_USE_LEGACY_KERAS=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /pipeline
COPY requirements.lock ./
RUN pip install --no-cache-dir uv==0.13.9 \
 && uv pip install --system --no-cache -r requirements.lock

# The project at /pipeline (pipeline/kubeflow/runner.py's IMAGE_PROJECT_DIR): the executors load
# components.* by dotted path, and ImportSchemaGen reads /pipeline/data/schema/schema.pbtxt.
COPY setup.py ./
COPY components/ components/
COPY data/ data/
COPY pipeline/ pipeline/
RUN uv pip install --system --no-deps -e .

# Beam's SDK worker boot program, from Beam's own SDK image of the pinned version: a Beam runner starts the
# container with it. Kubeflow sets each step's command, which replaces this entrypoint.
COPY --from=apache/beam_python3.10_sdk:2.59.0 /opt/apache/beam /opt/apache/beam
ENTRYPOINT ["/opt/apache/beam/boot"]

# Kubeflow's spec sets each step's command (python -m tfx.orchestration.kubeflow.v2.container.kubeflow_v2_run_executor).
