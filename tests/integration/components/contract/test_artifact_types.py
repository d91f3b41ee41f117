"""components/contract/artifact_types.py against TFX: each name is the TYPE_NAME of the artifact class it names."""

import pytest
from tfx.types import standard_artifacts

from components.contract import artifact_types
from components.drift_gate.artifact import DriftReport

NAMES = sorted(name for name, value in vars(artifact_types).items() if name.isupper() and isinstance(value, str))


def _artifact_class(name: str) -> type:
    """DriftReport for DRIFT_REPORT, the project's own; TFX's standard_artifacts.ExampleStatistics for
    EXAMPLE_STATISTICS, and so on."""
    if name == "DRIFT_REPORT":
        return DriftReport
    return getattr(standard_artifacts, "".join(word.capitalize() for word in name.split("_")))


def test_the_names_include_tfxs_and_the_projects_own():
    assert {"EXAMPLES", "MODEL", "MODEL_BLESSING", "PUSHED_MODEL", "DRIFT_REPORT"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_name_is_its_artifact_classs_type_name(name: str):
    assert getattr(artifact_types, name) == _artifact_class(name).TYPE_NAME
