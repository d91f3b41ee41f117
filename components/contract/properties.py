"""Names of the properties on artifacts that more than one module reads or writes.

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
# On LiteConverter's Model (the on-device model): its quantization (lite_conversion/choice.py), its size, and
# the id of the SavedModel it was converted from.
QUANTIZATION = "quantization"
SIZE_BYTES = "size_bytes"
SAVED_MODEL_ID = "saved_model_id"
# On LiteConverter's Model when no quantized candidate cleared the bar: each one's shortfall (the lite canary
# refuses such a model).
CONVERSION_PROBLEM = "conversion_problem"

# --- TFX's own artifact properties, as its ExampleGen, Evaluator, InfraValidator and Pusher set them ----
# On Examples: the span and its version (the test set's has neither).
SPAN = "span"
VERSION = "version"
# On ModelBlessing and InfraBlessing: 1 blessed, 0 not (ServingCanary sets it as InfraValidator does).
BLESSED = "blessed"
# On ModelBlessing: the id of the model evaluated, and the URI of the baseline model it was compared with.
CURRENT_MODEL_ID = "current_model_id"
BASELINE_MODEL = "baseline_model"
# On PushedModel: 1 pushed, 0 not; the version and the folder it was pushed to.
PUSHED = "pushed"
PUSHED_VERSION = "pushed_version"
PUSHED_DESTINATION = "pushed_destination"
