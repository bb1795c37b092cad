"""``/schemas``: schemas by their global id, and the supported schema types."""

from __future__ import annotations

import base64

import falcon

from registry.domain.service import RegistryService
from registry.http.confluent import params
from registry.http.confluent.documents import schema_document, send, send_text


def serialized_text(service: RegistryService, global_id: int) -> str:
    """The base64 FileDescriptorProto of a PROTOBUF schema; the service refuses other formats (422)."""
    return base64.b64encode(service.serialized_schema(global_id)).decode()


class SchemaById:
    """``GET /schemas/ids/{id}?format=&subject=&fetchMaxId=``. ``subject`` only picks a context in
    Confluent (there is one here), so it is accepted and ignored; ``fetchMaxId`` adds ``maxId``."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, schema_id: str) -> None:
        global_id = params.schema_id(schema_id)
        fetch_max_id = params.flag(req, "fetchMaxId")
        serialized = params.wants_serialized(req)
        schema = self._service.global_schema(global_id)
        document = schema_document(schema, serialized_text(self._service, global_id) if serialized else None)
        if fetch_max_id:
            document["maxId"] = self._service.max_global_id()
        send(resp, document)


class SchemaTextById:
    """``GET /schemas/ids/{id}/schema?format=``: the schema text alone."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, schema_id: str) -> None:
        global_id = params.schema_id(schema_id)
        if params.wants_serialized(req):
            send_text(resp, serialized_text(self._service, global_id))
        else:
            send_text(resp, self._service.global_schema(global_id).content)


class SchemaSubjects:
    """``GET /schemas/ids/{id}/subjects?deleted=``: the subjects holding the schema, sorted."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, schema_id: str) -> None:
        usages = self._service.global_id_usages(params.schema_id(schema_id), params.flag(req, "deleted"))
        send(resp, params.window(req, sorted({usage.subject for usage in usages})))


class SchemaVersions:
    """``GET /schemas/ids/{id}/versions?deleted=``: ``[{"subject", "version"}]``."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, schema_id: str) -> None:
        usages = self._service.global_id_usages(params.schema_id(schema_id), params.flag(req, "deleted"))
        pairs = sorted((usage.subject, usage.version_number) for usage in usages)
        send(resp, params.window(req, [{"subject": subject, "version": number} for subject, number in pairs]))


class SchemaTypes:
    """``GET /schemas/types``."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send(resp, self._service.schema_types())
