"""A deadline for reading a request body (``BODY_READ_TIMEOUT_SECONDS``).

A client that announces a body and then sends it slowly, or not at all, would otherwise hold
its greenlet (one of the worker's ``worker_connections``) for as long as it likes: enough of
them lock every other client out. gunicorn bounds the wait for a request's head (its
``keepalive`` timeout) but not for its body, which the app reads.

The deadline runs from the app's first read of the body, so it bounds the whole body, however
it trickles in, not each read. It is a timer on gevent's loop around each read, which costs
well under a microsecond when the body is already there (the timer is started and stopped,
never fired); when it fires it raises ``BodyReadTimeout`` in the reading greenlet, wherever
the read waits. A thread without gevent's hub (Falcon's test client) cannot wait on the loop,
so its reads go unwatched, and no hub is made for it.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from gevent import getcurrent
from gevent._hub_local import get_hub_if_exists  # public in gevent's own __all__ for the module


class BodyReadTimeout(Exception):
    """The body did not arrive within ``seconds`` of the app starting to read it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request body was not received within {seconds:g} seconds")
        self.seconds = seconds


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class DeadlineInput:
    """A ``wsgi.input`` whose reads all end by one deadline, ``timeout`` after the first read."""

    __slots__ = ("_deadline", "_stream", "_timeout")

    def __init__(self, stream: _Readable, timeout: float) -> None:
        self._stream = stream
        self._timeout = timeout
        self._deadline: float | None = None

    def read(self, size: int = -1) -> bytes:
        hub = get_hub_if_exists()
        if hub is None:
            return self._stream.read(size)
        now = time.monotonic()
        if self._deadline is None:
            self._deadline = now + self._timeout
        remaining = self._deadline - now
        if remaining <= 0:
            raise BodyReadTimeout(self._timeout)
        timer = hub.loop.timer(remaining)
        timer.start(self._expire, getcurrent())
        try:
            return self._stream.read(size)
        finally:
            timer.close()

    def _expire(self, reader: Any) -> None:
        reader.throw(BodyReadTimeout(self._timeout))
