"""``create_pipeline``: the one pipeline definition every runner builds."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ml_metadata.proto import metadata_store_pb2
from tfx.components import Evaluator, Trainer, Transform, Tuner
from tfx.dsl.components.base import base_node
from tfx.dsl.components.common.resolver import Resolver
from tfx.dsl.input_resolution.strategies.latest_blessed_model_strategy import LatestBlessedModelStrategy
from tfx.orchestration import pipeline as tfx_pipeline
from tfx.proto import trainer_pb2
from tfx.types import Channel, standard_artifacts

from components.contract import features, keys
from components.evaluation import eval_config
from components.lite_conversion.component import LiteConverter
from components.pusher.component import AtomicPusher
from components.resolvers import baseline_model_strategy
from components.resolvers.warm_start_model_strategy import WarmStartModelStrategy
from components.serving_canary.component import ServingCanary
from data.spans import SpannedDataset
from pipeline import node_ids
from pipeline.config import PipelineConfig
from pipeline.definition import data_nodes, provenance
from pipeline.definition.fingerprint import source_fingerprint
from pipeline.definition.vertex_training import VertexTraining

PREPROCESSING_FN = "components.training.preprocessing.preprocessing_fn"
RUN_FN = "components.training.trainer.run_fn"
TUNER_FN = "components.training.tuner.tuner_fn"
# Where the Evaluator finds custom_eval_shared_model: TFMA's loader, checking Keras 2 on the worker that loads.
EVAL_MODEL_MODULE = "components.evaluation.model_loader"
# Where the on-device Evaluator finds custom_extractors: TFMA's, fed the pixels the TFLite model takes.
LITE_EVAL_MODULE = "components.evaluation.lite_extractors"


def _models_and_blessings() -> dict[str, Channel]:
    """A model resolver's ``model`` and ``model_blessing`` inputs. The Trainer and LiteConverter both output
    Models: the project's strategies tell them apart (baseline_model_strategy.of_kind)."""
    return {
        keys.MODEL_KEY: Channel(type=standard_artifacts.Model),
        keys.MODEL_BLESSING_KEY: Channel(type=standard_artifacts.ModelBlessing),
    }


def _on_device_nodes(
    config: PipelineConfig,
    trainer: base_node.BaseNode,
    examples: Channel,
    test_examples: Channel,
    drift_reports: Channel | None,
    pusher: base_node.BaseNode,
    card_provenance: dict,
) -> list[base_node.BaseNode]:
    """The on-device model's nodes: the Trainer's model converted to TFLite and quantized, then scored by TFMA,
    checked against the SavedModel and pushed beside it, each on gates of its own.

    Only with this project's resolvers: Kubeflow's compiler resolves TFX's latest blessed model by artifact type
    alone, so a second Evaluator's blessings would become the SavedModel's baseline there.
    """
    lite_converter = LiteConverter(
        model=trainer.outputs[keys.MODEL_KEY],
        examples=examples,
        seed=config.training.seed,
        code_fingerprint=source_fingerprint(["components.lite_conversion.executor"]),
    ).with_id(node_ids.LITE_CONVERTER)
    lite_model = lite_converter.outputs[keys.LITE_MODEL_KEY]
    lite_baseline_resolver = Resolver(
        strategy_class=baseline_model_strategy.LatestBlessedOtherModelStrategy,
        config={keys.ON_DEVICE_KEY: True},
        candidate=lite_model,
        **_models_and_blessings(),
    ).with_id(node_ids.LITE_BASELINE_RESOLVER)
    lite_evaluator = Evaluator(
        examples=test_examples,
        model=lite_model,
        baseline_model=lite_baseline_resolver.outputs[keys.MODEL_KEY],
        eval_config=eval_config.build_eval_config(
            accuracy_floor=config.accuracy_floor,
            class_accuracy_floor=config.class_accuracy_floor,
            max_accuracy_drop=config.max_accuracy_drop,
            on_device=True,
        ),
        example_splits=[features.TEST_SPLIT],
        module_path=LITE_EVAL_MODULE,
    ).with_id(node_ids.LITE_EVALUATOR)
    lite_canary = ServingCanary(
        model=trainer.outputs[keys.MODEL_KEY],
        lite_model=lite_model,
        examples=test_examples,
        split=features.TEST_SPLIT,
        code_fingerprint=source_fingerprint(["components.serving_canary.executor"]),
    ).with_id(node_ids.LITE_CANARY)
    lite_pusher = AtomicPusher(
        model=lite_model,
        model_blessing=lite_evaluator.outputs[keys.BLESSING_KEY],
        infra_blessing=lite_canary.outputs[keys.BLESSING_KEY],
        model_evaluation=lite_evaluator.outputs[keys.EVALUATION_KEY],
        training_examples=examples,
        drift_reports=drift_reports,
        saved_model_push=pusher.outputs[keys.PUSHED_MODEL_KEY],
        base_directory=str(config.lite_serving_dir),
        provenance=card_provenance,
        code_fingerprint=source_fingerprint(["components.pusher.executor"]),
    ).with_id(node_ids.LITE_PUSHER)

    return [lite_converter, lite_baseline_resolver, lite_evaluator, lite_canary, lite_pusher]


