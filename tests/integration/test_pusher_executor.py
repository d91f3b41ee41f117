"""AtomicPusher's executor: pushes only what both the Evaluator and the serving canary blessed."""

import json
from pathlib import Path

import pytest
from tfx.proto import pusher_pb2
from tfx.types import standard_artifacts
from tfx.utils import proto_utils

from components import pusher


def _do(tmp_path: Path, *, blessed: int, canary_blessed: int) -> standard_artifacts.PushedModel:
    model = standard_artifacts.Model()
    model.uri = str(tmp_path / "model")
    serving = tmp_path / "model" / "Format-Serving"
    (serving / "variables").mkdir(parents=True, exist_ok=True)
    (serving / "saved_model.pb").write_bytes(b"graph")
    blessing = standard_artifacts.ModelBlessing()
    blessing.set_int_custom_property("blessed", blessed)
    infra_blessing = standard_artifacts.InfraBlessing()
    infra_blessing.set_int_custom_property("blessed", canary_blessed)
    pushed = standard_artifacts.PushedModel()
    pushed.uri = str(tmp_path / "pushed")
    destination = pusher_pb2.PushDestination(
        filesystem=pusher_pb2.PushDestination.Filesystem(base_directory=str(tmp_path / "serving"))
    )
    pusher.Executor().Do(
        {"model": [model], "model_blessing": [blessing], "infra_blessing": [infra_blessing]},
        {"pushed_model": [pushed]},
        {"push_destination": proto_utils.proto_to_json(destination), "custom_config": json.dumps({})},
    )
    return pushed


@pytest.mark.parametrize(("blessed", "canary_blessed"), [(0, 1), (1, 0), (0, 0)])
def test_nothing_is_pushed_unless_both_bless(tmp_path: Path, blessed: int, canary_blessed: int):
    pushed = _do(tmp_path, blessed=blessed, canary_blessed=canary_blessed)
    assert pushed.get_int_custom_property("pushed") == 0
    assert not (tmp_path / "serving").exists()


def test_a_doubly_blessed_model_is_pushed_once(tmp_path: Path):
    first = _do(tmp_path, blessed=1, canary_blessed=1)
    assert first.get_int_custom_property("pushed") == 1
    version = first.get_string_custom_property("pushed_version")
    assert (tmp_path / "serving" / version / "saved_model.pb").read_bytes() == b"graph"
    again = _do(tmp_path, blessed=1, canary_blessed=1)
    assert again.get_int_custom_property("pushed") == 0
    assert again.get_int_custom_property("already_served_version") == int(version)
    assert [p.name for p in (tmp_path / "serving").iterdir()] == [version]
