"""A SchemaCache in memory that behaves like ``TieredSchemaCache`` over Redis, for fast tests.

Two tiers as in a worker: its own memory, and a shared tier whose entries carry the
revision they hold, where a write lands only when newer (Redis's write-if-newer script)
and a removal leaves a tombstone. A removal also sets a floor: older copies read before
it are not kept in memory afterwards. Entries never expire and are always trusted (the
real memory tier distrusts old entries while the change listener is down).
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.domain.records import SchemaVersion


@dataclass(frozen=True, slots=True)
class _SharedEntry:
    revision: int
    version: SchemaVersion | None  # None: a tombstone


class InMemorySchemaCache:
    def __init__(self) -> None:
        self._local: dict[str, SchemaVersion] = {}
        self._shared: dict[str, _SharedEntry] = {}
        self._floors: dict[str, int] = {}

    def get(self, schema_id: str) -> SchemaVersion | None:
        version = self._local.get(schema_id)
        if version is not None:
            return version
        entry = self._shared.get(schema_id)
        if entry is None or entry.version is None:
            return None
        self._keep_locally(entry.version)
        return entry.version

    def get_local(self, schema_id: str) -> SchemaVersion | None:
        return self._local.get(schema_id)

    def get_stale(self, schema_id: str) -> SchemaVersion | None:
        return self._local.get(schema_id)

    def put(self, version: SchemaVersion, *, locally: bool = True) -> None:
        if locally:
            self._keep_locally(version)
        self._write_shared(version.id, _SharedEntry(version.revision, version))

    def remove(self, schema_id: str, revision: int) -> None:
        self._floors[schema_id] = max(revision, self._floors.get(schema_id, revision))
        cached = self._local.get(schema_id)
        if cached is not None and cached.revision < revision:
            del self._local[schema_id]
        self._write_shared(schema_id, _SharedEntry(revision, None))

    def _keep_locally(self, version: SchemaVersion) -> None:
        if version.revision >= self._floors.get(version.id, version.revision):
            self._local[version.id] = version

    def _write_shared(self, schema_id: str, entry: _SharedEntry) -> None:
        current = self._shared.get(schema_id)
        if current is not None:
            if current.revision > entry.revision:
                return
            # At one revision a value replaces only a tombstone, and a tombstone nothing.
            if current.revision == entry.revision and (entry.version is None or current.version is not None):
                return
        self._shared[schema_id] = entry
