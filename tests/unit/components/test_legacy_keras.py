"""TF_USE_LEGACY_KERAS: set for the tests, by the entry points, and checked."""

import os
import subprocess
import sys

from components import legacy_keras
from tests.conftest import REPO_ROOT


def test_the_test_process_uses_keras_2():
    assert os.environ[legacy_keras.ENV_VAR] == "1"
    legacy_keras.check_legacy_keras()


def test_keras_2_is_in_use():
    import tensorflow as tf

    legacy_keras.check_legacy_keras()
    assert tf.keras.Model.__module__.startswith("tf_keras")


def _run(code: str, env_value: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != legacy_keras.ENV_VAR}
    if env_value is not None:
        env[legacy_keras.ENV_VAR] = env_value
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_without_the_variable_the_check_fails_clearly():
    result = _run("from components import legacy_keras; legacy_keras.check_legacy_keras()", None)
    assert result.returncode != 0
    assert "KerasVersionError" in result.stderr and "TF_USE_LEGACY_KERAS=1" in result.stderr


def test_the_entry_point_sets_it_before_tensorflow_loads():
    code = (
        "import pipeline.local.runner as r, os, sys\n"
        "assert 'tensorflow' not in sys.modules, 'the runner module must not import TensorFlow'\n"
        "from components import legacy_keras\n"
        "legacy_keras.use_legacy_keras()\n"
        "legacy_keras.check_legacy_keras()\n"
        "print(os.environ['TF_USE_LEGACY_KERAS'])\n"
    )
    result = _run(code, None)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("1")
