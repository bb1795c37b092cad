"""The application factory: build the backends, wire the resources."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import falcon

from registry.cache.invalidation import ChangeListener
from registry.cache.local import LocalCache
from registry.cache.shared import NoSharedCache, RedisCache, SharedCache
from registry.cache.tiered import TieredSchemaCache
from registry.config import Settings
from registry.domain.formats.handlers import default_formats
from registry.domain.records import SchemaVersion
from registry.domain.service import RegistryService
from registry.health import HealthProbe, Readiness
from registry.http import errors
from registry.http.middleware import RequestObserver
from registry.http.representations import RenderedSchemas
from registry.http.resources.compatibility import CompatibilityCheck
from registry.http.resources.health import Health, Liveness, Metrics, ReadinessCheck
from registry.http.resources.schemas import SchemaCollection, SchemaItem
from registry.http.resources.validation import ValidateById, ValidateEnvelope
from registry.observability.access_log import AccessLog
from registry.observability.batching import register_flusher
from registry.observability.metrics import CacheMetrics, PoolMetrics, RequestMetrics, ServiceMetrics
from registry.storage.migrations import apply_migrations
from registry.storage.pool import ConnectionPool
from registry.storage.postgres import PostgresSchemaStore

log = logging.getLogger(__name__)


@dataclass
class Backends:
    """Everything a worker connects to. Built after gevent's patching (in the worker),
    never at import time in the master."""

    service: RegistryService
    health: HealthProbe
    readiness: Readiness
    shared_cache: SharedCache
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()


def build_backends(settings: Settings, *, listen_for_changes: bool = True) -> Backends:
    if not settings.database_url:
        raise ValueError("build_backends needs settings.database_url (see registry.bootstrap.ensure_database)")
    pool = ConnectionPool(
        settings.database_url,
        size=settings.database_pool_size,
        wait_timeout=settings.database_pool_timeout_seconds,
        observer=PoolMetrics(),
    )
    store = PostgresSchemaStore(pool)
    shared: SharedCache
    if settings.redis_url:
        shared = RedisCache(
            settings.redis_url, key_prefix=settings.redis_key_prefix, ttl_seconds=settings.cache_ttl_seconds
        )
    else:
        shared = NoSharedCache()

    listener = ChangeListener(
        settings.database_url,
        on_change=lambda payload: _on_change(cache, payload),
        on_reconnect=lambda: cache.forget_local(),
    )
    local: LocalCache[SchemaVersion] = LocalCache(
        settings.local_cache_size,
        staleness_seconds=settings.staleness_seconds,
        is_trusted=lambda: listener.connected,
    )
    cache_metrics = CacheMetrics()
    register_flusher(cache_metrics.flush)
    cache = TieredSchemaCache(local, shared, cache_metrics)
    service = RegistryService(
        store, cache, default_formats(), validator_cache_size=settings.local_cache_size, observer=ServiceMetrics()
    )

    database_url = settings.database_url
    readiness = Readiness(lambda: _ensure_migrated(database_url))
    readiness.try_verify()
    backends = Backends(
        service=service,
        health=HealthProbe(store, shared),
        readiness=readiness,
        shared_cache=shared,
        closers=[pool.close],
    )
    if listen_for_changes:
        listener.start()
        backends.closers.append(listener.stop)
    if isinstance(shared, RedisCache):
        backends.closers.append(shared.close)
    return backends


def _ensure_migrated(database_url: str) -> list[str]:
    # Usually the master applied them already and this finds nothing to do; it also
    # covers servers other than our gunicorn setup.
    apply_migrations(database_url)
    return []


def _on_change(cache: TieredSchemaCache, payload: str) -> None:
    kind, _, key = payload.partition(":")
    if kind == "schema":
        cache.forget_local(key)


def create_app(settings: Settings, backends: Backends | None = None) -> falcon.App:
    if backends is None:
        backends = build_backends(settings)
    service = backends.service
    limit = settings.max_body_bytes

    request_metrics, access_log = RequestMetrics(), AccessLog()
    register_flusher(request_metrics.flush)
    register_flusher(access_log.flush)
    app = falcon.App(middleware=[RequestObserver(request_metrics, access_log)])
    app.req_options.strip_url_path_trailing_slash = True
    errors.install(app)

    app.add_route("/api/v1/schemas", SchemaCollection(service, limit))
    app.add_route("/api/v1/schemas/{schema_id}", SchemaItem(service, RenderedSchemas(settings.local_cache_size)))
    app.add_route("/api/v1/validate", ValidateEnvelope(service, limit))
    app.add_route("/api/v1/validate/{schema_id}", ValidateById(service, limit))
    app.add_route("/api/v1/compatibility/check", CompatibilityCheck(service, limit))
    app.add_route("/health", Health(backends.health))
    app.add_route("/healthz", Liveness())
    app.add_route("/readyz", ReadinessCheck(backends.readiness))
    if settings.metrics_on_api_port:
        app.add_route("/metrics", Metrics())
    return app
