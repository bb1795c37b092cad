"""``/subjects``: Confluent's subjects, their versions, lookups and deletions."""

from __future__ import annotations

import falcon

from registry.domain.model import SchemaState
from registry.domain.service import RegistrationRequest, RegistryService
from registry.http import fields
from registry.http.confluent import params
from registry.http.confluent.documents import registration_document, send, send_text, version_document
from registry.http.confluent.schemas import serialized_text

# Confluent's default subjectPrefix: every subject of the default context (the only one here).
_ALL_SUBJECTS = ":*:"


class Subjects:
    """``GET /subjects?subjectPrefix=&deleted=``: subject names, sorted."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        prefix = fields.query_param(req, "subjectPrefix")
        if prefix in ("", _ALL_SUBJECTS):
            prefix = None
        names = self._service.subject_names(prefix, params.flag(req, "deleted"))
        send(resp, params.window(req, names))


class Subject:
    """``POST /subjects/{subject}`` (is this schema registered here?) and ``DELETE /subjects/{subject}``."""

    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        include_deleted = params.flag(req, "deleted")
        params.flag(req, "normalize")  # checked, then moot: lookups always compare normalised content
        wanted = params.schema_request(params.read_body(req, self._max_body_bytes))
        found = self._service.lookup(subject, wanted.schema, wanted.format, wanted.references, include_deleted)
        send(resp, version_document(found))

    def on_delete(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        if params.flag(req, "permanent"):
            send(resp, self._service.hard_delete_subject(subject))
        else:
            send(resp, self._service.soft_delete_subject(subject))


class SubjectVersions:
    """``GET /subjects/{subject}/versions`` (version numbers) and ``POST`` (register)."""

    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        numbers = self._service.version_numbers(subject, params.flag(req, "deleted"))
        send(resp, params.window(req, numbers))

    def on_post(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        params.flag(req, "normalize")  # checked, then moot: content is always compared normalised
        body = params.read_body(req, self._max_body_bytes)
        wanted = params.schema_request(body)
        # "metadata" and "ruleSet" (Confluent's data contracts) are accepted and ignored.
        result = self._service.register(
            RegistrationRequest(
                subject=subject,
                schema=wanted.schema,
                format=wanted.format,
                state=SchemaState.ACTIVE,
                references=wanted.references,
                global_id=params.registration_id(body),
                version_number=params.registration_version(body),
            )
        )
        send(resp, registration_document(result.version))


class SubjectVersion:
    """``GET|DELETE /subjects/{subject}/versions/{version}``. The label (``latest``, ``-1``, a number)
    goes to the service as text, which refuses what is no version (42202); GET takes ``format`` as
    ``/schemas/ids/{id}`` does."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, subject: str, version: str) -> None:
        serialized = params.wants_serialized(req)
        found = self._service.version_by_label(subject, version, params.flag(req, "deleted"))
        send(resp, version_document(found, serialized_text(self._service, found.global_id) if serialized else None))

    def on_delete(self, req: falcon.Request, resp: falcon.Response, subject: str, version: str) -> None:
        if params.flag(req, "permanent"):
            send(resp, self._service.hard_delete_version(subject, version))
        else:
            send(resp, self._service.soft_delete_version(subject, version))


class SubjectVersionSchema:
    """``GET /subjects/{subject}/versions/{version}/schema``: the schema text alone."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, subject: str, version: str) -> None:
        serialized = params.wants_serialized(req)
        found = self._service.version_by_label(subject, version, params.flag(req, "deleted"))
        send_text(resp, serialized_text(self._service, found.global_id) if serialized else found.content)


class ReferencedBy:
    """``GET /subjects/{subject}/versions/{version}/referencedby``: ids of the schemas referencing it."""

    def __init__(self, service: RegistryService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, subject: str, version: str) -> None:
        send(resp, params.window(req, self._service.referenced_by(subject, version)))
