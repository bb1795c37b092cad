"""The access log: one JSON line per request, written in batches."""

from __future__ import annotations

import logging
import sys
import time
from typing import IO, Any

import orjson

ACCESS_LOGGER = "registry.access"
MAX_BUFFERED_LINES = 1024


class AccessLog:
    """Formats a request's line at once (so it carries the right time) and writes
    buffered lines in one call. Enabled when the ``registry.access`` logger is at INFO
    or below, so ``LOG_LEVEL`` applies to it as to every other log line."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream
        self._lines: list[bytes] = []
        self.enabled = logging.getLogger(ACCESS_LOGGER).isEnabledFor(logging.INFO)
        self._second = -1
        self._second_text = ""

    def _timestamp(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second, self._second_text = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._second_text}.{int(now * 1000) % 1000:03d}Z"

    def record(self, entry: dict[str, Any]) -> None:
        line = {
            "ts": self._timestamp(),
            "level": "INFO",
            "logger": ACCESS_LOGGER,
            "message": "request",
            **entry,
        }
        self._lines.append(orjson.dumps(line))
        if len(self._lines) >= MAX_BUFFERED_LINES:
            self.flush()

    def flush(self) -> None:
        if not self._lines:
            return
        lines, self._lines = self._lines, []
        stream = self._stream or sys.stderr
        stream.write(b"\n".join(lines).decode() + "\n")
        stream.flush()
