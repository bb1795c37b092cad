"""The interfaces the domain needs from storage and caching.

Implementations live in ``registry.storage`` and ``registry.cache``; the domain only
sees these protocols, so it stays free of SQL and Redis.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from registry.domain.model import CompatibilityMode, CompatibilityPolicy
from registry.domain.records import (
    CompatibilityConfig,
    EffectiveConfig,
    NewVersion,
    SchemaFilter,
    SchemaVersion,
    SubjectSummary,
    VersionChanges,
)
from registry.domain.versioning import SemVer


class SubjectSession(Protocol):
    """One transaction that holds a subject's write lock until it ends.

    Everything done through it commits together when the ``with`` block ends
    normally (unless it is a dry run) and is rolled back when it raises.
    """

    subject: str
    config: CompatibilityConfig
    global_config: EffectiveConfig
    has_any_version: bool

    def live_versions(self) -> list[SchemaVersion]:
        """Every version that is not deleted, oldest first."""

    def highest_version(self) -> SemVer | None:
        """The highest version ever stored, deleted ones included."""

    def find_live_by_hash(self, content_hash: str) -> SchemaVersion | None: ...

    def insert_version(self, new: NewVersion) -> SchemaVersion: ...

    def set_config(self, config: CompatibilityConfig) -> None: ...


class VersionSession(Protocol):
    """One transaction holding a version's row lock."""

    version: SchemaVersion

    def update(self, changes: VersionChanges) -> SchemaVersion: ...


class SchemaStore(Protocol):
    def get_version(self, schema_id: str) -> SchemaVersion | None: ...

    def get_subject_version(self, subject: str, version: SemVer | None) -> SchemaVersion | None:
        """A live version, or the latest live one for ``None``."""

    def subject_session(self, subject: str, *, dry_run: bool = False) -> AbstractContextManager[SubjectSession]: ...

    def version_session(self, schema_id: str) -> AbstractContextManager[VersionSession | None]: ...

    def delete_subject(self, subject: str) -> list[SchemaVersion]: ...

    def list_subjects(self, prefix: str | None, after: str | None, limit: int) -> list[SubjectSummary]: ...

    def list_versions(self, subject: str, after: SemVer | None, limit: int) -> list[SchemaVersion] | None: ...

    def list_schemas(self, where: SchemaFilter, after_seq: int | None, limit: int) -> list[SchemaVersion]: ...

    def global_config(self) -> EffectiveConfig: ...

    def set_global_config(
        self, mode: CompatibilityMode | None, policy: CompatibilityPolicy | None
    ) -> EffectiveConfig: ...

    def subject_config(self, subject: str) -> CompatibilityConfig | None: ...

    def set_subject_config(self, subject: str, config: CompatibilityConfig) -> None: ...

    def ping(self) -> None:
        """Raise StorageUnavailable when the database cannot answer."""


class SchemaCache(Protocol):
    """Read-through cache of schema versions by id (memory, then shared)."""

    def get(self, schema_id: str) -> SchemaVersion | None: ...

    def get_stale(self, schema_id: str) -> SchemaVersion | None:
        """A copy that may be older than the staleness bound, for when the store is down."""

    def put(self, version: SchemaVersion) -> None: ...
