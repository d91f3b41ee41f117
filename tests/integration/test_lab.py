"""make lab: JupyterLab with the committed jupyter_config.json, its settings overridable from make."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.conftest import REPO_ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_committed_config_is_safe_by_default():
    server = json.loads((REPO_ROOT / "jupyter_config.json").read_text())["ServerApp"]
    assert server["ip"] == "127.0.0.1" and server["open_browser"] is False and server["allow_root"] is False


def _start(*make_vars: str) -> subprocess.Popen:
    return subprocess.Popen(
        ["make", "-s", "lab", *make_vars],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def test_make_lab_serves_jupyterlab_on_the_chosen_port():
    port = _free_port()
    server = _start(f"LAB_PORT={port}", "LAB_ALLOW_ROOT=true")
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=5) as response:
                    assert "version" in json.loads(response.read())
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "JupyterLab did not answer within 120 s"
                time.sleep(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=10) as response:
            assert response.status == 200  # a login page: the token protects the server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert f"http://127.0.0.1:{port}/lab" in output


@pytest.mark.skipif(os.geteuid() != 0, reason="only root is refused")
def test_root_is_refused_unless_allowed():
    server = _start(f"LAB_PORT={_free_port()}", "LAB_ALLOW_ROOT=false")
    output, _ = server.communicate(timeout=120)
    assert server.returncode != 0
    assert "Running as root is not recommended" in output
