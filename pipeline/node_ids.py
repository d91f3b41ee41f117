"""The pipeline's node ids: ``create_pipeline`` gives each component its id from here, and every
reader of ML Metadata (the run summary, ``make inspect``, the report, the runners) finds it by the same name.
"""

EXAMPLE_GEN = "FashionMnistExampleGen"
SCHEMA_GEN = "ImportSchemaGen"
STATISTICS_GEN = "StatisticsGen"
EXAMPLE_VALIDATOR = "ExampleValidator"
DATA_GATE = "AnomalyGate"
PREVIOUS_SPAN_RESOLVER = "previous_span_resolver"
DRIFT_GATE = "DriftGate"
SPAN_WINDOW_RESOLVER = "span_window_resolver"
WARM_START_RESOLVER = "warm_start_model_resolver"
TRANSFORM = "Transform"
TUNER = "Tuner"
TRAINER = "Trainer"
BASELINE_RESOLVER = "latest_blessed_model_resolver"
EVALUATOR = "Evaluator"
CANARY = "ServingCanary"
PUSHER = "Pusher"
# The on-device (TFLite) model's: converted from the Trainer's model, then evaluated, checked and pushed on
# gates of its own.
LITE_CONVERTER = "LiteConverter"
LITE_BASELINE_RESOLVER = "latest_blessed_lite_model_resolver"
LITE_EVALUATOR = "LiteEvaluator"
LITE_CANARY = "LiteServingCanary"
LITE_PUSHER = "LitePusher"
