"""Schema versions by id: per-worker memory, then the shared cache."""

from __future__ import annotations

import logging
from typing import Protocol

from registry.cache import codec
from registry.cache.shared import SharedCache
from registry.domain.records import SchemaVersion
from registry.lru import LocalCache

log = logging.getLogger(__name__)


class CacheObserver(Protocol):
    """Hears of each lookup, per tier ("local", "redis"), hit or miss (the metrics)."""

    def lookup(self, tier: str, hit: bool) -> None: ...


class _Unobserved:
    def lookup(self, tier: str, hit: bool) -> None:
        pass


class TieredSchemaCache:
    def __init__(
        self,
        local: LocalCache[SchemaVersion],
        shared: SharedCache,
        observer: CacheObserver | None = None,
    ) -> None:
        self._local = local
        self._shared = shared
        self._observer: CacheObserver = observer or _Unobserved()
        # The newest revision a change notice announced per id: a copy read before the
        # change but stored after its notice must not be kept.
        self._floors: LocalCache[int] = LocalCache(max(local.capacity, 1), staleness_seconds=float("inf"))

    def get(self, schema_id: str) -> SchemaVersion | None:
        version = self._local.get(schema_id)
        self._observer.lookup("local", version is not None)
        if version is not None:
            return version
        if not self._shared.enabled:
            return None
        data = self._shared.get(schema_key(schema_id))
        version = codec.decode(data) if data is not None else None
        self._observer.lookup("redis", version is not None)
        if version is not None:
            self._keep_locally(version)
        return version

    def get_local(self, schema_id: str) -> SchemaVersion | None:
        version = self._local.get(schema_id)
        # Only a hit is counted: after a miss the caller goes on to get(), which counts it.
        if version is not None:
            self._observer.lookup("local", True)
        return version

    def get_stale(self, schema_id: str) -> SchemaVersion | None:
        return self._local.get_stale(schema_id)

    def put(self, version: SchemaVersion, *, locally: bool = True) -> None:
        """Fill both tiers (after a database read or a committed write), or only the shared one."""
        if locally:
            self._keep_locally(version)
        self._shared.put(schema_key(version.id), codec.encode(version), version.revision)

    def changed(self, schema_id: str, revision: int) -> None:
        """A change notice: this worker's copy (if older) is out of date."""
        floor = self._floors.get(schema_id)
        if floor is None or revision > floor:
            self._floors.put(schema_id, revision)
        cached = self._local.get_stale(schema_id)
        if cached is not None and cached.revision < revision:
            self._local.invalidate(schema_id)

    def remove(self, schema_id: str, revision: int) -> None:
        """The version is gone (permanently deleted) as of ``revision``."""
        self.changed(schema_id, revision)
        self._shared.tombstone(schema_key(schema_id), revision)

    def forget_local(self) -> None:
        """Drop every local copy: notices may have been missed."""
        self._local.clear()

    def _keep_locally(self, version: SchemaVersion) -> None:
        floor = self._floors.get(version.id)
        if floor is None or version.revision >= floor:
            self._local.put(version.id, version)


def schema_key(schema_id: str) -> str:
    return f"schema:{schema_id}"
