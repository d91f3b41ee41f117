"""Airflow's stable REST API (v1), as the admin of a local Airflow (pipeline/airflow/local.py).

Basic authentication, which ``make airflow`` enables beside the web UI's sessions. Only the
standard library: scripts and tests drive a running Airflow without importing it.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import urllib.error
import urllib.request


@dataclasses.dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    def header(self) -> str:
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()


class Api:
    """Airflow's stable REST API (v1) on the site, as its admin."""

    def __init__(self, url: str, credentials: Credentials) -> None:
        self._url = url
        self._auth = credentials.header()

    def call(self, method: str, path: str, body: dict | None = None, *, timeout: float = 30) -> dict:
        request = urllib.request.Request(
            f"{self._url}/api/v1/{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": self._auth, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")

    def health(self) -> dict | None:
        """The web server's /health answer, or None while it does not answer."""
        try:
            with urllib.request.urlopen(f"{self._url}/health", timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            return None

    def dag(self, dag_id: str) -> dict | None:
        try:
            return self.call("GET", f"dags/{dag_id}")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def import_errors(self) -> list[str]:
        errors = self.call("GET", "importErrors").get("import_errors", [])
        return [f"{e['filename']}: {e['stack_trace'].strip().splitlines()[-1]}" for e in errors]

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.call("GET", f"dags/{dag_id}/dagRuns/{run_id}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.call("GET", f"dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=100")["task_instances"]
