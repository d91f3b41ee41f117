# Fashion-MNIST TFX pipeline. `make run-pipeline` and `make test` do all the set-up they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# What a run uses; see docs/pipeline.md, "Configuration".
PROFILE     ?= full
DATA_DIR    ?=
OUTPUT_DIR  ?= $(CURDIR)/output
SERVING_DIR ?= $(CURDIR)/serving_model
EPOCHS      ?=
# Beam pipeline options, space-separated, e.g. BEAM_ARGS="--runner=FlinkRunner --flink_master=host:8081"
BEAM_ARGS   ?=
# Any other flag of the runner (python -m pipeline.local.runner --help), e.g. FLAGS="--span-window=2 --accept-drift".
FLAGS       ?=
# The seeds `make bench` trains with, one pipeline run and one plain run each.
BENCH_SEEDS ?= 42 7 1234
# Extra pytest arguments, e.g. PYTEST_ARGS="-k idx".
PYTEST_ARGS ?=

VENV       := $(CURDIR)/.venv
VENV_PY    := $(VENV)/bin/python
UV_VERSION := 0.13.9
# The stamp records which lock file the venv was installed from.
STAMP      := $(VENV)/.installed-$(shell cat requirements.lock setup.py 2>/dev/null | sha256sum | cut -c1-16)
RAW_DIR    := $(CURDIR)/data/raw
# Airflow 3 has a virtualenv of its own (requirements-airflow.in says why); only the Airflow targets need it.
AIRFLOW_VENV   := $(CURDIR)/.venv-airflow
AIRFLOW_PY     := $(AIRFLOW_VENV)/bin/python
AIRFLOW_STAMP  := $(AIRFLOW_VENV)/.installed-$(shell cat requirements-airflow.lock 2>/dev/null | sha256sum | cut -c1-16)
AIRFLOW_PYTHON ?=

# Every value reaches the shell as one word, whatever it holds (spaces, ' " ` \ ; #): $(call q,VALUE) puts it in
# single quotes, each ' in it as '\''. Only a $ is make's own: write $$ for one. FLAGS, ARGS, IMAGES and
# PYTEST_ARGS are several words, passed to the shell as written (quote inside them: IMAGES='"a b.png"').
q = '$(subst ','\'',$(1))'
# Relative paths are relative to the folder make runs in, this checkout ($(CURDIR), under make -C too); $(call
# path,PATH) makes one absolute and quotes it, so that every command, the Airflow scheduler (which runs in
# AIRFLOW_DIR) and the settings `make airflow-dag` prints name the same folder.
abs = $(if $(1),$(if $(filter /%,$(firstword $(1))),$(1),$(CURDIR)/$(1)))
path = $(call q,$(call abs,$(1)))
RUN_ARGS := --profile=$(call q,$(PROFILE)) --output-dir=$(call path,$(OUTPUT_DIR)) \
            --serving-dir=$(call path,$(SERVING_DIR)) --raw-dir=$(call q,$(RAW_DIR)) \
            $(if $(DATA_DIR),--data-dir=$(call path,$(DATA_DIR))) $(if $(EPOCHS),--epochs=$(call q,$(EPOCHS))) \
            $(foreach arg,$(BEAM_ARGS),$(call q,--beam-arg=$(arg))) $(FLAGS)

.PHONY: help setup setup-airflow data spans run-pipeline restore-metadata beam-services beam-services-stop predict inspect report lab tensorboard bench bench-reference docs chromium airflow airflow-dag compile-kubeflow test test-unit test-integration test-e2e lint format lock clean clean-data clean-all

