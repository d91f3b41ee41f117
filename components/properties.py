"""Names of the properties on artifacts and executions that more than one module reads or writes.

Executors and TFX's own components write them; the run summary, the inspection
tools and the baseline resolver read them from ML Metadata without importing the
executors (and so without TFX or TensorFlow).
"""

# --- custom properties this project's executors set on their output artifacts -----------------
# On Pusher's PushedModel when the model is already served: that version.
ALREADY_SERVED_VERSION = "already_served_version"
# On ServingCanary's InfraBlessing when the canary failed: what went wrong.
CANARY_PROBLEMS = "canary_problems"
# On FashionMnistExampleGen's Examples: JSON {split: examples.split_summary(...)}.
SPLIT_SUMMARY = "split_summary"
# On FashionMnistExampleGen's span Examples: JSON {file name: SHA-256 of its decompressed content}, the
# span's identity (a span whose files changed is ingested again), and JSON examples.span_profile(...),
# what the drift check compares.
SPAN_SHA256 = "span_sha256"
SPAN_PROFILE = "span_profile"
# On DriftGate's DriftReport: JSON of the spans it cleared and the figures it measured (drift_gate/checks.py).
DRIFT_REPORT = "drift_report"
# On SpanStatisticsGen's and SpanExampleValidator's outputs: the id of the Examples artifact described.
EXAMPLES_ID = "examples_id"
# On Pusher's PushedModel when pushed: the model card written beside the model (JSON).
MODEL_CARD = "model_card"

# --- the type name of this project's own artifact (components/artifact_types.py), for readers without TFX --------
# namespace.Name: the form Kubeflow's v2 compiler requires of a custom artifact type.
DRIFT_REPORT_TYPE = "fashion_mnist.DriftReport"

# --- TFX's own artifact properties, as its Evaluator, InfraValidator and Pusher set them ---------
# On ModelBlessing and InfraBlessing: 1 blessed, 0 not (ServingCanary sets it as InfraValidator does).
BLESSED = "blessed"
# On ModelBlessing: the id of the model evaluated, and the URI of the baseline model it was compared with.
CURRENT_MODEL_ID = "current_model_id"
BASELINE_MODEL = "baseline_model"
# On PushedModel: 1 pushed, 0 not; the version and the folder it was pushed to.
PUSHED = "pushed"
PUSHED_VERSION = "pushed_version"
PUSHED_DESTINATION = "pushed_destination"

# --- execution properties and input keys that the readers look up in ML Metadata ------------------
# FashionMnistExampleGen's: the data folder, and {IDX file name: SHA-256 of its decompressed content}.
INPUT_BASE_KEY = "input_base"
INPUT_SHA256_KEY = "input_sha256"
# FashionMnistExampleGen's: JSON {span number: {directory, sha256, count, version}} of the spans it ingests.
SPANS_KEY = "spans"
# FashionMnistExampleGen's outputs: one Examples per span ingested, and the test set's.
SPAN_EXAMPLES_KEY = "examples"
TEST_EXAMPLES_KEY = "test_examples"
# AtomicPusher's: JSON of the data hashes, code version and configuration, recorded in the model card.
PROVENANCE_KEY = "provenance"
# DriftGate's input of the span it compares with, its schema input, and its parameters.
PREVIOUS_EXAMPLES_KEY = "previous_examples"
SCHEMA_KEY = "schema"
ACCEPT_DRIFT_KEY = "accept_drift"
PIXEL_THRESHOLD_KEY = "pixel_threshold"
# AnomalyGate's inputs: ExampleValidator's anomalies and StatisticsGen's statistics.
ANOMALIES_KEY = "anomalies"
STATISTICS_KEY = "statistics"
# The Evaluator's input holding the baseline model (TFX's standard_component_specs.BASELINE_MODEL_KEY).
BASELINE_MODEL_KEY = "baseline_model"
# Every custom component's (and the Trainer's, Tuner's and Transform's custom_config) fingerprint of
# the code behind it: part of the cache key, so changed code never reuses an old output.
CODE_FINGERPRINT_KEY = "code_fingerprint"