def create_pipeline(
    config: PipelineConfig,
    *,
    dataset: SpannedDataset,
    spans_to_ingest: Mapping[int, Mapping[str, object]],
    input_base: str | None = None,
    metadata_connection_config: metadata_store_pb2.ConnectionConfig | None = None,
    custom_resolvers: bool = True,
    on_device: bool | None = None,
    vertex_training: VertexTraining | None = None,
) -> tfx_pipeline.Pipeline:
    """Builds the Fashion-MNIST pipeline.

    What differs between orchestrators (the pipeline's name and root, the schema's path, the Beam
    options) is in ``config``: a runner passes ``dataclasses.replace(config, ...)``.

    Args:
      config: the run's configuration.
      dataset: the verified data folder: the test set and every span (data/spans.py).
      spans_to_ingest: {span: record} of the spans this run ingests (pipeline/definition/arrivals.py).
      input_base: where the executors read the data folder, when not ``dataset.root`` (a gs:// URI).
      metadata_connection_config: the ML Metadata store, where the runner needs one.
      custom_resolvers: this project's resolver strategies (components/resolvers/), which keep an unchanged
        rerun fully cached: the baseline is the latest blessed model other than the candidate, the drift gate
        compares with the span before the arrival, the Trainer sees the window of cleared spans and warm-starts
        from a model of an older window. Kubeflow's v2 compiler supports only TFX's own strategies: there the
        baseline and the warm start are TFX's latest blessed model, and the Trainer and the drift gate see the
        spans the run ingests.
      on_device: build the on-device (TFLite) model's nodes (docs/on_device.md); by default where
        ``custom_resolvers`` is, which tell its models from the SavedModels, and ``config.on_device`` asks for
        them (``--no-on-device`` does not).
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
    data = data_nodes.build(
        config,
        dataset=dataset,
        spans_to_ingest=spans_to_ingest,
        input_base=input_base or str(dataset.root),
        custom_resolvers=custom_resolvers,
    )
    examples, test_examples, schema = data.window, data.test_examples, data.schema

    transform = Transform(
        examples=examples,
        schema=schema,
        preprocessing_fn=PREPROCESSING_FN,
        # The transform is a cheap per-example decode: applying it inside
        # training and serving beats writing 70,000 float images to disk.
        materialize=False,
        disable_statistics=True,
        custom_config={keys.CODE_FINGERPRINT_KEY: source_fingerprint([PREPROCESSING_FN.rpartition(".")[0]])},
    ).with_id(node_ids.TRANSFORM)
    transform.add_upstream_node(data.drift_gate)

    # What the Tuner's trials and the Trainer both train on.
    training_inputs = {
        keys.EXAMPLES_KEY: examples,
        keys.TRANSFORM_GRAPH_KEY: transform.outputs[keys.TRANSFORM_GRAPH_KEY],
        keys.SCHEMA_KEY: schema,
        "train_args": trainer_pb2.TrainArgs(splits=[features.TRAIN_SPLIT]),
        "eval_args": trainer_pb2.EvalArgs(splits=[features.EVAL_SPLIT]),
    }
    tuner = None
    if config.tune_trials:
        tuner = Tuner(
            tuner_fn=TUNER_FN,
            **training_inputs,
            custom_config={
                keys.TRAINING_CONFIG_KEY: config.training.to_dict(),
                keys.TUNE_TRIALS_KEY: config.tune_trials,
                keys.TUNE_EPOCHS_KEY: config.tune_epochs,
                keys.CODE_FINGERPRINT_KEY: source_fingerprint([TUNER_FN.rpartition(".")[0]]),
            },
        ).with_id(node_ids.TUNER)

    warm_start = None
    if config.training.warm_start:
        warm_start_inputs = {keys.EXAMPLES_KEY: examples} if custom_resolvers else {}
        warm_start = Resolver(
            strategy_class=WarmStartModelStrategy if custom_resolvers else LatestBlessedModelStrategy,
            **warm_start_inputs,
            **_models_and_blessings(),
        ).with_id(node_ids.WARM_START_RESOLVER)

    trainer = trainer_class(
        run_fn=RUN_FN,
        hyperparameters=tuner.outputs[keys.BEST_HYPERPARAMETERS_KEY] if tuner else None,
        base_model=warm_start.outputs[keys.MODEL_KEY] if warm_start else None,
        **training_inputs,
        custom_config={
            keys.TRAINING_CONFIG_KEY: config.training.to_dict(),
            keys.CODE_FINGERPRINT_KEY: source_fingerprint([RUN_FN.rpartition(".")[0]]),
            **trainer_job_config,
        },
    ).with_id(node_ids.TRAINER)

    strategy_class, candidate = LatestBlessedModelStrategy, {}
    if custom_resolvers:
        strategy_class = baseline_model_strategy.LatestBlessedOtherModelStrategy
        candidate = {keys.CANDIDATE_KEY: trainer.outputs[keys.MODEL_KEY]}
    baseline_resolver = Resolver(
        strategy_class=strategy_class,
        **candidate,
        **_models_and_blessings(),
    ).with_id(node_ids.BASELINE_RESOLVER)

    evaluator = Evaluator(
        examples=test_examples,
        model=trainer.outputs[keys.MODEL_KEY],
        baseline_model=baseline_resolver.outputs[keys.MODEL_KEY],
        eval_config=eval_config.build_eval_config(
            accuracy_floor=config.accuracy_floor,
            class_accuracy_floor=config.class_accuracy_floor,
            max_accuracy_drop=config.max_accuracy_drop,
        ),
        example_splits=[features.TEST_SPLIT],
        module_path=EVAL_MODEL_MODULE,
    ).with_id(node_ids.EVALUATOR)

    # Loads the candidate as a server would and runs canary requests through both signatures.
    serving_canary = ServingCanary(
        model=trainer.outputs[keys.MODEL_KEY],
        examples=test_examples,
        split=features.TEST_SPLIT,
        code_fingerprint=source_fingerprint(["components.serving_canary.executor"]),
    ).with_id(node_ids.CANARY)

    # For the model cards. The commit changes with every commit, so only the
    # (cheap) Pushers re-run; the fingerprints above decide what retrains.
    card_provenance = {
        "data": {
            "input_base": str(dataset.root),
            "test_sha256": dict(dataset.test_sha256),
            "spans_ingested": {str(n): dict(r) for n, r in spans_to_ingest.items()},
        },
        "code": provenance.code_version(),
        "config": provenance.config_record(config),
    }
    pusher = AtomicPusher(
        model=trainer.outputs[keys.MODEL_KEY],
        model_blessing=evaluator.outputs[keys.BLESSING_KEY],
        infra_blessing=serving_canary.outputs[keys.BLESSING_KEY],
        model_evaluation=evaluator.outputs[keys.EVALUATION_KEY],
        training_examples=examples,
        drift_reports=data.window_drift_reports,
        base_directory=str(config.model_serving_dir),
        provenance=card_provenance,
        code_fingerprint=source_fingerprint(["components.pusher.executor"]),
    ).with_id(node_ids.PUSHER)

    # The on-device model, where the resolvers can tell it apart from the SavedModel (docs/on_device.md).
    on_device_nodes = (
        _on_device_nodes(config, trainer, examples, test_examples, data.window_drift_reports, pusher, card_provenance)
        if (custom_resolvers and config.on_device if on_device is None else on_device)
        else []
    )

    return tfx_pipeline.Pipeline(
        pipeline_name=config.tfx_pipeline_name,
        pipeline_root=config.artifact_root_uri,
        components=[
            *data.components,
            transform,
            *([tuner] if tuner else []),
            *([warm_start] if warm_start else []),
            trainer,
            baseline_resolver,
            evaluator,
            serving_canary,
            pusher,
            *on_device_nodes,
        ],
        enable_cache=True,
        metadata_connection_config=metadata_connection_config,
        beam_pipeline_args=list(config.beam_args),
    )
