"""Headers every answer of the registry carries, whoever writes it: the app (through
``registry.http.observation``), the server's own protocol errors and the metrics port.

- ``X-Content-Type-Options: nosniff``: a browser never reads a JSON error body (which may
  quote what the client sent) as HTML or script.
- ``Cache-Control: no-store``: nothing the registry answers may be reused by a cache. A
  schema's content never changes, but its state and annotations do (each change bumps its
  revision), errors and listings are of the moment, and health and metrics are only worth
  anything fresh; so health probes and ``/metrics`` get it too.

They are added once at the WSGI boundary, after the app has answered, so Falcon's routes and
the cached-read shortcut (``registry.http.cached_reads``) give the same headers without either
building them per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

NOSNIFF = ("X-Content-Type-Options", "nosniff")
NO_STORE = ("Cache-Control", "no-store")
COMMON_HEADERS: tuple[tuple[str, str], ...] = (NOSNIFF, NO_STORE)

_WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_common_headers(app: _WSGIApp) -> _WSGIApp:
    """``app`` with ``COMMON_HEADERS`` on every answer (for apps not behind ``ObservedRequests``)."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.extend(COMMON_HEADERS)
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return wrapped
