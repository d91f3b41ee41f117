"""Component spec of AtomicPusher: TFX's PusherSpec, plus the evaluation and provenance for the model card."""

from tfx.proto import pusher_pb2
from tfx.types import component_spec, standard_artifacts, standard_component_specs, system_executions

from components import properties
from components.artifact_types import DriftReport

# TFX's own keys, so TFX's Pusher executor methods (CheckBlessing, GetModelPath) apply unchanged.
MODEL_KEY = standard_component_specs.MODEL_KEY
MODEL_BLESSING_KEY = standard_component_specs.MODEL_BLESSING_KEY
INFRA_BLESSING_KEY = standard_component_specs.INFRA_BLESSING_KEY
PUSH_DESTINATION_KEY = standard_component_specs.PUSH_DESTINATION_KEY
PUSHED_MODEL_KEY = standard_component_specs.PUSHED_MODEL_KEY
MODEL_EVALUATION_KEY = "model_evaluation"
# JSON: data hashes, code version and configuration, recorded in the model card.
PROVENANCE_KEY = properties.PROVENANCE_KEY
# The spans the model was trained on, the drift reports that cleared them, and the model it was
# warm-started from, for the model card.
TRAINING_EXAMPLES_KEY = "training_examples"
DRIFT_REPORTS_KEY = "drift_reports"


class AtomicPusherSpec(component_spec.ComponentSpec):
    """TFX's PusherSpec, plus the evaluation and provenance that go into the model card."""

    PARAMETERS = {
        PUSH_DESTINATION_KEY: component_spec.ExecutionParameter(type=pusher_pb2.PushDestination),
        PROVENANCE_KEY: component_spec.ExecutionParameter(type=str),
        properties.CODE_FINGERPRINT_KEY: component_spec.ExecutionParameter(type=str),
    }
    INPUTS = {
        MODEL_KEY: component_spec.ChannelParameter(type=standard_artifacts.Model),
        MODEL_BLESSING_KEY: component_spec.ChannelParameter(type=standard_artifacts.ModelBlessing),
        INFRA_BLESSING_KEY: component_spec.ChannelParameter(type=standard_artifacts.InfraBlessing),
        MODEL_EVALUATION_KEY: component_spec.ChannelParameter(type=standard_artifacts.ModelEvaluation),
        TRAINING_EXAMPLES_KEY: component_spec.ChannelParameter(type=standard_artifacts.Examples, optional=True),
        DRIFT_REPORTS_KEY: component_spec.ChannelParameter(type=DriftReport, optional=True),
    }
    OUTPUTS = {PUSHED_MODEL_KEY: component_spec.ChannelParameter(type=standard_artifacts.PushedModel)}
    TYPE_ANNOTATION = system_executions.Deploy
