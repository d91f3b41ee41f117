"""A local Airflow's folder, port, settings and password file (pipeline/airflow/site.py), with real processes
and sockets but without starting Airflow."""

import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.airflow import settings
from pipeline.airflow import site as site_lib
from pipeline.airflow.api import Credentials
from tests.conftest import REPO_ROOT


def _site(tmp_path: Path) -> site_lib.Site:
    return site_lib.Site(home=tmp_path / "af", port=18123, schedule="none", venv=tmp_path / "venv")


def test_every_airflow_process_gets_the_dag_its_settings_and_nothing_beyond_localhost(tmp_path: Path):
    env = _site(tmp_path).environment({"PATH": "/usr/bin", "PYTHONPATH": "/x", "VIRTUAL_ENV": "/v"})
    home = tmp_path / "af"
    assert env["AIRFLOW_HOME"] == str(home)
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(settings.DAGS_FOLDER)
    assert env[settings.NODES_ENV] == str(home / settings.SHAPE_FOLDER / "nodes.json")
    assert env[settings.SCHEDULE_ENV] == "none"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{home / 'airflow.db'}"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor" and env["AIRFLOW__CORE__PARALLELISM"] == "2"
    assert (env["AIRFLOW__API__HOST"], env["AIRFLOW__API__PORT"]) == ("127.0.0.1", "18123")
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18123/execution/"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == str(home / "passwords.json")
    assert env["PATH"].split(os.pathsep)[0] == str(tmp_path / "venv" / "bin")
    assert "PYTHONPATH" not in env and "VIRTUAL_ENV" not in env  # the TFX side's, not Airflow's
    assert not any("password" in v.lower() and "file" not in k.lower() for k, v in env.items() if "AIRFLOW" in k)


def test_the_admin_password_file_is_owner_only_from_its_creation_and_kept(tmp_path: Path):
    site = _site(tmp_path)
    site_lib.secure_home(site.home)
    first = site_lib.admin_credentials(site)
    assert stat.S_IMODE(site.passwords_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(site.home.stat().st_mode) == 0o700
    assert json.loads(site.passwords_path.read_text()) == {"admin": first.password} and len(first.password) >= 20
    assert site_lib.admin_credentials(site) == first, "made up once"
    site.passwords_path.write_text("admin: x")
    with pytest.raises(site_lib.AirflowError, match=r"passwords\.json: not a password file"):
        site_lib.admin_credentials(site)
    assert "s3cret" not in repr(Credentials("admin", "s3cret"))


def test_a_second_make_airflow_on_one_folder_is_refused_at_once(tmp_path: Path):
    home = tmp_path / "af"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pipeline.airflow import site\n"
         "with site.claimed(__import__('pathlib').Path(sys.argv[1])):\n print('held', flush=True); time.sleep(60)",
         str(home)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        expected = re.escape(f"{home} is in use by another make airflow (pid {holder.pid}")
        with pytest.raises(site_lib.AirflowError, match=expected), site_lib.claimed(home):
            pass
        assert time.monotonic() - started < 1
    finally:
        holder.kill()
        holder.wait()
    with site_lib.claimed(home):  # the kernel dropped the dead holder's lock
        pass


def test_a_taken_port_is_one_line_at_once(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(site_lib.AirflowError, match=f"port {port} on 127.0.0.1 is in use"):
            site_lib.check_port("127.0.0.1", port)
    site_lib.check_port("127.0.0.1", port)
