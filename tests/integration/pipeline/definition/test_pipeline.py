"""create_pipeline: components, wiring, gates and cache keys, compiled to TFX's IR."""

import json
from pathlib import Path

import pytest
import tensorflow_model_analysis as tfma
from tfx.dsl.compiler import compiler

from components.contract import features, keys
from components.contract.training_config import TrainingConfig
from components.pusher import component as atomic_pusher
from components.pusher import executor as pusher_executor
from pipeline import config as config_lib
from pipeline import node_ids
from pipeline.definition import pipeline as definition
from pipeline.definition.fingerprint import source_fingerprint
from tests.support.pipeline_nodes import NODE_ORDER, ON_DEVICE_NODES, build_arguments, stand_in_dataset


@pytest.fixture
def cfg(tmp_path: Path) -> config_lib.PipelineConfig:
    return config_lib.parse_args([f"--output-dir={tmp_path}/out", f"--serving-dir={tmp_path}/serving"])


@pytest.fixture
def built(cfg):
    return definition.create_pipeline(cfg, **build_arguments("/data"))


def test_every_component_in_dependency_order(built):
    ids = [c.id for c in built.components]
    assert sorted(ids) == sorted(NODE_ORDER)
    position = {node_id: i for i, node_id in enumerate(ids)}
    for upstream, downstream in [
        ("FashionMnistExampleGen", "StatisticsGen"),
        ("StatisticsGen", "ExampleValidator"),
        ("ExampleValidator", "AnomalyGate"),
        ("AnomalyGate", "DriftGate"),
        ("DriftGate", "span_window_resolver"),
        ("span_window_resolver", "Transform"),
        ("Transform", "Trainer"),
        ("Trainer", "Evaluator"),
        (node_ids.BASELINE_RESOLVER, "Evaluator"),
        ("Evaluator", "Pusher"),
    ]:
        assert position[upstream] < position[downstream], (upstream, downstream)


def test_no_on_device_builds_the_savedmodel_s_nodes_only(tmp_path: Path):
    cfg = config_lib.parse_args([f"--output-dir={tmp_path}/out", "--no-on-device"])
    ids = [c.id for c in definition.create_pipeline(cfg, **build_arguments("/data")).components]
    assert sorted(ids) == sorted(set(NODE_ORDER) - set(ON_DEVICE_NODES))


def test_the_data_gate_runs_before_transform_and_training(built):
    by_id = {c.id: c for c in built.components}
    assert "DriftGate" in {n.id for n in by_id["Transform"].upstream_nodes}
    assert "AnomalyGate" in {n.id for n in by_id["DriftGate"].upstream_nodes}
    assert {n.id for n in by_id["AnomalyGate"].upstream_nodes} == {"ExampleValidator", "StatisticsGen"}


def test_trainer_and_transform_caches_follow_their_code(built, cfg):
    by_id = {c.id: c for c in built.components}
    trainer_config = json.loads(by_id["Trainer"].exec_properties["custom_config"])
    assert trainer_config["code_fingerprint"] == source_fingerprint(["components.training.trainer"])
    assert TrainingConfig.from_dict(trainer_config["training"]) == cfg.training, "as run_fn reads it back"
    transform_config = json.loads(by_id["Transform"].exec_properties["custom_config"])
    assert transform_config["code_fingerprint"] == source_fingerprint(["components.training.preprocessing"])
    assert by_id["Transform"].exec_properties["preprocessing_fn"] == definition.PREPROCESSING_FN
    assert by_id["Trainer"].exec_properties["run_fn"] == definition.RUN_FN


@pytest.mark.parametrize(
    ("node_id", "module"),
    [
        ("FashionMnistExampleGen", "components.ingestion.executor"),
        ("AnomalyGate", "components.anomaly_gate.executor"),
        ("ServingCanary", "components.serving_canary.executor"),
    ],
)
def test_custom_components_are_keyed_by_their_code(built, node_id, module):
    node = next(c for c in built.components if c.id == node_id)
    assert node.exec_properties["code_fingerprint"] == source_fingerprint([module])


def test_pusher_is_keyed_by_its_code_and_carries_the_provenance(built, cfg):
    pusher = next(c for c in built.components if c.id == "Pusher")
    assert pusher.exec_properties["code_fingerprint"] == source_fingerprint(["components.pusher.executor"])
    provenance = json.loads(pusher.exec_properties["provenance"])
    assert provenance["data"]["input_base"] == "/data"
    assert provenance["data"]["test_sha256"] == stand_in_dataset().test_sha256
    assert set(provenance["data"]["spans_ingested"]) == {"1"}
    assert provenance["config"]["model_name"] == cfg.model_name
    assert provenance["config"]["training"]["epochs"] == cfg.training.epochs
    assert set(provenance["code"]) == {"commit", "dirty"}
    evaluator = next(c for c in built.components if c.id == "Evaluator")
    assert pusher.inputs[keys.MODEL_EVALUATION_KEY].producer_component_id == evaluator.id