help:
	@echo "make run-pipeline  set up (first time) and run the pipeline  [PROFILE=full|best|smoke|tune DATA_DIR= OUTPUT_DIR= SERVING_DIR= EPOCHS=]"
	@echo "                   FLAGS=\"...\" passes any runner flag: --span-window=K --accept-drift --no-warm-start --warm-start-epochs=N"
	@echo "                   --accuracy-floor=X ... (all: make run-pipeline FLAGS=--help)"
	@echo "                   a relative path is relative to this checkout; any character but \$$ passes (write \$$\$$)"
	@echo "make test          set up (first time) and run every test   [PYTEST_ARGS=]"
	@echo "make restore-metadata  put back the newest sound copy of OUTPUT_DIR's ML Metadata store"
	@echo "make beam-services Beam's portable job service and an SDK worker pool on localhost; prints the BEAM_ARGS"
	@echo "make beam-services-stop  stop them  [BEAM_SERVICES_DIR= BEAM_JOB_PORT= BEAM_WORKER_PORT=]"
	@echo "make predict       IMAGES=\"a.png b.png\" or an IDX file: classify with the newest pushed model  [LITE=1: the TFLite one]"
	@echo "make inspect       runs, per component state and time  [ARGS=\"show [RUN]\" | ARGS=\"lineage VERSION\" | ARGS=--json]"
	@echo "make report        write the HTML report of the latest run [RUN=]"
	@echo "make lab           JupyterLab over the project (notebooks/)  [LAB_IP= LAB_PORT= LAB_BROWSER= LAB_ALLOW_ROOT=]"
	@echo "make tensorboard   TensorBoard on the latest training's logs [TB_HOST= TB_PORT=]"
	@echo "make bench         measure against the performance targets  [PROFILE=full|best|smoke BENCH_SEEDS=\"42 7 1234\"]"
	@echo "make bench-reference  only the machine-speed reference (minutes): training time against today's recipe  [PROFILE=]"
	@echo "make airflow       a local Airflow 3 (scheduler, API server and UI) running the pipeline on a schedule"
	@echo "                   [AIRFLOW_PORT=8080 AIRFLOW_SCHEDULE=@daily|none|\"0 3 * * *\" AIRFLOW_DIR=OUTPUT_DIR/airflow]"
	@echo "make airflow-dag   print the Airflow settings that schedule this pipeline"
	@echo "make compile-kubeflow  write the Kubeflow Pipelines v2 / Vertex AI spec [KFP_IMAGE= KFP_PIPELINE_ROOT= KFP_TRAIN_REPLICAS= KFP_TRAIN_PROJECT=]"
	@echo "make setup         Python 3.10 venv in .venv with the locked dependencies"
	@echo "make setup-airflow Python 3.11 venv in .venv-airflow with the locked Airflow 3  [AIRFLOW_PYTHON=]"
	@echo "make data          fetch and verify Fashion-MNIST into data/raw"
	@echo "make spans         SPANS=3: the training set as span folders, for DATA_DIR  [RELEASE= SPANS_DIR= SPAN_SIZE= ALTER=\"3=invert\"]"
	@echo "make lint          ruff;  make format: ruff format  (make test runs lint and docs first)"
	@echo "make docs          build the documentation site (MkDocs, --strict) into OUTPUT_DIR/site"
	@echo "make lock          re-resolve requirements.in and requirements-airflow.in into their .lock files"
	@echo "make clean         remove outputs (output/); clean-all also removes .venv, .venv-airflow and data/raw"

setup: $(STAMP)

$(STAMP): requirements.lock setup.py
	@set -e; \
	if [ ! -x $(call q,$(VENV_PY)) ] || ! $(call q,$(VENV_PY)) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  py="$$(PYTHON=$(call q,$(PYTHON)) scripts/find-python 3.10 "TFX 1.16 needs Python 3.10 (it does not support 3.11+)")"; \
	  echo $(call q,creating $(VENV) with) "$$py"; \
	  rm -rf $(call q,$(VENV)); "$$py" -m venv $(call q,$(VENV)); \
	fi; \
	$(call q,$(VENV_PY)) -m pip install -q "uv==$(UV_VERSION)"; \
	echo "installing the locked dependencies (about a minute the first time)"; \
	$(call q,$(VENV)/bin/uv) pip sync -q --python $(call q,$(VENV_PY)) requirements.lock; \
	$(call q,$(VENV)/bin/uv) pip install -q --python $(call q,$(VENV_PY)) --no-deps -e .; \
	rm -f $(call q,$(VENV))/.installed-*; touch $(call q,$@)

# Airflow 3's own venv, from requirements-airflow.lock, with the uv of .venv (hence the order-only prerequisite:
# a new TFX lock does not reinstall Airflow). Nothing of the project is installed in it: the DAG file imports only
# Airflow, and its tasks run the TFX venv's Python.
setup-airflow: $(AIRFLOW_STAMP)

