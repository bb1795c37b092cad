"""Per-request bookkeeping at the WSGI boundary: request id, the headers every answer
carries (``registry.http.headers``), metrics, one access log line.

Every request pays for this, so it wraps the Falcon app instead of being Falcon
middleware: one closure and a few dict operations, where the middleware went through
``req.context`` attributes, header lookups and Falcon's middleware stacks.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from registry.http.headers import COMMON_HEADERS
from registry.observability.access_log import AccessLog
from registry.observability.metrics import RequestMetrics

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# WSGI environ keys of ours (PEP 3333 reserves dotted lowercase names for servers and middleware).
REQUEST_ID_KEY = "registry.request_id"
ROUTE_KEY = "registry.route"  # the matched route template, set by registry.http.routing

# Every path that matched no route shares one label, so scanners cannot explode the metric's cardinality.
UNMATCHED_ROUTE = "<unmatched>"
# A caller's X-Request-ID is echoed in a header, written into every log line and error body:
# only ids of at most 128 characters that are safe everywhere are kept (UUIDs, hex and base64
# trace ids, "svc:1234"), anything else is replaced by a new id, never cleaned up and echoed.
MAX_REQUEST_ID_LENGTH = 128
_fit_request_id = re.compile(rf"[A-Za-z0-9._:/+=@-]{{1,{MAX_REQUEST_ID_LENGTH}}}").fullmatch

# Generated ids: a random per-process prefix and a counter, unique across workers and
# restarts without paying for a UUID per request. The counter starts at 2**63 so its
# hex spelling is always 16 digits without a format spec (which costs more than the rest).
# A forked process draws its own prefix: the gunicorn master imports this module (through
# the worker class) before it forks the workers.
_ID_PREFIX = ""
_next_id: Callable[[], int] = itertools.count().__next__


def _new_id_sequence() -> None:
    global _ID_PREFIX, _next_id
    _ID_PREFIX = os.urandom(8).hex()
    _next_id = itertools.count(1 << 63).__next__


_new_id_sequence()
os.register_at_fork(after_in_child=_new_id_sequence)


def _request_id(sent: str | None) -> str:
    if sent and _fit_request_id(sent):
        return sent
    return _ID_PREFIX + format(_next_id(), "x")


def new_request_id() -> str:
    """An id for an answer written outside the app (the server's protocol errors)."""
    return _ID_PREFIX + format(_next_id(), "x")


def request_id_of(environ: dict[str, Any]) -> str | None:
    return environ.get(REQUEST_ID_KEY)


class ObservedRequests:
    """Gives every request an id (the caller's ``X-Request-ID`` when sane, else a new one),
    answers it in ``X-Request-ID`` with the common headers, and counts and logs the request
    once it is answered."""

    def __init__(self, app: WSGIApp, metrics: RequestMetrics, access_log: AccessLog) -> None:
        self._app = app
        self._metrics = metrics
        self._access_log = access_log

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = environ[REQUEST_ID_KEY] = _request_id(environ.get("HTTP_X_REQUEST_ID"))
        statuses: list[str] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            headers.append(("X-Request-ID", request_id))
            headers.extend(COMMON_HEADERS)
            return start_response(status, headers, exc_info)

        try:
            body = self._app(environ, start)
        except BaseException:
            # The server answers 500 to an app that raised; count it as that.
            statuses.append("500")
            raise
        finally:
            duration = time.perf_counter() - started
            method = environ.get("REQUEST_METHOD", "")
            route = environ.get(ROUTE_KEY, UNMATCHED_ROUTE)
            status = statuses[-1][:3] if statuses else "500"
            self._metrics.observe(method, route, status, duration)
            if self._access_log.enabled:
                self._access_log.record(request_id, method, route, environ.get("PATH_INFO", ""), int(status), duration)
        return body
