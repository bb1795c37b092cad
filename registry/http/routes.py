"""Where the native resources live: ``/api/v1``, and the health endpoints at the root
(beside Confluent's API, see ``registry.http.confluent.routes``)."""

from __future__ import annotations

import falcon

from registry.domain.service import RegistryService
from registry.health import HealthProbe, Readiness
from registry.http.cached_reads import SCHEMA_ROUTE
from registry.http.representations import RenderedSchemas
from registry.http.resources.compatibility import CompatibilityCheck
from registry.http.resources.config import GlobalConfig, SubjectConfig
from registry.http.resources.health import Health, Liveness, Metrics, ReadinessCheck
from registry.http.resources.schemas import SchemaCollection, SchemaItem
from registry.http.resources.subjects import (
    SubjectCollection,
    SubjectCompatibility,
    SubjectItem,
    SubjectVersionItem,
    SubjectVersions,
    SubjectVersionValidation,
)
from registry.http.resources.validation import ValidateById, ValidateEnvelope


def add_native_routes(
    app: falcon.App[falcon.Request, falcon.Response],
    service: RegistryService,
    rendered: RenderedSchemas,
    max_body_bytes: int,
) -> None:
    """``rendered`` holds the schema bodies shared with ``CachedSchemaReads``."""
    limit = max_body_bytes
    app.add_route("/api/v1/schemas", SchemaCollection(service, limit))
    app.add_route(SCHEMA_ROUTE, SchemaItem(service, rendered, limit))  # the route CachedSchemaReads answers too
    app.add_route("/api/v1/subjects", SubjectCollection(service))
    app.add_route("/api/v1/subjects/{subject}", SubjectItem(service))
    app.add_route("/api/v1/subjects/{subject}/versions", SubjectVersions(service))
    app.add_route("/api/v1/subjects/{subject}/versions/{version}", SubjectVersionItem(service, rendered))
    app.add_route("/api/v1/subjects/{subject}/versions/{version}/validate", SubjectVersionValidation(service, limit))
    app.add_route("/api/v1/subjects/{subject}/compatibility", SubjectCompatibility(service, limit))
    app.add_route("/api/v1/subjects/{subject}/config", SubjectConfig(service, limit))
    app.add_route("/api/v1/config", GlobalConfig(service, limit))
    app.add_route("/api/v1/validate", ValidateEnvelope(service, limit))
    app.add_route("/api/v1/validate/{schema_id}", ValidateById(service, limit))
    app.add_route("/api/v1/compatibility/check", CompatibilityCheck(service, limit))


def add_health_routes(
    app: falcon.App[falcon.Request, falcon.Response],
    health: HealthProbe,
    readiness: Readiness,
    *,
    metrics: bool,
) -> None:
    """``metrics``: also serve ``/metrics`` here, on the API port (METRICS_ON_API_PORT)."""
    app.add_route("/health", Health(health))
    app.add_route("/healthz", Liveness())
    app.add_route("/readyz", ReadinessCheck(readiness))
    if metrics:
        app.add_route("/metrics", Metrics())
