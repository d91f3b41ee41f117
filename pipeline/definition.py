"""``create_pipeline``: the one pipeline definition every runner builds."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ml_metadata.proto import metadata_store_pb2
from tfx.components import Evaluator, ExampleValidator, StatisticsGen, Trainer, Transform, Tuner
from tfx.components.schema_gen.import_schema_gen.component import ImportSchemaGen
from tfx.dsl.components.common.resolver import Resolver
from tfx.dsl.input_resolution.strategies.latest_blessed_model_strategy import LatestBlessedModelStrategy
from tfx.orchestration import pipeline as tfx_pipeline
from tfx.proto import trainer_pb2
from tfx.types import Channel, standard_artifacts

from components import baseline, eval_config, features, hparams, properties
from components.anomaly_gate.component import AnomalyGate
from components.ingestion.component import FashionMnistExampleGen
from components.pusher.component import AtomicPusher
from components.serving_canary.component import ServingCanary
from pipeline import nodes, provenance
from pipeline.config import PipelineConfig
from pipeline.fingerprint import source_fingerprint
from pipeline.vertex_training import VertexTraining

PREPROCESSING_FN = "components.transform.preprocessing_fn"
RUN_FN = "components.trainer.run_fn"
TUNER_FN = "components.tuning.tuner_fn"
# Where the Evaluator finds custom_eval_shared_model: TFMA's loader, checking Keras 2 on the worker that loads.
EVAL_MODEL_MODULE = "components.eval_model"


def create_pipeline(
    config: PipelineConfig,
    *,
    input_base: str,
    input_sha256: Mapping[str, str],
    metadata_connection_config: metadata_store_pb2.ConnectionConfig | None = None,
    exclude_candidate_from_baseline: bool = True,
    vertex_training: VertexTraining | None = None,
) -> tfx_pipeline.Pipeline:
    """Builds the Fashion-MNIST pipeline.

    What differs between orchestrators (the pipeline's name and root, the schema's path, the Beam
    options) is in ``config``: a runner passes ``dataclasses.replace(config, ...)``.

    Args:
      config: the run's configuration.
      input_base: folder holding the four IDX files.
      input_sha256: SHA-256 of each file's decompressed content, from the pre-flight check.
      metadata_connection_config: the ML Metadata store, where the runner needs one.
      exclude_candidate_from_baseline: the baseline is the latest blessed model other than the
        candidate (components/baseline.py), so an unchanged rerun is fully cached. Kubeflow's v2
        compiler supports only TFX's own resolver strategies: there it is TFX's latest blessed model.
      vertex_training: train on several Vertex AI machines (Kubeflow / Vertex AI only); the
        configuration's distribution becomes ``multi_worker_mirrored``.
    """
    trainer_class, trainer_job_config = Trainer, {}
    if vertex_training:
        # Imported here: the extension pulls in google.cloud.aiplatform, which no other runner needs.
        from tfx.extensions.google_cloud_ai_platform.trainer.component import Trainer as VertexTrainer

        training = dataclasses.replace(config.training, distribution="multi_worker_mirrored")
        config = dataclasses.replace(config, training=training)
        trainer_class, trainer_job_config = VertexTrainer, vertex_training.trainer_custom_config()
    example_gen = FashionMnistExampleGen(
        input_base=input_base,
        input_sha256=dict(input_sha256),
        eval_count=config.eval_count,
        seed=config.training.seed,
        train_limit=config.train_limit,
        test_limit=config.test_limit,
        code_fingerprint=source_fingerprint(["components.ingestion.executor"]),
    ).with_id(nodes.EXAMPLE_GEN)
    examples = example_gen.outputs["examples"]
    schema_gen = ImportSchemaGen(schema_file=config.schema_file).with_id(nodes.SCHEMA_GEN)
    schema = schema_gen.outputs["schema"]
    statistics_gen = StatisticsGen(examples=examples, schema=schema).with_id(nodes.STATISTICS_GEN)
    example_validator = ExampleValidator(statistics=statistics_gen.outputs["statistics"], schema=schema).with_id(
        nodes.EXAMPLE_VALIDATOR
    )
    anomaly_gate = AnomalyGate(
        anomalies=example_validator.outputs["anomalies"],
        statistics=statistics_gen.outputs["statistics"],
        code_fingerprint=source_fingerprint(["components.anomaly_gate.executor"]),
    ).with_id(nodes.DATA_GATE)

    transform = Transform(
        examples=examples,
        schema=schema,
        preprocessing_fn=PREPROCESSING_FN,
        # The transform is a cheap per-example decode: applying it inside
        # training and serving beats writing 70,000 float images to disk.
        materialize=False,
        disable_statistics=True,
        custom_config={properties.CODE_FINGERPRINT_KEY: source_fingerprint([PREPROCESSING_FN.rpartition(".")[0]])},
    ).with_id(nodes.TRANSFORM)
    transform.add_upstream_node(anomaly_gate)

    # What the Tuner's trials and the Trainer both train on.
    training_inputs = {
        "examples": examples,
        "transform_graph": transform.outputs["transform_graph"],
        "schema": schema,
        "train_args": trainer_pb2.TrainArgs(splits=[features.TRAIN_SPLIT]),
        "eval_args": trainer_pb2.EvalArgs(splits=[features.EVAL_SPLIT]),
    }
    tuner = None
    if config.tune_trials:
        tuner = Tuner(
            tuner_fn=TUNER_FN,
            **training_inputs,
            custom_config={
                hparams.TRAINING_CONFIG_KEY: config.training.to_dict(),
                hparams.TUNE_TRIALS_KEY: config.tune_trials,
                hparams.TUNE_EPOCHS_KEY: config.tune_epochs,
                properties.CODE_FINGERPRINT_KEY: source_fingerprint([TUNER_FN.rpartition(".")[0]]),
            },
        ).with_id(nodes.TUNER)

    trainer = trainer_class(
        run_fn=RUN_FN,
        hyperparameters=tuner.outputs["best_hyperparameters"] if tuner else None,
        **training_inputs,
        custom_config={
            hparams.TRAINING_CONFIG_KEY: config.training.to_dict(),
            properties.CODE_FINGERPRINT_KEY: source_fingerprint([RUN_FN.rpartition(".")[0]]),
            **trainer_job_config,
        },
    ).with_id(nodes.TRAINER)

    strategy_class, candidate = LatestBlessedModelStrategy, {}
    if exclude_candidate_from_baseline:
        strategy_class = baseline.LatestBlessedOtherModelStrategy
        candidate = {baseline.CANDIDATE_KEY: trainer.outputs["model"]}
    baseline_resolver = Resolver(
        strategy_class=strategy_class,
        **candidate,
        model=Channel(type=standard_artifacts.Model),
        model_blessing=Channel(type=standard_artifacts.ModelBlessing),
    ).with_id(nodes.BASELINE_RESOLVER)

    evaluator = Evaluator(
        examples=examples,
        model=trainer.outputs["model"],
        baseline_model=baseline_resolver.outputs["model"],
        eval_config=eval_config.build_eval_config(
            accuracy_floor=config.accuracy_floor,
            class_accuracy_floor=config.class_accuracy_floor,
            max_accuracy_drop=config.max_accuracy_drop,
        ),
        example_splits=[features.TEST_SPLIT],
        module_path=EVAL_MODEL_MODULE,
    ).with_id(nodes.EVALUATOR)

    # Loads the candidate as a server would and runs canary requests through both signatures.
    serving_canary = ServingCanary(
        model=trainer.outputs["model"],
        examples=examples,
        split=features.TEST_SPLIT,
        code_fingerprint=source_fingerprint(["components.serving_canary.executor"]),
    ).with_id(nodes.CANARY)

    pusher = AtomicPusher(
        model=trainer.outputs["model"],
        model_blessing=evaluator.outputs["blessing"],
        infra_blessing=serving_canary.outputs["blessing"],
        model_evaluation=evaluator.outputs["evaluation"],
        base_directory=str(config.model_serving_dir),
        # For the model card. The commit changes with every commit, so only the
        # (cheap) Pusher re-runs; the fingerprints above decide what retrains.
        provenance={
            "data": {"input_base": input_base, "sha256": dict(input_sha256)},
            "code": provenance.code_version(),
            "config": provenance.config_record(config),
        },
        code_fingerprint=source_fingerprint(["components.pusher.executor"]),
    ).with_id(nodes.PUSHER)

    return tfx_pipeline.Pipeline(
        pipeline_name=config.tfx_pipeline_name,
        pipeline_root=config.artifact_root_uri,
        components=[
            example_gen,
            schema_gen,
            statistics_gen,
            example_validator,
            anomaly_gate,
            transform,
            *([tuner] if tuner else []),
            trainer,
            baseline_resolver,
            evaluator,
            serving_canary,
            pusher,
        ],
        enable_cache=True,
        metadata_connection_config=metadata_connection_config,
        beam_pipeline_args=list(config.beam_args),
    )
