"""Every channel key and parameter key of the pipeline's components, spelled once.

Component specs, executors, resolvers, the pipeline definition and the readers of ML Metadata
(which look artifacts up by the key they were an input or output under) all import them from
here, so no key is spelled twice. Where a key is TFX's own (``standard_component_specs``), it has
TFX's value, so that TFX's executors read our components' dicts unchanged; a test checks that
they agree. Nothing here imports TFX: readers without TensorFlow import this module.
"""

# --- channel keys: the inputs and outputs of components and resolvers ----------------------------
# TFX's own (standard_component_specs).
EXAMPLES_KEY = "examples"
SCHEMA_KEY = "schema"
STATISTICS_KEY = "statistics"
ANOMALIES_KEY = "anomalies"
TRANSFORM_GRAPH_KEY = "transform_graph"
MODEL_KEY = "model"
BASELINE_MODEL_KEY = "baseline_model"
BLESSING_KEY = "blessing"
EVALUATION_KEY = "evaluation"
BEST_HYPERPARAMETERS_KEY = "best_hyperparameters"
MODEL_BLESSING_KEY = "model_blessing"
INFRA_BLESSING_KEY = "infra_blessing"
PUSHED_MODEL_KEY = "pushed_model"
# FashionMnistExampleGen's second output: the fixed test set (its first, EXAMPLES_KEY, holds one
# Examples artifact per span ingested).
TEST_EXAMPLES_KEY = "test_examples"
# DriftGate's input of the newest cleared span before the arrival (empty for the first span), and its output.
PREVIOUS_EXAMPLES_KEY = "previous_examples"
DRIFT_REPORT_KEY = "drift_report"
# AtomicPusher's inputs beside TFX's: the evaluation, the spans trained on and the drift reports that
# cleared them, for the model card. The span window resolver outputs the drift reports under the same key.
MODEL_EVALUATION_KEY = "model_evaluation"
# The on-device Pusher's input of the SavedModel Pusher's PushedModel: the sibling its model card names.
SIBLING_PUSH_KEY = "saved_model_push"
TRAINING_EXAMPLES_KEY = "training_examples"
DRIFT_REPORTS_KEY = "drift_reports"
# ServingCanary's input of the on-device model, checked against the SavedModel ``model`` (the lite canary).
LITE_MODEL_KEY = "lite_model"
# The baseline resolver's input of the model being evaluated, which it never returns as the baseline.
CANDIDATE_KEY = "candidate"
# The previous-span resolver's input: this run's statistics of the arrival (SpanStatisticsGen's outputs name
# their Examples artifact). The ExampleGen's own output channel and the query of every span it ever produced
# would compile to the same resolver input, and TFX would merge them.
ARRIVAL_STATISTICS_KEY = "arrival_statistics"

# --- parameter keys: execution properties and resolver configs -----------------------------------
# FashionMnistExampleGen's: the data folder; JSON {test file name: SHA-256 of its decompressed content};
# JSON {span number: {"folder", "sha256" {file: SHA-256}, "count", "version"}} of the spans to ingest
# (pipeline/definition/arrivals.py), part of the cache key so other data never reuses a cached ingestion
# (empty: every span in input_base when the run starts, for a spec compiled once, as for Kubeflow); the
# share of each span held out for eval; per-span and test caps (0: no limit); the split's seed.
INPUT_BASE_KEY = "input_base"
INPUT_SHA256_KEY = "input_sha256"
SPANS_KEY = "spans"
EVAL_FRACTION_KEY = "eval_fraction"
TRAIN_LIMIT_KEY = "train_limit"
TEST_LIMIT_KEY = "test_limit"
SEED_KEY = "seed"
# DriftGate's: 1 lets drifted spans through (and records that they were accepted); the pixel threshold.
ACCEPT_DRIFT_KEY = "accept_drift"
PIXEL_THRESHOLD_KEY = "pixel_threshold"
# AtomicPusher's: TFX's push destination, and JSON of the data hashes, code version and configuration.
PUSH_DESTINATION_KEY = "push_destination"
PROVENANCE_KEY = "provenance"
# ServingCanary's: the split it scores, and how many examples it checks against the SavedModel.
SPLIT_KEY = "split"
CANARY_SIZE_KEY = "canary_size"
# LiteConverter's: how many training images calibrate the full-integer model, and the sample's seed (SEED_KEY).
REPRESENTATIVE_SIZE_KEY = "representative_size"
# The baseline resolver's: 1 resolves on-device (TFLite) models, 0 SavedModels.
ON_DEVICE_KEY = "on_device"
# The span window resolver's: how many cleared spans the window holds (0: every span).
NUM_SPANS_KEY = "num_spans"
# Every custom component's (and the Trainer's, Tuner's and Transform's custom_config) fingerprint of the code
# behind it: part of the cache key, so changed code never reuses an old output (pipeline/definition/fingerprint.py).
CODE_FINGERPRINT_KEY = "code_fingerprint"
# The Trainer's and the Tuner's custom_config: TrainingConfig.to_dict(); the Tuner's trials and epochs per trial.
TRAINING_CONFIG_KEY = "training"
TUNE_TRIALS_KEY = "trials"
TUNE_EPOCHS_KEY = "epochs_per_trial"