def test_the_tune_profile_puts_the_tuner_before_the_trainer(tmp_path: Path):
    cfg = config_lib.parse_args(["--profile=tune", f"--output-dir={tmp_path}/out"])
    assert cfg.model_name == "fashion_mnist" and cfg.tune_trials > 0
    built = definition.create_pipeline(cfg, **build_arguments("/data"))
    ids = [c.id for c in built.components]
    assert ids.index("Transform") < ids.index("Tuner") < ids.index("Trainer")
    tuner = built.components[ids.index("Tuner")]
    trainer = built.components[ids.index("Trainer")]
    assert trainer.inputs["hyperparameters"].producer_component_id == "Tuner"
    assert json.loads(tuner.exec_properties["custom_config"])["trials"] == cfg.tune_trials
    assert "Tuner" not in [
        c.id for c in definition.create_pipeline(config_lib.parse_args([]), **build_arguments("/d")).components
    ]


def test_ingestion_is_keyed_by_the_data_hashes(built):
    gen = next(c for c in built.components if c.id == "FashionMnistExampleGen")
    dataset = stand_in_dataset()
    assert json.loads(gen.exec_properties["input_sha256"]) == dataset.test_sha256
    spans = json.loads(gen.exec_properties["spans"])
    assert spans == {"1": {"folder": "span-1", "sha256": dataset.spans[0].sha256, "count": 20_000, "version": 0}}


def test_the_window_and_the_warm_start_feed_the_trainer_after_the_drift_gate(cfg):
    built = definition.create_pipeline(cfg, **build_arguments("/data", spans=(1, 2)))
    by_id = {c.id: c for c in built.components}
    trainer, transform = by_id["Trainer"], by_id["Transform"]
    assert trainer.inputs["examples"].producer_component_id == "span_window_resolver"
    assert transform.inputs["examples"].producer_component_id == "span_window_resolver"
    assert trainer.inputs["base_model"].producer_component_id == "warm_start_model_resolver"
    assert "DriftGate" in by_id["span_window_resolver"].upstream_nodes or any(
        n.id == "DriftGate" for n in by_id["span_window_resolver"].upstream_nodes
    )
    assert by_id["Evaluator"].inputs["examples"].output_key == "test_examples"
    no_warm = definition.create_pipeline(
        config_lib.parse_args([f"--output-dir={cfg.output_dir}", "--no-warm-start"]), **build_arguments("/data")
    )
    assert "warm_start_model_resolver" not in [c.id for c in no_warm.components]


def test_evaluator_thresholds_name_their_slices(built, cfg):
    evaluator = next(c for c in built.components if c.id == "Evaluator")
    eval_config = tfma.EvalConfig()
    from google.protobuf import json_format

    json_format.Parse(evaluator.exec_properties["eval_config"], eval_config)
    assert evaluator.exec_properties["example_splits"] == json.dumps([features.TEST_SPLIT])
    accuracy = next(m for m in eval_config.metrics_specs[0].metrics if m.class_name == "SparseCategoricalAccuracy")
    by_slice = {tuple(t.slicing_specs[0].feature_keys): t.threshold for t in accuracy.per_slice_thresholds}
    assert by_slice[()].value_threshold.lower_bound.value == cfg.accuracy_floor
    assert by_slice[()].change_threshold.direction == tfma.MetricDirection.HIGHER_IS_BETTER
    assert by_slice[(features.LABEL_KEY,)].value_threshold.lower_bound.value == cfg.class_accuracy_floor
    assert not by_slice[(features.LABEL_KEY,)].HasField("change_threshold")
    assert not eval_config.metrics_specs[0].thresholds, "no threshold applies to every slice by accident"


def test_pusher_is_atomic_and_targets_the_model_folder(built, cfg):
    pusher = next(c for c in built.components if c.id == "Pusher")
    assert isinstance(pusher, atomic_pusher.AtomicPusher)
    assert pusher.executor_spec.executor_class is pusher_executor.Executor
    assert str(cfg.model_serving_dir) in pusher.exec_properties["push_destination"]


def test_compiles_with_caching_and_beam_args(built, cfg):
    ir = compiler.Compiler().compile(built)
    assert [n.pipeline_node.node_info.id for n in ir.nodes] == [c.id for c in built.components]
    assert str(cfg.pipeline_root) in str(ir.runtime_spec.pipeline_root)
    assert all(n.pipeline_node.execution_options.caching_options.enable_cache for n in ir.nodes)
    assert ir.pipeline_info.id == cfg.model_name
    assert list(built.beam_pipeline_args) == list(cfg.beam_args)
