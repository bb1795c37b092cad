"""Schema versions by id: per-worker memory, then the shared cache."""

from __future__ import annotations

import logging

from registry.cache import codec
from registry.cache.local import LocalCache
from registry.cache.shared import SharedCache
from registry.domain.records import SchemaVersion

log = logging.getLogger(__name__)


class CacheObserver:
    def lookup(self, tier: str, hit: bool) -> None: ...


class TieredSchemaCache:
    def __init__(
        self,
        local: LocalCache[SchemaVersion],
        shared: SharedCache,
        observer: CacheObserver | None = None,
    ) -> None:
        self._local = local
        self._shared = shared
        self._observer = observer or CacheObserver()

    def get(self, schema_id: str) -> SchemaVersion | None:
        version = self._local.get(schema_id)
        self._observer.lookup("local", version is not None)
        if version is not None:
            return version
        if not self._shared.enabled:
            return None
        data = self._shared.get(_key(schema_id))
        version = codec.decode(data) if data is not None else None
        self._observer.lookup("redis", version is not None)
        if version is not None:
            self._local.put(schema_id, version)
        return version

    def get_stale(self, schema_id: str) -> SchemaVersion | None:
        return self._local.get_stale(schema_id)

    def put(self, version: SchemaVersion) -> None:
        """Fill both tiers (after a database read or a committed write)."""
        self._local.put(version.id, version)
        self._shared.set(_key(version.id), codec.encode(version))

    def invalidate(self, schema_id: str) -> None:
        self._local.invalidate(schema_id)
        self._shared.delete(_key(schema_id))

    def forget_local(self, schema_id: str | None = None) -> None:
        """Drop this worker's copy (one id, or all of them) without touching Redis."""
        if schema_id is None:
            self._local.clear()
        else:
            self._local.invalidate(schema_id)


def _key(schema_id: str) -> str:
    return f"schema:{schema_id}"
