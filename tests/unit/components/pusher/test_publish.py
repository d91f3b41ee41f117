"""Publishing a model: atomic, versioned, never twice."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from components.pusher import publish


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    model = tmp_path / "model"
    (model / "variables").mkdir(parents=True)
    (model / "saved_model.pb").write_bytes(b"graph")
    (model / "variables" / "variables.index").write_bytes(b"index")
    return model


def test_push_creates_an_integer_version_with_its_model_card(model_dir: Path, tmp_path: Path):
    base = tmp_path / "serving" / "fashion_mnist"
    result = publish.push_model(model_dir, base, info={"run": "r1"}, now=1000)
    assert result.pushed and result.version == 1000 and result.path == base / "1000"
    assert (base / "1000" / "saved_model.pb").read_bytes() == b"graph"
    info = json.loads((base / "1000" / publish.MODEL_CARD_PATH).read_text())
    assert info["run"] == "r1" and info["model_digest"] == publish.model_digest(model_dir)
    assert [p.name for p in base.iterdir()] == ["1000"], "no staging folder left behind"


def test_the_same_model_is_not_pushed_twice(model_dir: Path, tmp_path: Path):
    base = tmp_path / "serving"
    first = publish.push_model(model_dir, base, info={}, now=1000)
    second = publish.push_model(model_dir, base, info={}, now=2000)
    assert not second.pushed and second.version == first.version
    assert publish.served_versions(base) == [1000]


def test_versions_always_increase(model_dir: Path, tmp_path: Path):
    base = tmp_path / "serving"
    (base / "5000").mkdir(parents=True)
    result = publish.push_model(model_dir, base, info={}, now=1000)  # a clock behind the newest version
    assert result.version == 5001


def test_a_failed_copy_leaves_nothing_visible(model_dir: Path, tmp_path: Path, monkeypatch):
    base = tmp_path / "serving"
    publish.push_model(model_dir, base, info={}, now=1000)
    (model_dir / "saved_model.pb").write_bytes(b"another graph")

    def copy_half_then_fail(src, dst, **kwargs):
        Path(dst).mkdir(parents=True)
        shutil.copy(Path(src) / "saved_model.pb", dst)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish.shutil, "copytree", copy_half_then_fail)
    with pytest.raises(publish.PushError, match=r"serving: cannot publish version 2000: no space left on device$"):
        publish.push_model(model_dir, base, info={}, now=2000)
    assert sorted(p.name for p in base.iterdir()) == ["1000"]
    assert (base / "1000" / "saved_model.pb").read_bytes() == b"graph", "the served model is untouched"


def test_digest_depends_on_content_and_names(model_dir: Path):
    before = publish.model_digest(model_dir)
    (model_dir / "variables" / "variables.index").write_bytes(b"other")
    assert publish.model_digest(model_dir) != before


def test_a_serving_folder_that_cannot_be_created_is_a_clear_error(model_dir: Path, tmp_path: Path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the serving folder should be")
    with pytest.raises(publish.PushError, match=r"not_a_folder/fashion_mnist: cannot create the serving folder"):
        publish.push_model(model_dir, blocker / "fashion_mnist", info={}, now=1000)


def test_a_full_disk_is_one_short_line_not_every_file(model_dir: Path, tmp_path: Path, monkeypatch):
    """shutil.copytree reports each file it could not copy; the error says the folder and why, once."""
    base = tmp_path / "serving"

    def fill_the_disk(src, dst, **kwargs):
        Path(dst).mkdir(parents=True)
        errors = [
            (str(Path(src) / n), str(Path(dst) / n), f"[Errno 28] No space left on device: '{src}/{n}' -> '{dst}/{n}'")
            for n in "abcdef"
        ]
        raise shutil.Error(errors)

    monkeypatch.setattr(publish.shutil, "copytree", fill_the_disk)
    with pytest.raises(publish.PushError) as raised:
        publish.push_model(model_dir, base, info={}, now=1000)
    assert str(raised.value) == f"{base}: cannot publish version 1000: no space left on device"
    assert list(base.iterdir()) == [], "the staging copy is removed"


def test_staging_left_by_a_killed_push_is_removed_by_the_next(model_dir: Path, tmp_path: Path, caplog):
    base = tmp_path / "serving"
    dead = base / f".incoming-900-{_ended_pid()}"  # a push killed mid-copy
    live = base / f".incoming-901-{os.getpid()}"  # a push still running (this process)
    for staging in (dead, live):
        (staging / "variables").mkdir(parents=True)
    with caplog.at_level("WARNING"):
        result = publish.push_model(model_dir, base, info={}, now=1000)
    assert sorted(p.name for p in base.iterdir()) == [live.name, "1000"] and result.pushed
    assert f"removed {dead}, left by a push whose process is gone" in caplog.text


def _ended_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid
