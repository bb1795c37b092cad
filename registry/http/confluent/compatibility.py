"""``/compatibility``: would this schema be accepted? Nothing is stored."""

from __future__ import annotations

import falcon

from registry.domain.service import RegistryService
from registry.http.confluent import params
from registry.http.confluent.documents import compatibility_document, send


class CompatibilityWithVersion:
    """``POST /compatibility/subjects/{subject}/versions/{version}?verbose=``: against one version,
    under the subject's compatibility level."""

    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response, subject: str, version: str) -> None:
        verbose = params.flag(req, "verbose")
        params.flag(req, "normalize")  # checked, then moot: content is always compared normalised
        wanted = params.schema_request(params.read_body(req, self._max_body_bytes))
        report = self._service.compatibility_with_version(
            subject, version, wanted.schema, wanted.format, wanted.references
        )
        send(resp, compatibility_document(report.violations, verbose))


class CompatibilityWithSubject:
    """``POST /compatibility/subjects/{subject}/versions?verbose=``: against the versions the
    subject's level compares with (the latest, or all of them for ``_TRANSITIVE`` levels)."""

    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        verbose = params.flag(req, "verbose")
        params.flag(req, "normalize")
        wanted = params.schema_request(params.read_body(req, self._max_body_bytes))
        report = self._service.check_subject_compatibility(
            subject, wanted.schema, wanted.format, references=wanted.references
        )
        send(resp, compatibility_document(report.violations, verbose))
