"""components/contract/keys.py against TFX: every spec's keys are contract keys, and TFX's own keep TFX's values."""

import importlib

import pytest
from tfx.types import standard_component_specs
from tfx.types.component_spec import ComponentSpec

from components.contract import keys
from tests.conftest import REPO_ROOT

# The keys keys.py shares with TFX's standard components, so that TFX's executors read our dicts unchanged.
TFX_STANDARD_KEYS = (
    "EXAMPLES_KEY",
    "SCHEMA_KEY",
    "STATISTICS_KEY",
    "ANOMALIES_KEY",
    "TRANSFORM_GRAPH_KEY",
    "MODEL_KEY",
    "BASELINE_MODEL_KEY",
    "BLESSING_KEY",
    "MODEL_BLESSING_KEY",
    "INFRA_BLESSING_KEY",
    "PUSHED_MODEL_KEY",
    "PUSH_DESTINATION_KEY",
)
# Each custom component's spec module, with the specs it declares.
SPEC_MODULES = sorted(f"components.{path.parent.name}.spec" for path in (REPO_ROOT / "components").glob("*/spec.py"))


def _contract_keys() -> set[str]:
    return {value for name, value in vars(keys).items() if name.endswith("_KEY") and isinstance(value, str)}


def _specs(module_name: str) -> list[type[ComponentSpec]]:
    module = importlib.import_module(module_name)
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ComponentSpec) and value.__module__ == module_name
    ]


@pytest.mark.parametrize("name", TFX_STANDARD_KEYS)
def test_tfxs_own_keys_have_tfxs_values(name: str):
    assert getattr(keys, name) == getattr(standard_component_specs, name)


def test_every_custom_component_declares_a_spec():
    assert "components.drift_gate.spec" in SPEC_MODULES
    assert [module for module in SPEC_MODULES if not _specs(module)] == []


@pytest.mark.parametrize("module_name", SPEC_MODULES)
def test_every_key_of_a_spec_is_a_contract_key(module_name: str):
    contract = _contract_keys()
    for spec in _specs(module_name):
        for part in ("PARAMETERS", "INPUTS", "OUTPUTS"):
            assert set(getattr(spec, part)) <= contract, f"{spec.__name__}.{part}"
