"""The one place where errors become HTTP responses.

Every error body has the same shape, ``{"error", "code", "request_id", ...details}``,
whether it came from the domain, from Falcon (unknown route, wrong method) or from
a bug (500, logged with its traceback) - except on the paths of the Confluent API,
which answer in Confluent's dialect ``{"error_code", "message"}``, mapped in
``registry.http.confluent.errors``. The path decides, so that a route that does not
exist under ``/subjects`` answers like Confluent while ``/nope`` keeps ours.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import falcon
import orjson

from registry.domain import errors
from registry.http.confluent import errors as confluent
from registry.http.observation import request_id_of
from registry.http.problems import HTTPProblem

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[errors.RegistryError], str] = {
    errors.InvalidRequest: falcon.HTTP_422,
    errors.InvalidSchema: falcon.HTTP_422,
    errors.SchemaTooLarge: falcon.HTTP_422,
    errors.UnsupportedFormat: falcon.HTTP_422,
    errors.SchemaNotFound: falcon.HTTP_404,
    errors.SubjectNotFound: falcon.HTTP_404,
    errors.VersionNotFound: falcon.HTTP_404,
    errors.VersionConflict: falcon.HTTP_409,
    errors.CompatibilityModeConflict: falcon.HTTP_409,
    errors.IncompatibleSchema: falcon.HTTP_409,
    errors.InvalidStateTransition: falcon.HTTP_409,
    errors.WriteConflict: falcon.HTTP_409,
    errors.StorageUnavailable: falcon.HTTP_503,
    errors.StorageBusy: falcon.HTTP_503,
    errors.TooComplex: falcon.HTTP_422,
    errors.ComputeBusy: falcon.HTTP_503,
    # Errors of the Confluent-API features (soft deletion, modes, references), reachable from
    # /api/v1 too (a READONLY subject refuses POST /api/v1/schemas): the same status as there.
    errors.SubjectSoftDeleted: falcon.HTTP_404,
    errors.SubjectNotSoftDeleted: falcon.HTTP_404,
    errors.VersionSoftDeleted: falcon.HTTP_404,
    errors.VersionNotSoftDeleted: falcon.HTTP_404,
    errors.SubjectConfigNotFound: falcon.HTTP_404,
    errors.SubjectModeNotFound: falcon.HTTP_404,
    errors.OperationNotPermitted: falcon.HTTP_422,
    errors.ReferenceExists: falcon.HTTP_422,
}

# Codes for errors Falcon raises itself, by status.
CODE_BY_STATUS = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    411: "LENGTH_REQUIRED",
    408: "REQUEST_TIMEOUT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "INVALID_REQUEST",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def error_body(req: falcon.Request, message: str, code: str, details: dict[str, Any] | None = None) -> bytes:
    return _native_body(message, code, request_id_of(req.env), details)


def _native_body(message: str, code: str, request_id: str | None, details: dict[str, Any] | None) -> bytes:
    body: dict[str, Any] = {"error": message, "code": code, "request_id": request_id}
    if details:
        body.update(details)
    return orjson.dumps(body)


def problem_outside_falcon(
    path: str | None,
    status: int,
    code: str,
    message: str,
    request_id: str | None,
    details: dict[str, Any] | None = None,
) -> tuple[str, str, bytes]:
    """Status line, media type and body of an error answered without Falcon, in the shape
    Falcon's handlers give on ``path`` (ours when the path is unknown)."""
    if path is not None and confluent.is_confluent_path(path):
        error = confluent.from_http_status(status, message)
        return error.status, confluent.MEDIA_TYPE, error.body()
    return falcon.code_to_http_status(status), falcon.MEDIA_JSON, _native_body(message, code, request_id, details)


def _render(req: falcon.Request, resp: falcon.Response, status: str | int, body: bytes) -> None:
    resp.status = status
    resp.content_type = falcon.MEDIA_JSON
    resp.data = body


def _render_confluent(resp: falcon.Response, error: confluent.ConfluentError) -> None:
    resp.status = error.status
    resp.content_type = confluent.MEDIA_TYPE
    resp.data = error.body()


def handle_registry_error(
    req: falcon.Request, resp: falcon.Response, exc: errors.RegistryError, params: dict[str, Any]
) -> None:
    if confluent.is_confluent_path(req.path):
        if isinstance(exc, (errors.StorageUnavailable, errors.StorageBusy, errors.ComputeBusy)):
            resp.set_header("Retry-After", "1")
        _render_confluent(resp, confluent.from_registry_error(exc))
        return
    status = _status_of(exc)
    details = dict(exc.details)
    message = exc.message
    if isinstance(exc, errors.CompatibilityModeConflict) and "subject" in exc.details:
        endpoint = f"/api/v1/subjects/{quote(exc.details['subject'], safe='')}/config"
        details["config_endpoint"] = endpoint
        message = f"{message} (PUT {endpoint})"
    if status == falcon.HTTP_503:
        resp.set_header("Retry-After", "1")
    _render(req, resp, status, error_body(req, message, exc.code, details))


def handle_unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception, params: dict[str, Any]) -> None:
    # Falcon's own errors (404 for unknown routes, 405, ...) never get here: its more
    # specific HTTPError handler sends them to serialize_http_error.
    log.exception("unhandled error", extra={"request_id": request_id_of(req.env)})
    if confluent.is_confluent_path(req.path):
        _render_confluent(resp, confluent.unexpected())
        return
    _render(req, resp, falcon.HTTP_500, error_body(req, "internal server error", "INTERNAL_ERROR"))


def serialize_http_error(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
    if isinstance(exc, HTTPProblem):
        code, message, details = exc.problem_code, exc.title, exc.details
    else:
        code = CODE_BY_STATUS.get(exc.status_code, f"HTTP_{exc.status_code}")
        message = exc.description or exc.title or "error"
        details = None
        if exc.status_code == 404:
            message = f"no route for {req.method} {req.path}"
        elif exc.status_code == 405:
            message = f"method {req.method} is not allowed on {req.path}"
    if exc.headers:
        resp.set_headers(exc.headers)
    if confluent.is_confluent_path(req.path):
        _render_confluent(resp, confluent.from_http_status(exc.status_code, message))
        return
    _render(req, resp, exc.status, error_body(req, message, code, details))


def _status_of(exc: errors.RegistryError) -> str:
    for cls in type(exc).__mro__:
        status = STATUS_BY_ERROR.get(cls)
        if status is not None:
            return status
    return falcon.HTTP_500


def install(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(errors.RegistryError, handle_registry_error)
    app.set_error_serializer(serialize_http_error)
