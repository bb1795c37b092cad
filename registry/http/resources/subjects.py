"""``/api/v1/subjects``: a subject's versions, lifecycle, dry runs and validation."""

from __future__ import annotations

import falcon
import orjson

from registry.domain.errors import InvalidRequest
from registry.domain.model import SchemaFormat
from registry.domain.service import RegistryService
from registry.http import fields, representations
from registry.http.body import read_json
from registry.http.pagination import limit_of, page_body, subject_cursor, version_cursor
from registry.http.resources.schemas import FORMAT_ALIASES
from registry.http.resources.validation import max_errors_of, options_of


def _json(resp: falcon.Response, body: object) -> None:
    resp.content_type = falcon.MEDIA_JSON
    resp.data = orjson.dumps(body)


class SubjectCollection:
    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        page = self._service.list_subjects(fields.query_param(req, "prefix"), subject_cursor(req), limit_of(req))
        items = [representations.subject_summary(summary) for summary in page.items]
        _json(resp, page_body(items, page.items[-1].subject if page.has_more else None))


class SubjectItem:
    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_delete(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        deleted = self._service.delete_subject(subject)
        _json(resp, {"subject": subject, "deleted": [representations.version_entry(v) for v in deleted]})


class SubjectVersions:
    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        page = self._service.list_versions(subject, version_cursor(req), limit_of(req))
        items = [representations.version_entry(version) for version in page.items]
        _json(resp, page_body(items, list(page.items[-1].version.as_tuple()) if page.has_more else None))


class SubjectVersionItem:
    def __init__(self, service: RegistryService, rendered: representations.RenderedSchemas) -> None:
        self._service = service
        self._rendered = rendered

    def on_get(self, req: falcon.Request, resp: falcon.Response, subject: str, version: str) -> None:
        found = self._service.subject_version(subject, version)
        resp.content_type = falcon.MEDIA_JSON
        resp.data = self._rendered.body(found)


class SubjectVersionValidation:
    """``POST /subjects/{subject}/versions/{version|latest}/validate``: the body is the document."""

    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response, subject: str, version: str) -> None:
        max_errors = max_errors_of(req)
        document = read_json(req, self._max_body_bytes)
        found, issues = self._service.validate_subject_version(
            subject, version, document, max_errors=max_errors, options=options_of(req), size=req.content_length
        )
        body = representations.validation_result(issues)
        body["schema_id"], body["version"] = found.id, str(found.version)
        _json(resp, body)


class SubjectCompatibility:
    """``POST /subjects/{subject}/compatibility``: the verdict a registration would meet."""

    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        body = fields.require_object(read_json(req, self._max_body_bytes))
        schema = body.get("schema")
        if schema is None:
            raise InvalidRequest("field 'schema' is required", field="schema")
        fmt = fields.choice(body, "schema_type", SchemaFormat, aliases=FORMAT_ALIASES) or SchemaFormat.JSON
        report = self._service.check_subject_compatibility(subject, schema, fmt)
        result = representations.compatibility_result(report.violations, report.mode.value, report.policy.value)
        result["compared_versions"] = report.compared_versions
        result["identical_to"] = report.identical_to
        _json(resp, result)
