"""The type names of the artifacts the pipeline records in ML Metadata, spelled once.

TFX's (``standard_artifacts``) and this project's own (``DriftReport``, components/drift_gate/artifact.py).
Readers of ML Metadata look artifacts up by these names without importing TFX; a test checks that they
agree with TFX's classes.
"""

EXAMPLES = "Examples"
EXAMPLE_STATISTICS = "ExampleStatistics"
SCHEMA = "Schema"
EXAMPLE_ANOMALIES = "ExampleAnomalies"
MODEL_RUN = "ModelRun"
MODEL = "Model"
MODEL_EVALUATION = "ModelEvaluation"
MODEL_BLESSING = "ModelBlessing"
INFRA_BLESSING = "InfraBlessing"
PUSHED_MODEL = "PushedModel"
# namespace.Name: the form Kubeflow's v2 compiler requires of a custom artifact type.
DRIFT_REPORT = "fashion_mnist.DriftReport"
