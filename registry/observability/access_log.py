"""The access log: one JSON line per request, written in batches."""

from __future__ import annotations

import logging
import sys
import time
from typing import IO

import orjson

ACCESS_LOGGER = "registry.access"
MAX_BUFFERED_LINES = 1024
LINES_PER_WRITE = 128


class AccessLog:
    """Keeps each request's fields (with the time it ended) and writes them as JSON lines
    in one call per flush. Enabled when the ``registry.access`` logger is at INFO or
    below, so ``LOG_LEVEL`` applies to it as to every other log line."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream
        self._entries: list[tuple[float, str, str, str, str, int, float]] = []
        self.enabled = logging.getLogger(ACCESS_LOGGER).isEnabledFor(logging.INFO)

    def record(self, request_id: str, method: str, route: str, path: str, status: int, seconds: float) -> None:
        self._entries.append((time.time(), request_id, method, route, path, status, seconds))
        if len(self._entries) >= MAX_BUFFERED_LINES:
            self.flush()

    def flush(self) -> None:
        if not self._entries:
            return
        entries, self._entries = self._entries, []
        stream = self._stream or sys.stderr
        for start in range(0, len(entries), LINES_PER_WRITE):
            if start:
                # Formatting thousands of lines at once would stall every request of this
                # worker for milliseconds; under gevent, sleep(0) lets them run in between.
                time.sleep(0)
            stream.write(self._format(entries[start:start + LINES_PER_WRITE]))
        stream.flush()

    def _format(self, entries: list[tuple[float, str, str, str, str, int, float]]) -> str:
        # The constant parts are spelled once and only the request's own strings go through
        # orjson (for escaping): a quarter of the cost of dumping a dict per line.
        lines = []
        second, second_text = -1, b""
        method_and_route: dict[tuple[str, str], bytes] = {}
        for ended, request_id, method, route, path, status, seconds in entries:
            if int(ended) != second:
                second = int(ended)
                second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)).encode()
            fixed = method_and_route.get((method, route))
            if fixed is None:
                fixed = method_and_route[(method, route)] = b'"method":%s,"route":%s' % (_dumps(method), _dumps(route))
            lines.append(
                _LINE % (
                    second_text, int(ended * 1000) % 1000, _dumps(request_id), fixed, _dumps(path[:512]), status,
                    seconds * 1000,
                )
            )
        lines.append(b"")
        return b"\n".join(lines).decode()


_dumps = orjson.dumps
_LINE = (
    b'{"ts":"%s.%03dZ","level":"INFO","logger":"' + ACCESS_LOGGER.encode() + b'","message":"request",'
    b'"request_id":%s,%s,"path":%s,"status":%d,"duration_ms":%.3f}'
)
