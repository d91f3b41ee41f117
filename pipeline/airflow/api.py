"""Airflow 3's REST API (``/api/v2``), as the admin of a local Airflow (pipeline/airflow/local.py).

A bearer token from the API server's ``/auth/token`` (the simple auth manager's user and password), asked for
once and again when it is refused. Only the standard library: scripts and tests drive a running Airflow
without importing it (the TFX virtualenv has no Airflow).
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.parse
import urllib.request


@dataclasses.dataclass(frozen=True)
class Credentials:
    username: str
    password: str = dataclasses.field(repr=False)


class Api:
    """Airflow 3's REST API on the site, as its admin."""

    def __init__(self, url: str, credentials: Credentials) -> None:
        self._url = url
        self._credentials = credentials
        self._token: str | None = None

    def token(self) -> str:
        """A bearer token for the admin (``POST /auth/token``)."""
        if self._token is None:
            body = {"username": self._credentials.username, "password": self._credentials.password}
            answer = self._send("POST", f"{self._url}/auth/token", body, authorized=False)
            self._token = answer["access_token"]
        return self._token

    def _send(self, method: str, url: str, body: dict | None, *, authorized: bool, timeout: float = 30) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if authorized:
            headers["Authorization"] = f"Bearer {self.token()}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, method=method, data=data, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")

    def call(self, method: str, path: str, body: dict | None = None, *, timeout: float = 30) -> dict:
        """``method /api/v2/path`` with the admin's token (asked for again once when it has expired)."""
        url = f"{self._url}/api/v2/{path}"
        try:
            return self._send(method, url, body, authorized=True, timeout=timeout)
        except urllib.error.HTTPError as error:
            if error.code != 401:
                raise
            self._token = None
            return self._send(method, url, body, authorized=True, timeout=timeout)

    def health(self) -> dict | None:
        """``/api/v2/monitor/health`` (no token needed), or None while the API server does not answer."""
        try:
            with urllib.request.urlopen(f"{self._url}/api/v2/monitor/health", timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            return None

    def dag(self, dag_id: str) -> dict | None:
        try:
            return self.call("GET", f"dags/{urllib.parse.quote(dag_id)}")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def unpause(self, dag_id: str) -> dict:
        return self.call("PATCH", f"dags/{urllib.parse.quote(dag_id)}?update_mask=is_paused", {"is_paused": False})

    def import_errors(self) -> list[str]:
        errors = self.call("GET", "importErrors").get("import_errors", [])
        return [f"{e['filename']}: {e['stack_trace'].strip().splitlines()[-1]}" for e in errors]

    def trigger(self, dag_id: str, run_id: str) -> dict:
        return self.call("POST", f"dags/{dag_id}/dagRuns", {"dag_run_id": run_id, "logical_date": None})

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.call("GET", f"dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        path = f"dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}/taskInstances?limit=100"
        return self.call("GET", path)["task_instances"]

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int = 1) -> str:
        """The task's log, one line per event, as the UI shows it."""
        path = f"dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}/taskInstances/{task_id}/logs/{try_number}"
        content = self.call("GET", f"{path}?full_content=true").get("content", [])
        lines = []
        for item in content:
            lines.append(item.get("event", "") if isinstance(item, dict) else str(item))
        return "\n".join(lines)