$(AIRFLOW_STAMP): requirements-airflow.lock | $(STAMP)
	@set -e; \
	if [ ! -x $(call q,$(AIRFLOW_PY)) ] || ! $(call q,$(AIRFLOW_PY)) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
	  py="$$(PYTHON=$(call q,$(AIRFLOW_PYTHON)) scripts/find-python 3.11 "Airflow 3's venv is made with Python 3.11")"; \
	  echo $(call q,creating $(AIRFLOW_VENV) with) "$$py"; \
	  rm -rf $(call q,$(AIRFLOW_VENV)); $(call q,$(VENV)/bin/uv) venv -q --python "$$py" $(call q,$(AIRFLOW_VENV)); \
	fi; \
	echo "installing Airflow 3's locked dependencies (about a minute the first time)"; \
	$(call q,$(VENV)/bin/uv) pip sync -q --python $(call q,$(AIRFLOW_PY)) requirements-airflow.lock; \
	rm -f $(call q,$(AIRFLOW_VENV))/.installed-*; touch $(call q,$@)

# Verifying the four files takes a second or two, so it runs every time rather than trusting a stamp.
data: $(STAMP)
	@$(call q,$(VENV_PY)) -m data.sources --raw-dir $(call q,$(RAW_DIR))

# The official training set split into SPANS stratified span folders in SPANS_DIR, of which spans 1..RELEASE
# (default all) are written; the same command with a higher RELEASE adds the next ones (data/make_spans.py).
# SPAN_SIZE caps each span; ALTER="3=invert 2=label-skew" puts drift into spans (invert, darken, label-skew).
SPANS     ?=
RELEASE   ?=
SPANS_DIR ?= $(OUTPUT_DIR)/spans
SPAN_SIZE ?=
ALTER     ?=
spans: $(STAMP) data
	$(if $(strip $(SPANS)),,@echo 'usage: make spans SPANS=3 [RELEASE=1 SPANS_DIR= SPAN_SIZE= ALTER="3=invert"]' >&2; exit 2)
	@$(call q,$(VENV_PY)) -m data.make_spans --spans=$(call q,$(SPANS)) --dest=$(call path,$(SPANS_DIR)) \
	  --raw-dir=$(call q,$(RAW_DIR)) $(if $(RELEASE),--release=$(call q,$(RELEASE))) \
	  $(if $(SPAN_SIZE),--span-size=$(call q,$(SPAN_SIZE))) $(foreach item,$(ALTER),$(call q,--alter=$(item)))

run-pipeline: $(STAMP)
	@$(call q,$(VENV_PY)) -m pipeline.local.runner $(RUN_ARGS)

# The runner copies the store into OUTPUT_DIR/metadata-backups/ before each run; this puts the newest sound one back.
restore-metadata: $(STAMP)
	@$(call q,$(VENV_PY)) -m pipeline.metadata.backups --output-dir=$(call path,$(OUTPUT_DIR))

# Beam's own job service and an SDK worker pool, started from this venv with the workers' environment
# (pipeline/local/beam_services.py); their process ids, ports and logs are kept in BEAM_SERVICES_DIR.
BEAM_SERVICES_DIR ?= $(OUTPUT_DIR)/beam-services
BEAM_JOB_PORT     ?= 0
BEAM_WORKER_PORT  ?= 0
beam-services: $(STAMP)
	@$(call q,$(VENV_PY)) -m pipeline.local.beam_services start --dir=$(call path,$(BEAM_SERVICES_DIR)) \
	  --job-port=$(call q,$(BEAM_JOB_PORT)) --worker-port=$(call q,$(BEAM_WORKER_PORT))

beam-services-stop: $(STAMP)
	@$(call q,$(VENV_PY)) -m pipeline.local.beam_services stop --dir=$(call path,$(BEAM_SERVICES_DIR))

# make predict IMAGES="a.png b.png" (or an IDX .gz file): classify with the newest pushed model (LITE=1: the
# on-device TFLite model pushed beside it).
# IMAGES is passed to the shell as written, so a name with spaces is quoted inside it: IMAGES='"a b.png"'.
predict: $(STAMP)
	$(if $(strip $(IMAGES)),,@echo 'usage: make predict IMAGES="a.png b.png" (PNG files or IDX image files)' >&2; exit 2)
	@$(call q,$(VENV_PY)) -m pipeline.predict --profile=$(call q,$(PROFILE)) --serving-dir=$(call path,$(SERVING_DIR)) $(if $(LITE),--lite) $(IMAGES)

