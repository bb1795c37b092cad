"""Cross-origin requests from browsers, for the origins in ``CORS_ALLOWED_ORIGINS`` only.

With none configured (the default) no answer carries a CORS header, so browsers keep other
sites' pages from reading the registry. Configured, Falcon's ``CORSMiddleware`` answers
preflights (``OPTIONS`` with ``Access-Control-Request-Method``: the route's methods, the
requested headers, a day's ``Access-Control-Max-Age``) and allows the origin on every answer,
errors included; ``X-Request-ID`` and ``Retry-After`` are readable by the page. When specific
origins are allowed the answer depends on ``Origin``, which ``Vary`` says.

Cached reads (``registry.http.cached_reads``) leave requests with an ``Origin`` to Falcon then,
so this is the one place CORS is decided.
"""

from __future__ import annotations

from typing import Any

import falcon
from falcon.middleware import CORSMiddleware

EXPOSED_HEADERS = ("X-Request-ID", "Retry-After")


class AllowedOrigins:
    """Falcon middleware: ``CORSMiddleware``, plus ``Vary: Origin`` for a list of origins."""

    def __init__(self, origins: tuple[str, ...]) -> None:
        self._any = origins == ("*",)
        self._cors: CORSMiddleware[Any, Any] = CORSMiddleware(
            allow_origins="*" if self._any else origins, expose_headers=EXPOSED_HEADERS
        )

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        self._cors.process_response(req, resp, resource, req_succeeded)
        if not self._any and req.get_header("Origin") is not None:
            resp.append_header("Vary", "Origin")


def cors_middleware(origins: tuple[str, ...]) -> list[AllowedOrigins]:
    """The middleware list for ``falcon.App``: empty when no origin is allowed."""
    return [AllowedOrigins(origins)] if origins else []
