"""Where Confluent's resources live: the root of the API port, beside ``/api/v1``."""

from __future__ import annotations

import falcon

from registry.domain.service import RegistryService
from registry.http.confluent.compatibility import CompatibilityWithSubject, CompatibilityWithVersion
from registry.http.confluent.config import GlobalConfig, SubjectConfig
from registry.http.confluent.documents import send
from registry.http.confluent.mode import GlobalMode, SubjectMode
from registry.http.confluent.schemas import SchemaById, SchemaSubjects, SchemaTextById, SchemaTypes, SchemaVersions
from registry.http.confluent.subjects import (
    ReferencedBy,
    Subject,
    Subjects,
    SubjectVersion,
    SubjectVersions,
    SubjectVersionSchema,
)


class Root:
    """``GET /``: Confluent answers an empty object (clients use it as a ping)."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send(resp, {})


class Contexts:
    """``GET /contexts``: one context, the default."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send(resp, ["."])


def add_confluent_routes(
    app: falcon.App[falcon.Request, falcon.Response], service: RegistryService, max_body_bytes: int
) -> None:
    """Errors on these paths answer in Confluent's dialect (``registry.http.errors`` picks it by path).
    Subjects holding "/" (sent as %2F) route through ``registry.http.routing.RegistryRouter``."""
    limit = max_body_bytes
    app.add_route("/", Root())
    app.add_route("/contexts", Contexts())
    app.add_route("/subjects", Subjects(service))
    app.add_route("/subjects/{subject}", Subject(service, limit))
    app.add_route("/subjects/{subject}/versions", SubjectVersions(service, limit))
    app.add_route("/subjects/{subject}/versions/{version}", SubjectVersion(service))
    app.add_route("/subjects/{subject}/versions/{version}/schema", SubjectVersionSchema(service))
    app.add_route("/subjects/{subject}/versions/{version}/referencedby", ReferencedBy(service))
    app.add_route("/schemas/types", SchemaTypes(service))
    app.add_route("/schemas/ids/{schema_id}", SchemaById(service))
    app.add_route("/schemas/ids/{schema_id}/schema", SchemaTextById(service))
    app.add_route("/schemas/ids/{schema_id}/subjects", SchemaSubjects(service))
    app.add_route("/schemas/ids/{schema_id}/versions", SchemaVersions(service))
    app.add_route("/compatibility/subjects/{subject}/versions", CompatibilityWithSubject(service, limit))
    app.add_route("/compatibility/subjects/{subject}/versions/{version}", CompatibilityWithVersion(service, limit))
    app.add_route("/config", GlobalConfig(service, limit))
    app.add_route("/config/{subject}", SubjectConfig(service, limit))
    app.add_route("/mode", GlobalMode(service, limit))
    app.add_route("/mode/{subject}", SubjectMode(service, limit))
