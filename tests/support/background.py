"""Work that runs in a thread of its own while the other tests run: its value, or what stopped it, for the tests
that wait for it (the span sequence's runs, Airflow's; tests/e2e/conftest.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """``work`` in a daemon thread from ``start``; ``result`` waits for it up to ``timeout`` seconds, returns its
    value and raises what stopped it."""

    def __init__(self, work: Callable[[], T], *, name: str, timeout: float) -> None:
        self._work, self._timeout = work, timeout
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._done = False
        self._value: T | None = None
        self._error: BaseException | None = None

    def start(self) -> Background[T]:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._value, self._done = self._work(), True
        except BaseException as error:  # noqa: BLE001 - handed to the tests that wait for the work
            self._error = error

    def result(self, unfinished: object = None) -> T:
        """The work's value; ``unfinished`` is what the failure says when it has not finished in time."""
        self._thread.join(timeout=self._timeout)
        if self._error is not None:
            raise self._error
        assert self._done, unfinished or f"{self._thread.name} did not finish within {self._timeout} s"
        return self._value  # type: ignore[return-value]

    def join(self, timeout: float) -> None:
        self._thread.join(timeout=timeout)
