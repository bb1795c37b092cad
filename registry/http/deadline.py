"""A deadline for reading a request body (``BODY_READ_TIMEOUT_SECONDS``).

A client that announces a body and then sends it slowly, or not at all, would otherwise hold
its greenlet (one of the worker's ``worker_connections``) for as long as it likes: enough of
them lock every other client out. gunicorn bounds the wait for a request's head (its
``keepalive`` timeout) but not for its body, which the app reads.

The guard of requests with a body (``registry.http.connection``) puts the timeout in the
request's environ, and ``registry.http.body`` reads the whole body through ``read_within``:
one timer on gevent's loop around the whole read, so the bound is for the body however it
trickles in, not for each socket read. When the body is already there the timer is started
and stopped, never fired (a few hundred nanoseconds); when it fires it raises
``BodyReadTimeout`` in the reading greenlet, wherever the read waits. A thread without
gevent's hub (Falcon's test client) cannot wait on the loop, so its reads go unwatched, and
no hub is made for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from gevent import getcurrent
from gevent._hub_local import get_hub_if_exists  # public in gevent's own __all__ for the module

# WSGI environ key of ours: the seconds a body has to arrive in, once the app starts reading it.
BODY_READ_TIMEOUT_KEY = "registry.body_read_timeout"

Result = TypeVar("Result")


class BodyReadTimeout(Exception):
    """The body did not arrive within ``seconds`` of the app starting to read it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request body was not received within {seconds:g} seconds")
        self.seconds = seconds


def read_within(seconds: float | None, read: Callable[..., Result], *args: Any) -> Result:
    """``read(*args)``, which raises ``BodyReadTimeout`` where it waits once ``seconds`` have passed."""
    hub = get_hub_if_exists()
    if seconds is None or hub is None:
        return read(*args)
    timer = hub.loop.timer(seconds)
    timer.start(_expire, getcurrent(), seconds)
    try:
        return read(*args)
    finally:
        timer.close()


def _expire(reader: Any, seconds: float) -> None:
    reader.throw(BodyReadTimeout(seconds))
