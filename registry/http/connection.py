"""Requests that carry a body, at the WSGI boundary: each client's share of the worker, the
deadline for reading the body, and closing the connection when the body is left unread.

Only a body can keep a request waiting on its client once gunicorn has parsed the head, so
requests without one go straight to the app and pay for none of this.

- A client (``registry.http.clients``) may have at most ``MAX_CONNECTIONS_PER_CLIENT``
  requests with a body in progress in a worker; beyond that it gets 429
  ``TOO_MANY_CONNECTIONS`` at once. This is what bounds a client behind a trusted proxy
  (Heroku's router), whose requests all come over the proxy's connections; a client that
  connects directly is bounded before this, per connection, by the gunicorn worker
  (``registry.server.worker``).
- The request carries ``BODY_READ_TIMEOUT_SECONDS`` (``registry.http.deadline``), by which
  ``registry.http.body`` must have read the body, or answer 408.
- Closing: an app may not send hop-by-hop headers through WSGI, and gunicorn drops a
  ``Connection: close`` header an app sets. Without closing, gunicorn would read and discard
  the rest of a refused, late or malformed body to reach the next request on the connection.
  gunicorn's ``start_response`` is a method of its response object, whose ``force_close()``
  makes it answer with ``Connection: close`` and hang up; an error answer that carries
  ``Connection: close`` (413, 408, a malformed body, the 429 above) calls it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from registry.http.clients import ClientSlots, TrustedProxies, client_of
from registry.http.deadline import BODY_READ_TIMEOUT_KEY
from registry.http.errors import problem_outside_falcon
from registry.http.observation import WSGIApp, request_id_of

TOO_MANY_CONNECTIONS = "TOO_MANY_CONNECTIONS"


def guard_request_bodies(
    app: WSGIApp,
    refused: WSGIApp,
    *,
    read_timeout_seconds: float,
    proxies: TrustedProxies,
    slots: ClientSlots,
) -> WSGIApp:
    """``app`` for requests with a body, within the client's share and the read deadline;
    ``refused`` answers a client over its share. (A closure, not a class: every request,
    the cached reads first, passes through it, and calling a closure costs less.)"""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("CONTENT_LENGTH") and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", ""):
            return app(environ, start_response)
        start = _closing_when_asked(start_response)
        client = client_of(environ, proxies)
        if not slots.acquire(client):
            return refused(environ, start)
        environ[BODY_READ_TIMEOUT_KEY] = read_timeout_seconds
        try:
            return app(environ, start)
        finally:
            slots.release(client)

    return guarded


def refuse_busy_client(limit: int) -> WSGIApp:
    """The answer to a client with ``limit`` requests with a body already in progress."""
    message = (
        f"too many requests with a body in progress from this client: at most {limit} "
        "per worker process (MAX_CONNECTIONS_PER_CLIENT)"
    )

    def refuse(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        status, media_type, body = problem_outside_falcon(
            environ.get("PATH_INFO"), 429, TOO_MANY_CONNECTIONS, message, request_id_of(environ), {"limit": limit}
        )
        start_response(
            status,
            [
                ("Content-Type", media_type),
                ("Content-Length", str(len(body))),
                ("Retry-After", "1"),
                ("Connection", "close"),
            ],
        )
        return (body,)

    return refuse


def _closing_when_asked(start_response: Callable[..., Any]) -> Callable[..., Any]:
    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if status[0] == "4" and any(
            name.lower() == "connection" and value.lower() == "close" for name, value in headers
        ):
            force_close = getattr(getattr(start_response, "__self__", None), "force_close", None)
            if force_close is not None:
                force_close()
        return start_response(status, headers, exc_info)

    return start
