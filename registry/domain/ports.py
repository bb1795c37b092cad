"""The interfaces the domain needs from storage and caching.

Implementations live in ``registry.storage`` and ``registry.cache``; the domain only
sees these protocols, so it stays free of SQL and Redis.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from registry.domain.model import CompatibilityMode, CompatibilityPolicy, RegistryMode, SchemaFormat
from registry.domain.records import (
    CompatibilityConfig,
    EffectiveConfig,
    GlobalSchema,
    NewVersion,
    SchemaFilter,
    SchemaReference,
    SchemaVersion,
    SubjectModes,
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
    modes: SubjectModes
    has_any_version: bool

    def live_versions(self) -> list[SchemaVersion]:
        """Every version that is not deleted, oldest first."""

    def versions(self, *, include_deleted: bool) -> list[SchemaVersion]:
        """By version number."""

    def highest_version(self) -> SemVer | None:
        """The highest version ever stored, deleted ones included."""

    def highest_number(self) -> int:
        """The highest version number ever stored (0 for none), deleted ones included."""

    def is_taken(self, version: SemVer, version_number: int) -> bool: ...

    def find_live_by_identity(self, content_hash: str, identity_hash: str) -> SchemaVersion | None: ...

    def global_id_for(
        self, fmt: SchemaFormat, identity_hash: str, content: str, references: tuple[SchemaReference, ...]
    ) -> int:
        """The id this identity has, or a new one."""

    def claim_global_id(
        self,
        wanted: int,
        fmt: SchemaFormat,
        identity_hash: str,
        content: str,
        references: tuple[SchemaReference, ...],
    ) -> bool:
        """Give ``wanted`` to this identity; False when the id names another schema."""

    def referencing_ids(self, version_number: int, *, live_only: bool) -> list[int]: ...

    def insert_version(self, new: NewVersion) -> SchemaVersion: ...

    def soft_delete(self, versions: list[SchemaVersion]) -> list[SchemaVersion]: ...

    def hard_delete(self, versions: list[SchemaVersion]) -> None: ...

    def set_config(self, config: CompatibilityConfig) -> None: ...

    def set_mode(self, mode: RegistryMode | None) -> None: ...


class VersionSession(Protocol):
    """One transaction holding a version's row lock."""

    version: SchemaVersion
    modes: SubjectModes

    def referencing_ids(self, *, live_only: bool) -> list[int]: ...

    def update(self, changes: VersionChanges) -> SchemaVersion: ...


class SchemaStore(Protocol):
    def get_version(self, schema_id: str) -> SchemaVersion | None: ...

    def get_subject_version(self, subject: str, version: SemVer | None) -> SchemaVersion | None:
        """A live version, or the latest live one for ``None``."""

    def subject_session(self, subject: str, *, dry_run: bool = False) -> AbstractContextManager[SubjectSession]: ...

    def version_session(self, schema_id: str) -> AbstractContextManager[VersionSession | None]: ...

    def get_version_by_number(
        self, subject: str, version_number: int | None, *, include_deleted: bool
    ) -> SchemaVersion | None:
        """By number, or the highest-numbered for ``None``."""

    def versions_with_content_hash(
        self, subject: str, content_hash: str, *, include_deleted: bool
    ) -> list[SchemaVersion]: ...

    def subject_version_counts(self, subject: str) -> tuple[int, int]:
        """(live, all) versions of the subject."""

    def version_numbers(self, subject: str, *, include_deleted: bool) -> list[int]: ...

    def subject_names(self, prefix: str | None, *, include_deleted: bool) -> list[str]: ...

    def global_schema(self, global_id: int) -> GlobalSchema | None: ...

    def versions_with_global_id(self, global_id: int, *, include_deleted: bool) -> list[SchemaVersion]: ...

    def max_global_id(self) -> int:
        """The highest global id given so far (0 for none)."""

    def referencing_ids(self, subject: str, version_number: int) -> list[int]: ...

    def has_any_version(self, subject: str | None = None) -> bool: ...

    def global_mode(self) -> RegistryMode: ...

    def set_global_mode(self, mode: RegistryMode) -> RegistryMode: ...

    def subject_modes(self, subject: str) -> SubjectModes | None: ...

    def set_subject_mode(self, subject: str, mode: RegistryMode | None) -> None: ...

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

    def get_local(self, schema_id: str) -> SchemaVersion | None:
        """This process's own copy if it may be served, else None: never waits on I/O."""

    def get_stale(self, schema_id: str) -> SchemaVersion | None:
        """A copy that may be older than the staleness bound, for when the store is down."""

    def put(self, version: SchemaVersion, *, locally: bool = True) -> None:
        """``locally=False``: only the shared tier, for versions nobody has asked for yet."""

    def remove(self, schema_id: str, revision: int) -> None:
        """Forget a permanently deleted version; ``revision`` is newer than any copy of it."""
