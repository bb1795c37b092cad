"""Is a server still answering while it works on something heavy? ``HealthPoller`` asks
``GET /healthz`` over and over on a thread of its own and keeps every answer's latency."""

from __future__ import annotations

import http.client
import math
import threading
import time
from types import TracebackType


class HealthPoller:
    """Polls ``/healthz`` on ``port`` until stopped: one request at a time, each on a new
    connection, ``interval`` seconds apart. A poll not answered 200 within ``timeout`` is a
    failure; its time still counts as its latency."""

    def __init__(self, port: int, *, interval: float = 0.02, timeout: float = 10.0) -> None:
        self._port = port
        self._interval = interval
        self._timeout = timeout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="healthz-poller", daemon=True)
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def __enter__(self) -> HealthPoller:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(self._timeout + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            failure = self._poll()
            self.latencies.append(time.perf_counter() - started)
            if failure is not None:
                self.failures.append(failure)
            self._stop.wait(self._interval)

    def _poll(self) -> str | None:
        connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=self._timeout)
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            return None if response.status == 200 else f"status {response.status}"
        except OSError as error:
            return f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    def percentile(self, fraction: float) -> float:
        """The latency that ``fraction`` of the polls stayed within (the slowest, with few polls)."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    def summary(self) -> str:
        if not self.latencies:
            return "no polls"
        return (
            f"{len(self.latencies)} polls, p50 {self.percentile(0.5) * 1000:.1f} ms, "
            f"p99 {self.percentile(0.99) * 1000:.1f} ms, max {max(self.latencies) * 1000:.1f} ms, "
            f"{len(self.failures)} failed{': ' + self.failures[0] if self.failures else ''}"
        )
