"""``/api/v1/validate``: validate documents against registered schemas."""

from __future__ import annotations

import falcon
import orjson

from registry.domain.errors import InvalidRequest
from registry.domain.model import NO_VALIDATION_OPTIONS, ValidationOptions
from registry.domain.service import RegistryService
from registry.http import fields, representations
from registry.http.body import read_json

MAX_ERRORS_LIMIT = 10_000


def options_of(req: falcon.Request) -> ValidationOptions:
    """``?encoding=`` (Avro) and ``?message=`` (Protobuf); formats without the choice ignore them."""
    if not fields.has_query(req):  # the common case, on the validation hot path
        return NO_VALIDATION_OPTIONS
    encoding, message = fields.query_param(req, "encoding"), fields.query_param(req, "message")
    if encoding is None and message is None:
        return NO_VALIDATION_OPTIONS
    return ValidationOptions(encoding=encoding, message=message)


def max_errors_of(req: falcon.Request) -> int:
    raw = fields.query_param(req, "max_errors") if fields.has_query(req) else None
    if raw is None:
        return 100
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest("query parameter 'max_errors' must be an integer", field="max_errors") from None
    if not 1 <= value <= MAX_ERRORS_LIMIT:
        raise InvalidRequest(
            f"query parameter 'max_errors' must be between 1 and {MAX_ERRORS_LIMIT}", field="max_errors"
        )
    return value


class ValidateById:
    """``POST /api/v1/validate/{id}``: the body is the document."""

    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response, schema_id: str) -> None:
        schema_id = fields.path_schema_id(schema_id)
        max_errors = max_errors_of(req)
        document = read_json(req, self._max_body_bytes)
        issues = self._service.validate(
            schema_id, document, max_errors=max_errors, options=options_of(req), size=req.content_length
        )
        resp.content_type = falcon.MEDIA_JSON
        resp.data = orjson.dumps(representations.validation_result(issues))


class ValidateEnvelope:
    """``POST /api/v1/validate`` with ``{"schema_id", "data"}``."""

    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        max_errors = max_errors_of(req)
        body = fields.require_object(read_json(req, self._max_body_bytes))
        if "data" not in body:
            raise InvalidRequest("field 'data' is required (the document to validate)", field="data")
        schema_id = fields.schema_id(body.get("schema_id"), "schema_id")
        # The envelope's length stands for the document's: it is a little more.
        issues = self._service.validate(
            schema_id, body["data"], max_errors=max_errors, options=options_of(req), size=req.content_length
        )
        resp.content_type = falcon.MEDIA_JSON
        resp.data = orjson.dumps(representations.validation_result(issues))