# What the runs did, read from ML Metadata (no TensorFlow): make inspect ARGS="show", ARGS="lineage 1795701306".
ARGS ?=
inspect: $(STAMP)
	@$(call q,$(VENV_PY)) -m pipeline.inspection.cli $(or $(ARGS),runs) --output-dir=$(call path,$(OUTPUT_DIR))

RUN ?= latest
report: $(STAMP)
	@$(call q,$(VENV_PY)) -m pipeline.report.page $(call q,$(RUN)) --output-dir=$(call path,$(OUTPUT_DIR))

# JupyterLab with jupyter_config.json; each LAB_ variable overrides it. No browser unless there is a display;
# root may run the server only inside a container (Docker's /.dockerenv, Podman's /run/.containerenv).
LAB_IP         ?=
LAB_PORT       ?=
LAB_BROWSER    ?= $(if $(DISPLAY),true,false)
LAB_ALLOW_ROOT ?= $(shell if [ -f /.dockerenv ] || [ -f /run/.containerenv ]; then echo true; else echo false; fi)
lab: $(STAMP)
	@$(call q,$(VENV)/bin/jupyter) lab --config=$(call q,$(CURDIR)/jupyter_config.json) --ServerApp.root_dir=$(call q,$(CURDIR)) \
	  $(if $(LAB_IP),--ServerApp.ip=$(call q,$(LAB_IP))) $(if $(LAB_PORT),--ServerApp.port=$(call q,$(LAB_PORT))) \
	  --ServerApp.open_browser=$(call q,$(LAB_BROWSER)) --ServerApp.allow_root=$(call q,$(LAB_ALLOW_ROOT))

