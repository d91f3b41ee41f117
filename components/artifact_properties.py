"""Names of the custom properties this project's executors set on their output artifacts.

Executors write them; the run summary reads them from ML Metadata without
importing the executors (and so without TFX or TensorFlow).
"""

# On Pusher's PushedModel when the model is already served: that version.
ALREADY_SERVED_VERSION = "already_served_version"
# On ServingCanary's InfraBlessing when the canary failed: what went wrong.
CANARY_PROBLEMS = "canary_problems"
# On FashionMnistExampleGen's Examples: JSON {split: examples.split_summary(...)}.
SPLIT_SUMMARY = "split_summary"
# On Pusher's PushedModel when pushed: the model card written beside the model (JSON).
MODEL_CARD = "model_card"
