"""A worker's backends: the database pool and store, the caches, the change listener,
the service on top of them, and the health checks over them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from registry.cache.shared import NoSharedCache, RedisCache, SharedCache
from registry.cache.tiered import TieredSchemaCache
from registry.config import Settings
from registry.domain.compute import Compute, ComputeBudget, InlineCompute
from registry.domain.errors import RegistryError
from registry.domain.formats.registry import default_formats
from registry.domain.records import SchemaVersion
from registry.domain.service import RegistryService
from registry.health import HealthProbe, Readiness
from registry.lru import LocalCache
from registry.observability.access_log import AccessLog
from registry.observability.batching import register_flusher
from registry.observability.metrics import CacheMetrics, PoolMetrics, RequestMetrics, ServiceMetrics
from registry.offload import GeventCompute, freeze_startup_heap, serving_on_greenlets
from registry.storage.migrations import apply_migrations
from registry.storage.notifications import ChangeListener
from registry.storage.pool import ConnectionPool
from registry.storage.postgres import PostgresSchemaStore


@dataclass
class Backends:
    """Everything a worker connects to. Built after gevent's patching (in the worker),
    never at import time in the master."""

    service: RegistryService
    health: HealthProbe
    readiness: Readiness
    shared_cache: SharedCache
    request_metrics: RequestMetrics
    access_log: AccessLog
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
        on_listening=lambda: cache.forget_local(),
    )
    local: LocalCache[SchemaVersion] = LocalCache(
        settings.local_cache_size,
        staleness_seconds=settings.staleness_seconds,
        is_trusted=lambda: listener.connected,
    )
    cache_metrics, request_metrics, access_log = CacheMetrics(), RequestMetrics(), AccessLog()
    cache = TieredSchemaCache(local, shared, cache_metrics)
    compute = _compute(settings)
    service = RegistryService(
        store,
        cache,
        default_formats(),
        validator_cache_size=settings.local_cache_size,
        observer=ServiceMetrics(),
        metadata_max_depth=settings.metadata_max_depth,
        compute=compute,
    )

    database_url = settings.database_url
    readiness = Readiness(lambda: _ensure_migrated(database_url))
    readiness.try_verify()
    backends = Backends(
        service=service,
        health=HealthProbe(store, shared),
        readiness=readiness,
        shared_cache=shared,
        request_metrics=request_metrics,
        access_log=access_log,
        closers=[pool.close],
    )
    if isinstance(compute, GeventCompute):
        backends.closers.append(compute.close)
    for flush in (cache_metrics.flush, request_metrics.flush, access_log.flush):
        backends.closers.append(register_flusher(flush))
    if listen_for_changes:
        listener.start()
        backends.closers.append(listener.stop)
    if isinstance(shared, RedisCache):
        backends.closers.append(shared.close)
        backends.closers.append(register_flusher(lambda: _drain_cache_outbox(store, shared)))
    if isinstance(compute, GeventCompute):
        freeze_startup_heap()
    return backends


def _compute(settings: Settings) -> Compute:
    """Where the expensive steps of requests run: off the hub in a gevent worker, so they
    hold up no other request; in place elsewhere (a server with a thread per request)."""
    budget = ComputeBudget(settings.compute_budget_seconds)
    if serving_on_greenlets():
        return GeventCompute(budget, inline_weight=settings.compute_inline_bytes, threads=settings.compute_threads)
    return InlineCompute(budget)


def _ensure_migrated(database_url: str) -> list[str]:
    # Usually the master applied them already and this finds nothing to do; it also
    # covers servers other than our gunicorn setup.
    apply_migrations(database_url)
    return []


def _on_change(cache: TieredSchemaCache, payload: str) -> None:
    kind, _, rest = payload.partition(":")
    if kind == "schema":
        schema_id, _, revision = rest.partition(":")
        cache.changed(schema_id, int(revision or 0))


def _drain_cache_outbox(store: PostgresSchemaStore, shared: SharedCache) -> None:
    """Tombstone shared-cache entries of changes that may not have reached Redis."""

    def forget(claimed: list[tuple[str, int]]) -> bool:
        return all(shared.tombstone(key, revision) for key, revision in claimed)

    try:
        store.drain_cache_invalidations(forget)
    except RegistryError:
        pass  # the database is down or busy: the rows wait for the next round
