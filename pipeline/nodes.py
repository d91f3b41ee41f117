"""The pipeline's node ids: ``create_pipeline`` gives each component its id from here, and every
reader of ML Metadata (the run summary, ``make inspect``, the report, the runners) finds it by the same name.
"""

EXAMPLE_GEN = "FashionMnistExampleGen"
SCHEMA_GEN = "ImportSchemaGen"
STATISTICS_GEN = "StatisticsGen"
EXAMPLE_VALIDATOR = "ExampleValidator"
DATA_GATE = "AnomalyGate"
TRANSFORM = "Transform"
TUNER = "Tuner"
TRAINER = "Trainer"
BASELINE_RESOLVER = "latest_blessed_model_resolver"
EVALUATOR = "Evaluator"
CANARY = "ServingCanary"
PUSHER = "Pusher"
