"""Component spec of AtomicPusher: TFX's PusherSpec, plus the evaluation and provenance for the model card."""

from tfx.proto import pusher_pb2
from tfx.types import component_spec, standard_artifacts, system_executions

from components.contract import keys
from components.drift_gate.artifact import DriftReport

# Its inputs keep TFX's own keys (components/contract/keys.py), so TFX's Pusher executor methods
# (CheckBlessing, GetModelPath) apply unchanged.


class AtomicPusherSpec(component_spec.ComponentSpec):
    """TFX's PusherSpec, plus the evaluation and provenance that go into the model card."""

    PARAMETERS = {
        keys.PUSH_DESTINATION_KEY: component_spec.ExecutionParameter(type=pusher_pb2.PushDestination),
        keys.PROVENANCE_KEY: component_spec.ExecutionParameter(type=str),
        keys.CODE_FINGERPRINT_KEY: component_spec.ExecutionParameter(type=str),
    }
    INPUTS = {
        keys.MODEL_KEY: component_spec.ChannelParameter(type=standard_artifacts.Model),
        keys.MODEL_BLESSING_KEY: component_spec.ChannelParameter(type=standard_artifacts.ModelBlessing),
        keys.INFRA_BLESSING_KEY: component_spec.ChannelParameter(type=standard_artifacts.InfraBlessing),
        keys.MODEL_EVALUATION_KEY: component_spec.ChannelParameter(type=standard_artifacts.ModelEvaluation),
        keys.TRAINING_EXAMPLES_KEY: component_spec.ChannelParameter(type=standard_artifacts.Examples, optional=True),
        keys.DRIFT_REPORTS_KEY: component_spec.ChannelParameter(type=DriftReport, optional=True),
        keys.SIBLING_PUSH_KEY: component_spec.ChannelParameter(type=standard_artifacts.PushedModel, optional=True),
    }
    OUTPUTS = {keys.PUSHED_MODEL_KEY: component_spec.ChannelParameter(type=standard_artifacts.PushedModel)}
    TYPE_ANNOTATION = system_executions.Deploy
