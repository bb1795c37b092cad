"""The registry's gunicorn worker: gunicorn's gevent worker, plus a bound on the connections
one client may hold and protocol errors in the registry's JSON shape.

``gunicorn.conf.py`` names it (``worker_class = registry_worker(...)``), so every setting
comes from ``registry.config`` like the rest.

Connections per client: a gevent worker serves at most ``worker_connections`` (1000)
connections at once and stops accepting beyond that, so without a bound a single client
opening connections that never finish their request (a body that never comes, headers that
trickle in) locks every other client out. Each connection from a peer that is not a trusted
proxy (``registry.http.clients``) counts for that peer's address from accept to close; one
over ``MAX_CONNECTIONS_PER_CLIENT`` is answered 429 ``TOO_MANY_CONNECTIONS`` at once, before
anything is read from it, and closed. A trusted proxy's connections carry many clients, so
they are not counted here; the app counts those clients' requests with a body instead
(``registry.http.connection``), by the address the proxy forwards.

What gunicorn already bounds, and this keeps: the wait for a request's head (request line and
headers, however slowly they trickle in) is at most ``keepalive`` seconds (gevent's worker
reads each head under that timeout, then hangs up), and its size is bounded by
``limit_request_line`` / ``limit_request_fields`` / ``limit_request_field_size``. The wait for
a body is the app's (``BODY_READ_TIMEOUT_SECONDS``, ``registry.http.deadline``).

Counts are per worker process: with ``WEB_CONCURRENCY`` workers a client may hold up to that
many times the limit.
"""

from __future__ import annotations

import logging
import socket
import time
from typing import ClassVar

from gunicorn.http import Request
from gunicorn.workers.ggevent import GeventWorker

from registry.http.clients import ClientSlots, TrustedProxies
from registry.http.connection import TOO_MANY_CONNECTIONS
from registry.server.protocol_errors import classify, error_response, send_and_hang_up

log = logging.getLogger(__name__)

_REFUSALS_LOGGED_EVERY_SECONDS = 10.0


class RegistryWorker(GeventWorker):
    max_connections_per_client: ClassVar[int] = 100

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # gunicorn's own arguments, passed on
        self._proxies = TrustedProxies(self.cfg.forwarded_allow_ips)
        self._peers = ClientSlots(self.max_connections_per_client)
        self._refused_since_logged = 0
        self._refusals_logged_at = 0.0

    def handle(self, listener: socket.socket, client: socket.socket, addr: object) -> None:
        peer = addr[0] if isinstance(addr, tuple) else None
        if peer is None or peer in self._proxies:
            super().handle(listener, client, addr)  # type: ignore[arg-type]  # gunicorn's own address
            return
        if not self._peers.acquire(peer):
            self._refuse(client, peer)
            return
        try:
            super().handle(listener, client, addr)  # type: ignore[arg-type]  # gunicorn's own address
        finally:
            self._peers.release(peer)

    def handle_error(self, req: Request | None, client: socket.socket, addr: object, exc: BaseException) -> None:
        problem = classify(exc)
        peer = addr[0] if isinstance(addr, tuple) and addr else "?"
        if problem.client_error:
            log.warning("invalid request from %s: %s", peer, exc)
        else:
            log.error("error handling request from %s", peer, exc_info=exc)
        response = error_response(problem.status, problem.code, problem.message, path=_path_of(req, exc))
        send_and_hang_up(client, response)

    def _refuse(self, client: socket.socket, peer: str) -> None:
        limit = self.max_connections_per_client
        send_and_hang_up(
            client,
            error_response(
                429,
                TOO_MANY_CONNECTIONS,
                f"too many connections from this client address: at most {limit} per worker process "
                "(MAX_CONNECTIONS_PER_CLIENT)",
                details={"limit": limit},
                headers=(("Retry-After", "1"),),
            ),
        )
        client.close()
        self._refused_since_logged += 1
        now = time.monotonic()
        if now - self._refusals_logged_at >= _REFUSALS_LOGGED_EVERY_SECONDS:
            log.warning(
                "refused %d connections of clients over MAX_CONNECTIONS_PER_CLIENT (%d), the last from %s",
                self._refused_since_logged,
                limit,
                peer,
            )
            self._refused_since_logged, self._refusals_logged_at = 0, now


def _path_of(req: Request | None, exc: BaseException) -> str | None:
    """The request's path, when gunicorn parsed that far (it hangs the request on some errors)."""
    for candidate in (req, getattr(exc, "req", None)):
        if isinstance(candidate, Request) and candidate.path:
            return candidate.path
    return None


def registry_worker(*, max_connections_per_client: int) -> type[RegistryWorker]:
    """The worker class for ``gunicorn.conf.py``, with the registry's settings."""
    limit = max_connections_per_client

    class ConfiguredRegistryWorker(RegistryWorker):
        max_connections_per_client = limit

    ConfiguredRegistryWorker.__name__ = ConfiguredRegistryWorker.__qualname__ = "RegistryWorker"
    return ConfiguredRegistryWorker
