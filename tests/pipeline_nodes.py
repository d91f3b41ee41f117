"""The pipeline's node ids in one valid dependency order, as the tests expect them (kept apart from the code)."""

NODE_ORDER = [
    "FashionMnistExampleGen",
    "ImportSchemaGen",
    "StatisticsGen",
    "ExampleValidator",
    "AnomalyGate",
    "Transform",
    "Trainer",
    "latest_blessed_model_resolver",
    "Evaluator",
    "ServingCanary",
    "Pusher",
]
# Everything the model depends on: cached when nothing changed.
UPSTREAM_OF_MODEL = set(NODE_ORDER[: NODE_ORDER.index("Trainer") + 1])
