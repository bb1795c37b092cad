"""The access log: one JSON line per request, written in batches."""

from __future__ import annotations

import logging
import os
import select
import stat
import sys
import time
from collections.abc import Callable

import orjson

from registry.observability.batching import blocking_call

ACCESS_LOGGER = "registry.access"
# Enough for a flush interval at 16,000 requests/s per worker; past it the request that
# fills the buffer writes it out itself.
MAX_BUFFERED_LINES = 4096
LINES_PER_BATCH = 128
# Two workers share the server's stderr: a write of at most PIPE_BUF bytes to a pipe is
# never interleaved with another's, so no line is cut by the other worker's output.
ATOMIC_WRITE_BYTES = getattr(select, "PIPE_BUF", 512)

# Receives a flush's lines, each ending in a newline.
Sink = Callable[[list[bytes]], None]


def write_to_stderr(lines: list[bytes]) -> None:
    stream = sys.stderr
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by an in-memory stream (tests, embedding)
        stream.write(b"".join(lines).decode())
        stream.flush()
        return
    if stat.S_ISREG(os.fstat(descriptor).st_mode):
        # The workers share the master's open file, and the kernel does not split one
        # write to a regular file with another's, whatever its size: so one system call
        # (and one hand-over of the GIL from the writing thread) per flush.
        chunks = [b"".join(lines)]
    else:
        chunks = _atomic_chunks(lines)
    for chunk in chunks:
        view = memoryview(chunk)
        while view:
            view = view[os.write(descriptor, view) :]


class AccessLog:
    """Keeps each request's fields (with the time it ended) and writes them as JSON lines
    at each flush. Enabled when the ``registry.access`` logger is at INFO or below, so
    ``LOG_LEVEL`` applies to it as to every other log line.

    The writing itself goes through ``blocking_call``: a write to a log file or to a
    full pipe can wait on the kernel for tens of milliseconds, and must not hold up the
    requests of the worker meanwhile.
    """

    def __init__(self, sink: Sink = write_to_stderr) -> None:
        self._sink = sink
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
        lines: list[bytes] = []
        for start in range(0, len(entries), LINES_PER_BATCH):
            if start:
                # Formatting thousands of lines at once would stall every request of this
                # worker for milliseconds; under gevent, sleep(0) lets them run in between.
                time.sleep(0)
            lines.extend(self._format(entries[start : start + LINES_PER_BATCH]))
        blocking_call(self._sink, lines)

    def _format(self, entries: list[tuple[float, str, str, str, str, int, float]]) -> list[bytes]:
        # The constant parts are spelled once and only the request's own strings go through
        # orjson (for escaping): a quarter of the cost of dumping a dict per line.
        lines: list[bytes] = []
        append, dumps, line = lines.append, orjson.dumps, _LINE
        second, second_text = -1, b""
        method_and_route: dict[tuple[str, str], bytes] = {}
        for ended, request_id, method, route, path, status, seconds in entries:
            whole = int(ended)
            if whole != second:
                second = whole
                second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)).encode()
            fixed = method_and_route.get((method, route))
            if fixed is None:
                fixed = method_and_route[(method, route)] = b'"method":%s,"route":%s' % (dumps(method), dumps(route))
            millisecond = (ended - whole) * 1000
            duration = seconds * 1000
            append(line % (second_text, millisecond, dumps(request_id), fixed, dumps(path[:512]), status, duration))
        return lines


_LINE = (
    b'{"ts":"%s.%03dZ","level":"INFO","logger":"' + ACCESS_LOGGER.encode() + b'","message":"request",'
    b'"request_id":%s,%s,"path":%s,"status":%d,"duration_ms":%.3f}\n'
)


def _atomic_chunks(lines: list[bytes]) -> list[bytes]:
    """Whole lines joined into pieces of at most ATOMIC_WRITE_BYTES. (The longest line,
    with every character of the 512 logged of the path escaped, is still shorter.)"""
    data = b"".join(lines)
    chunks: list[bytes] = []
    start, size = 0, len(data)
    while size - start > ATOMIC_WRITE_BYTES:
        end = data.rfind(b"\n", start, start + ATOMIC_WRITE_BYTES) + 1
        if end <= start:  # a single line longer than a piece: it goes out alone
            end = data.index(b"\n", start) + 1
        chunks.append(data[start:end])
        start = end
    if start < size:
        chunks.append(data[start:])
    return chunks
