"""``/api/v1/schemas``: register and read schema versions."""

from __future__ import annotations

from typing import Any

import falcon
import orjson

from registry.domain.errors import InvalidRequest
from registry.domain.model import CompatibilityMode, CompatibilityPolicy, SchemaFormat, SchemaState
from registry.domain.records import SchemaFilter, VersionChanges
from registry.domain.service import RegistrationRequest, RegistryService
from registry.domain.subjects import join_subject
from registry.domain.versioning import SemVer
from registry.http import fields, representations
from registry.http.body import read_json
from registry.http.pagination import limit_of, page_body, schema_cursor

FORMAT_ALIASES = {
    "JSON_SCHEMA": SchemaFormat.JSON,
    "JSONSCHEMA": SchemaFormat.JSON,
    "PROTO": SchemaFormat.PROTOBUF,
}


def parse_registration(body: Any) -> RegistrationRequest:
    """Both request shapes: the seed's ``{subject, schema, schema_type}`` and the load
    scripts' ``{namespace, name, format, content, version_major, ...}``."""
    body = fields.require_object(body)
    return RegistrationRequest(
        subject=_subject(body),
        schema=_schema(body),
        format=_format(body),
        state=fields.choice(body, "state", SchemaState) or SchemaState.DRAFT,
        compatibility_mode=fields.choice(body, "compatibility_mode", CompatibilityMode),
        compatibility_policy=fields.choice(body, "compatibility_policy", CompatibilityPolicy),
        version=_explicit_version(body),
        description=fields.string(body, "description", max_length=10_000),
        tags=fields.string_list(body, "tags"),
        metadata=fields.json_object(body, "metadata"),
    )


def _subject(body: dict[str, Any]) -> str:
    subject = fields.string(body, "subject")
    namespace = fields.string(body, "namespace")
    name = fields.string(body, "name")
    if namespace is not None or name is not None:
        if not namespace or not name:
            missing = "name" if namespace else "namespace"
            raise InvalidRequest("fields 'namespace' and 'name' must be given together", field=missing)
        joined = join_subject(namespace, name)
        if subject is not None and subject != joined:
            raise InvalidRequest(
                f"field 'subject' ({subject!r}) disagrees with namespace.name ({joined!r})", field="subject"
            )
        return joined
    if subject is None:
        raise InvalidRequest("field 'subject' is required (or 'namespace' and 'name')", field="subject")
    return subject


def _schema(body: dict[str, Any]) -> Any:
    if "schema" in body and body["schema"] is not None:
        schema = body["schema"]
        if not isinstance(schema, (dict, bool, str)):
            raise InvalidRequest("field 'schema' must be a JSON object, a boolean or a string", field="schema")
        return schema
    content = fields.string(body, "content")
    if content is None:
        raise InvalidRequest("field 'schema' is required (or 'content' with the schema as text)", field="schema")
    return content


def _format(body: dict[str, Any]) -> SchemaFormat:
    for name in ("schema_type", "format"):
        chosen = fields.choice(body, name, SchemaFormat, aliases=FORMAT_ALIASES)
        if chosen is not None:
            return chosen
    return SchemaFormat.JSON


def _explicit_version(body: dict[str, Any]) -> SemVer | None:
    text = fields.string(body, "version")
    parts = [fields.integer(body, f"version_{part}") for part in ("major", "minor", "patch")]
    if text is not None:
        if any(part is not None for part in parts):
            raise InvalidRequest("give either 'version' or 'version_major/minor/patch', not both", field="version")
        return SemVer.parse(text)
    if all(part is None for part in parts):
        return None
    if parts[0] is None:
        raise InvalidRequest(
            "field 'version_major' is required with version_minor/version_patch", field="version_major"
        )
    return SemVer(parts[0], parts[1] or 0, parts[2] or 0)


def parse_changes(body: Any) -> VersionChanges:
    body = fields.require_object(body)
    known = {"state", "description", "tags", "metadata"}
    if not known & body.keys():
        raise InvalidRequest("give at least one of: state, description, tags, metadata", field="state")
    if "content" in body or "schema" in body:
        raise InvalidRequest("a registered schema's content never changes; register a new version", field="schema")
    return VersionChanges(
        state=fields.choice(body, "state", SchemaState),
        description=fields.string(body, "description", max_length=10_000),
        clear_description="description" in body and body["description"] is None,
        tags=fields.string_list(body, "tags") if "tags" in body else None,
        metadata=fields.json_object(body, "metadata") if "metadata" in body else None,
    )


def parse_filter(req: falcon.Request) -> SchemaFilter:
    names = ("namespace", "name", "subject_prefix", "format", "state", "tag")
    params = {name: fields.query_param(req, name) for name in names}
    return SchemaFilter(
        namespace=params["namespace"],
        name=params["name"],
        subject_prefix=params["subject_prefix"],
        format=fields.parse_choice(params["format"], "format", SchemaFormat, aliases=FORMAT_ALIASES)
        if params["format"]
        else None,
        state=fields.parse_choice(params["state"], "state", SchemaState) if params["state"] else None,
        tag=params["tag"],
    )


class SchemaCollection:
    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        page = self._service.list_schemas(parse_filter(req), schema_cursor(req), limit_of(req))
        items = [representations.schema_summary(version) for version in page.items]
        resp.content_type = falcon.MEDIA_JSON
        resp.data = orjson.dumps(page_body(items, page.items[-1].seq if page.has_more else None))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        request = parse_registration(read_json(req, self._max_body_bytes))
        result = self._service.register(request)
        resp.status = falcon.HTTP_201 if result.created else falcon.HTTP_200
        resp.content_type = falcon.MEDIA_JSON
        resp.data = orjson.dumps(representations.registration(result.version))


class SchemaItem:
    def __init__(
        self, service: RegistryService, rendered: representations.RenderedSchemas, max_body_bytes: int
    ) -> None:
        self._service = service
        self._rendered = rendered
        self._max_body_bytes = max_body_bytes

    def on_patch(self, req: falcon.Request, resp: falcon.Response, schema_id: str) -> None:
        schema_id = fields.path_schema_id(schema_id)
        changes = parse_changes(read_json(req, self._max_body_bytes))
        version = self._service.update_version(schema_id, changes)
        resp.content_type = falcon.MEDIA_JSON
        resp.data = self._rendered.body(version)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, schema_id: str) -> None:
        version = self._service.delete_version(fields.path_schema_id(schema_id))
        resp.content_type = falcon.MEDIA_JSON
        resp.data = self._rendered.body(version)

    def on_get(self, req: falcon.Request, resp: falcon.Response, schema_id: str) -> None:
        version = self._service.get_schema(fields.path_schema_id(schema_id))
        resp.content_type = falcon.MEDIA_JSON
        resp.data = self._rendered.body(version)
