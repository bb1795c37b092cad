"""Closing the connection after a refused oversized body.

An app may not send hop-by-hop headers through WSGI, and gunicorn drops a
``Connection: close`` header an app sets. Without closing, gunicorn would read and
discard the rest of an oversized body to reach the next request on the
connection. gunicorn's ``start_response`` is a method of its response object,
whose ``force_close()`` makes it answer with ``Connection: close`` and hang up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from registry.http.observation import WSGIApp


def close_when_asked(app: WSGIApp) -> WSGIApp:
    """Only a request with a body can be refused as too large: others go straight to the app."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("CONTENT_LENGTH") and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", ""):
            return app(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("413") and any(
                name.lower() == "connection" and value.lower() == "close" for name, value in headers
            ):
                force_close = getattr(getattr(start_response, "__self__", None), "force_close", None)
                if force_close is not None:
                    force_close()
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return wrapped
