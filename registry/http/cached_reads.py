"""``GET /api/v1/schemas/{id}`` answered from the worker's memory, before Falcon.

This is the registry's hottest request, and for a schema the worker already holds the
answer is a body rendered once. Building Falcon's request and response objects and
routing would then cost as much as everything else the worker does for the request, so
a read whose schema is in the worker's cache is answered here, with the response
Falcon's route gives (the same status, headers and body: tests compare the two).

Anything else goes on to Falcon unchanged: other methods and routes, query strings,
trailing slashes, encoded slashes and ids not in canonical form, every schema this
worker does not hold, so misses, errors and the shared cache and database paths have one
implementation, and, when CORS is configured (``registry.http.cors``), requests from a
browser page (with an ``Origin``).

The headers every answer carries (``registry.http.headers``) are added outside both, by
``registry.http.observation``, so they cost nothing here and cannot differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from registry.domain.service import RegistryService
from registry.http.observation import ROUTE_KEY, WSGIApp
from registry.http.representations import RenderedSchemas
from registry.http.routing import has_encoded_slash

SCHEMA_PATH_PREFIX = "/api/v1/schemas/"
SCHEMA_ROUTE = SCHEMA_PATH_PREFIX + "{schema_id}"
_JSON_CONTENT_TYPE = ("content-type", "application/json")


class CachedSchemaReads:
    """Answers reads of schemas held in the worker's memory; passes every other request to ``app``."""

    def __init__(
        self, app: WSGIApp, service: RegistryService, rendered: RenderedSchemas, *, cors: bool = False
    ) -> None:
        """``cors``: Falcon answers cross-origin requests (CORS_ALLOWED_ORIGINS is set)."""
        self._app = app
        self._service = service
        self._rendered = rendered
        self._cors = cors

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if (
            path.startswith(SCHEMA_PATH_PREFIX)
            and environ.get("REQUEST_METHOD") == "GET"
            and not environ.get("QUERY_STRING")
            # Falcon routes on the undecoded segments then, where "/api/v1%2Fschemas/<id>" is no route.
            and not has_encoded_slash(environ.get("RAW_URI", ""))
            and not (self._cors and "HTTP_ORIGIN" in environ)
        ):
            # A lookup by whatever follows the prefix: only a canonical id of a schema held
            # here can match, so "a/b", "x/" or an upper-case UUID all go on to Falcon.
            version = self._service.cached_schema(path[len(SCHEMA_PATH_PREFIX) :])
            if version is not None:
                try:
                    body = self._rendered.body(version)
                except Exception:  # noqa: BLE001 - Falcon renders it again and answers the error in our shape
                    return self._app(environ, start_response)
                environ[ROUTE_KEY] = SCHEMA_ROUTE
                start_response("200 OK", [_JSON_CONTENT_TYPE, ("content-length", str(len(body)))])
                return (body,)
        return self._app(environ, start_response)