TB_HOST ?= 127.0.0.1
TB_PORT ?= 6006
tensorboard: $(STAMP)
	@logdir="$$($(call q,$(VENV_PY)) -m pipeline.inspection.cli logdir --output-dir=$(call path,$(OUTPUT_DIR)))" && \
	  echo "TensorBoard on $$logdir: "$(call q,http://$(TB_HOST):$(TB_PORT)/) && \
	  $(call q,$(VENV)/bin/tensorboard) --logdir "$$logdir" --host $(call q,$(TB_HOST)) --port $(call q,$(TB_PORT))

# Benchmarks against the performance targets: writes $(OUTPUT_DIR)/bench/bench.json and bench.md.
bench: $(STAMP) data
	@$(call q,$(VENV_PY)) -m bench.run --profile=$(call q,$(PROFILE)) --output-dir=$(call path,$(OUTPUT_DIR)/bench) \
	  --seeds $(foreach seed,$(BENCH_SEEDS),$(call q,$(seed)))

# The machine-speed reference alone (no training, no pipeline): writes $(OUTPUT_DIR)/bench-reference/, leaving a
# whole bench's $(OUTPUT_DIR)/bench/ as it is.
bench-reference: $(STAMP)
	@$(call q,$(VENV_PY)) -m bench.run --profile=$(call q,$(PROFILE)) --reference-only \
	  --output-dir=$(call path,$(OUTPUT_DIR)/bench-reference)

# The report's browser test drives Debian's Chromium; installed here where missing.
chromium:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the report's browser test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium >/dev/null; \
	  else sudo apt-get install -y -q chromium >/dev/null; fi; } || \
	  { echo "error: cannot install chromium (apt-get install chromium); the report's browser test needs it" >&2; exit 1; }

# A local Airflow 3 (scheduler, DAG processor, API server and UI, triggerer; LocalExecutor on SQLite) in AIRFLOW_DIR,
# from its own virtualenv, scheduling the pipeline with this Makefile's settings (PROFILE, DATA_DIR, FLAGS, ...);
# Ctrl-C stops it and every task it runs (pipeline/airflow/local.py).
AIRFLOW_PORT     ?= 8080
AIRFLOW_SCHEDULE ?= @daily
AIRFLOW_DIR      ?= $(OUTPUT_DIR)/airflow
airflow: $(STAMP) data setup-airflow
	@$(call q,$(VENV_PY)) -m pipeline.airflow.local --home=$(call path,$(AIRFLOW_DIR)) --port=$(call q,$(AIRFLOW_PORT)) \
	  --schedule=$(call q,$(AIRFLOW_SCHEDULE)) --venv=$(call q,$(AIRFLOW_VENV)) --pipeline-args=$(call q,$(RUN_ARGS))

# Airflow 3 of your own: writes the DAG's shape in AIRFLOW_DIR/shape and prints the settings that schedule it.
airflow-dag: $(STAMP)
	@$(call q,$(VENV_PY)) -m pipeline.airflow.local --print-settings --home=$(call path,$(AIRFLOW_DIR)) \
	  --schedule=$(call q,$(AIRFLOW_SCHEDULE)) --pipeline-args=$(call q,$(RUN_ARGS))

# Kubeflow Pipelines v2 / Vertex AI: the pipeline spec, for the image built from ./Dockerfile.
KFP_IMAGE         ?= fashion-mnist-tfx:latest
KFP_PIPELINE_ROOT ?= gs://YOUR_BUCKET/fashion-mnist
KFP_INPUT_BASE    ?=
KFP_OUTPUT        ?= $(OUTPUT_DIR)/kubeflow/fashion_mnist_pipeline.json
# Training machines: above 1, the Trainer is a Vertex AI job of a chief and KFP_TRAIN_REPLICAS-1 workers
# (multi_worker_mirrored) in KFP_TRAIN_PROJECT; region, machine type and image: pipeline/kubeflow/runner.py.
KFP_TRAIN_REPLICAS     ?= 1
KFP_TRAIN_PROJECT      ?=
KFP_TRAIN_REGION       ?=
KFP_TRAIN_MACHINE_TYPE ?=
KFP_TRAIN_IMAGE        ?=
compile-kubeflow: $(STAMP) data
	@$(call q,$(VENV_PY)) -m pipeline.kubeflow.runner --image=$(call q,$(KFP_IMAGE)) \
	  --pipeline-root=$(call q,$(KFP_PIPELINE_ROOT)) --output-file=$(call path,$(KFP_OUTPUT)) \
	  $(if $(KFP_INPUT_BASE),--input-base=$(call q,$(KFP_INPUT_BASE))) --train-replicas=$(call q,$(KFP_TRAIN_REPLICAS)) \
	  $(if $(KFP_TRAIN_PROJECT),--train-project=$(call q,$(KFP_TRAIN_PROJECT))) \
	  $(if $(KFP_TRAIN_REGION),--train-region=$(call q,$(KFP_TRAIN_REGION))) \
	  $(if $(KFP_TRAIN_MACHINE_TYPE),--train-machine-type=$(call q,$(KFP_TRAIN_MACHINE_TYPE))) \
	  $(if $(KFP_TRAIN_IMAGE),--train-image=$(call q,$(KFP_TRAIN_IMAGE))) $(RUN_ARGS)

# Lint and the documentation site first: a style slip or a broken link fails in seconds, not after the suite.
test: $(STAMP) setup-airflow lint docs data chromium
	@$(call q,$(VENV_PY)) -m pytest $(PYTEST_ARGS)

test-unit: $(STAMP) setup-airflow
	@$(call q,$(VENV_PY)) -m pytest tests/unit $(PYTEST_ARGS)

test-integration: $(STAMP) data
	@$(call q,$(VENV_PY)) -m pytest tests/integration $(PYTEST_ARGS)

test-e2e: $(STAMP) setup-airflow data chromium
	@$(call q,$(VENV_PY)) -m pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	@$(call q,$(VENV)/bin/ruff) check . && $(call q,$(VENV)/bin/ruff) format --check .

# The documentation site (mkdocs.yml, docs/): --strict fails on a broken link or anchor.
docs: $(STAMP)
	@$(call q,$(VENV)/bin/mkdocs) build --strict --quiet --site-dir $(call path,$(OUTPUT_DIR)/site) && \
	  echo docs: $(call path,$(OUTPUT_DIR)/site/index.html)

format: $(STAMP)
	@$(call q,$(VENV)/bin/ruff) format . && $(call q,$(VENV)/bin/ruff) check --fix .

lock: $(STAMP)
	$(call q,$(VENV)/bin/uv) pip compile requirements.in -o requirements.lock --python-version 3.10 \
	  --python-platform x86_64-manylinux_2_28 --no-header --quiet
	$(call q,$(VENV)/bin/uv) pip compile requirements-airflow.in -o requirements-airflow.lock --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --no-header --quiet

clean:
	rm -rf $(call path,$(OUTPUT_DIR)) .pytest_cache .ruff_cache build *.egg-info

clean-data:
	rm -rf $(call q,$(RAW_DIR))

clean-all: clean clean-data
	rm -rf $(call q,$(VENV)) $(call q,$(AIRFLOW_VENV))
