"""A SchemaStore in memory that behaves like ``registry.storage.postgres``'s, for fast tests.

It keeps the real store's semantics, checked by tests/contract against both:
- one transaction per session, committed when the ``with`` block ends normally (never for
  a dry run) and rolled back when it raises; reads outside a session see only what was
  committed, at the moment they run;
- a subject session holds the subject's lock (creating the subject if needed, which a
  rollback undoes); lifecycle and deletion changes hold the version's lock;
- global ids are content-addressed: the lowest id with the schema's format and identity
  is reused in every subject and survives permanent deletion; new ids come from a
  sequence that skips ids taken by imports and that a rollback does not give back;
- what a unique, foreign-key or check constraint would refuse raises WriteConflict, as the
  pool reports an IntegrityError; tags and metadata read back as jsonb gives them back.

Not modelled: the cache-invalidation outbox and NOTIFY (no port exposes them), deadlock
detection (a lock wait ends with the statement timeout instead).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson

from registry.domain.errors import WriteConflict
from registry.domain.model import CompatibilityMode, CompatibilityPolicy, RegistryMode, SchemaFormat, SchemaState
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
from tests.fakes import queries
from tests.fakes.transactions import Database, IdRow, SubjectRow, Tables, Transaction

# What PostgreSQL's statement_timeout would be for a test: long enough for any real wait.
DEFAULT_LOCK_TIMEOUT_SECONDS = 5.0


class InMemorySubjectSession:
    """A registration's transaction, holding the subject's lock (see ``SubjectSession``)."""

    def __init__(self, transaction: Transaction, database: Database, subject: str) -> None:
        self._transaction = transaction
        self._database = database
        self.subject = subject
        transaction.lock("subject", subject)
        if transaction.read(lambda tables: subject not in tables.subjects):
            _check_text(subject)
            transaction.put_subject(SubjectRow(subject))
        row, settings, self.has_any_version = transaction.read(
            lambda tables: (
                tables.subjects[subject],
                tables.settings,
                any(version.subject == subject for version in tables.versions.values()),
            )
        )
        self.config = row.config
        self.global_config = settings.config
        self.modes = SubjectModes(row.mode, settings.mode)

    def live_versions(self) -> list[SchemaVersion]:
        return queries.by_semver(self._versions(include_deleted=False))

    def versions(self, *, include_deleted: bool) -> list[SchemaVersion]:
        return queries.by_number(self._versions(include_deleted=include_deleted))

    def highest_version(self) -> SemVer | None:
        latest = queries.latest_by_semver(self._versions(include_deleted=True))
        return latest.version if latest else None

    def highest_number(self) -> int:
        latest = queries.latest_by_number(self._versions(include_deleted=True))
        return latest.version_number if latest else 0

    def _versions(self, *, include_deleted: bool) -> list[SchemaVersion]:
        return self._transaction.read(
            lambda tables: queries.subject_versions(tables, self.subject, include_deleted=include_deleted)
        )

    def is_taken(self, version: SemVer, version_number: int) -> bool:
        return any(
            existing.version == version or existing.version_number == version_number
            for existing in self.versions(include_deleted=True)
        )

    def find_live_by_identity(self, content_hash: str, identity_hash: str) -> SchemaVersion | None:
        def find(tables: Tables) -> SchemaVersion | None:
            return queries.latest_by_semver(
                version
                for version in queries.subject_versions(tables, self.subject, include_deleted=False)
                if version.content_hash == content_hash and tables.ids[version.global_id].identity_hash == identity_hash
            )

        return self._transaction.read(find)

    def global_id_for(
        self, fmt: SchemaFormat, identity_hash: str, content: str, references: tuple[SchemaReference, ...]
    ) -> int:
        existing = self._transaction.read(lambda tables: queries.lowest_id(tables, fmt, identity_hash))
        if existing is not None:
            return existing
        self._transaction.lock("identity", fmt, identity_hash)
        existing = self._transaction.read(lambda tables: queries.lowest_id(tables, fmt, identity_hash))
        if existing is not None:
            return existing
        while True:  # skips values that imports took
            candidate = self._database.next_global_id()
            if self._insert_id(candidate, fmt, identity_hash, content, references):
                return candidate

    def claim_global_id(
        self,
        wanted: int,
        fmt: SchemaFormat,
        identity_hash: str,
        content: str,
        references: tuple[SchemaReference, ...],
    ) -> bool:
        self._transaction.lock("identity", fmt, identity_hash)
        if self._insert_id(wanted, fmt, identity_hash, content, references):
            return True
        row = self._transaction.read(lambda tables: tables.ids[wanted])
        return (row.schema.format, row.identity_hash) == (fmt, identity_hash)

    def _insert_id(
        self,
        global_id: int,
        fmt: SchemaFormat,
        identity_hash: str,
        content: str,
        references: tuple[SchemaReference, ...],
    ) -> bool:
        """INSERT ... ON CONFLICT (id) DO NOTHING: False when the id is taken."""
        if global_id <= 0:
            raise _constraint_violated("schema_ids_id_check")
        # A concurrent insert of the same id makes this one wait for its outcome.
        self._transaction.lock("schema id", global_id)
        if self._transaction.read(lambda tables: global_id in tables.ids):
            return False
        _check_text(content, *(text for reference in references for text in (reference.name, reference.subject)))
        row = IdRow(GlobalSchema(global_id, fmt, content, references), identity_hash)
        self._transaction.put_id(row)
        return True

    def referencing_ids(self, version_number: int, *, live_only: bool) -> list[int]:
        return self._transaction.read(
            lambda tables: queries.referencing_ids(tables, self.subject, version_number, live_only=live_only)
        )

    def insert_version(self, new: NewVersion) -> SchemaVersion:
        # The session's subject, whatever ``new.subject`` says: the row is inserted by subject id.
        if new.version_number <= 0:
            raise _constraint_violated("schema_versions_version_number_check")
        if min(new.version.as_tuple()) < 0:
            raise _constraint_violated("schema_versions_version_major_check")
        id_row, taken = self._transaction.read(
            lambda tables: (
                tables.ids.get(new.global_id),
                queries.subject_versions(tables, self.subject, include_deleted=True),
            )
        )
        if any(existing.version == new.version for existing in taken):
            raise _constraint_violated("schema_versions_subject_id_version_major_version_minor_version_patch_key")
        if any(existing.version_number == new.version_number for existing in taken):
            raise _constraint_violated("schema_versions_subject_number")
        if id_row is None:
            raise _constraint_violated("schema_versions_global_id_fkey")
        _check_text(new.content, new.description)
        now = self._transaction.started_at
        version = SchemaVersion(
            id=str(uuid.uuid4()),
            subject=self.subject,
            version=new.version,
            format=new.format,
            content=new.content,
            content_hash=new.content_hash,
            state=new.state,
            compatibility_mode=new.compatibility_mode,
            compatibility_policy=new.compatibility_policy,
            description=new.description,
            tags=tuple(jsonb(list(new.tags))),
            metadata=jsonb(new.metadata),
            created_at=now,
            updated_at=now,
            revision=1,
            seq=self._database.next_seq(),
            global_id=new.global_id,
            version_number=new.version_number,
            references=id_row.schema.references,
        )
        self._transaction.put_version(version)
        return version

    def soft_delete(self, versions: list[SchemaVersion]) -> list[SchemaVersion]:
        deleted = []
        for version_id in dict.fromkeys(queries.canonical_id(version.id) for version in versions):
            current = _locked_version(self._transaction, version_id)
            if current is not None and queries.is_live(current):
                changed = replace(
                    current, state=SchemaState.DELETED, revision=current.revision + 1, updated_at=datetime.now(UTC)
                )
                self._transaction.put_version(changed)
                deleted.append(changed)
        return queries.by_number(deleted)

    def hard_delete(self, versions: list[SchemaVersion]) -> None:
        for version_id in dict.fromkeys(queries.canonical_id(version.id) for version in versions):
            if _locked_version(self._transaction, version_id) is not None:
                self._transaction.delete_version(version_id)

    def set_config(self, config: CompatibilityConfig) -> None:
        _set_subject_config(self._transaction, self.subject, config)
        self.config = config

    def set_mode(self, mode: RegistryMode | None) -> None:
        _set_subject_mode(self._transaction, self.subject, mode)
        self.modes = SubjectModes(mode, self.modes.registry)


class InMemoryVersionSession:
    """A lifecycle change's transaction, holding the version's lock (see ``VersionSession``)."""

    def __init__(self, transaction: Transaction, version: SchemaVersion, modes: SubjectModes) -> None:
        self._transaction = transaction
        self.version = version
        self.modes = modes

    def referencing_ids(self, *, live_only: bool) -> list[int]:
        return self._transaction.read(
            lambda tables: queries.referencing_ids(
                tables, self.version.subject, self.version.version_number, live_only=live_only
            )
        )

    def update(self, changes: VersionChanges) -> SchemaVersion:
        _check_text(changes.description)
        current = self._transaction.read(lambda tables: tables.versions[self.version.id])
        description = None if changes.clear_description else _first_set(changes.description, current.description)
        updated = replace(
            current,
            state=changes.state if changes.state is not None else current.state,
            description=description,
            tags=tuple(jsonb(list(changes.tags))) if changes.tags is not None else current.tags,
            metadata=jsonb(changes.metadata) if changes.metadata is not None else current.metadata,
            revision=current.revision + 1,
            updated_at=datetime.now(UTC),
        )
        self._transaction.put_version(updated)
        self.version = updated
        return updated


class InMemorySchemaStore:
    """See the module's docstring. ``reachable = False`` makes every call fail as when the
    database is down (StorageUnavailable)."""

    def __init__(self, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS) -> None:
        self._database = Database(lock_timeout=lock_timeout)

    @property
    def reachable(self) -> bool:
        return self._database.reachable

    @reachable.setter
    def reachable(self, value: bool) -> None:
        self._database.reachable = value

    # -- single versions -------------------------------------------------------------------

    def get_version(self, schema_id: str) -> SchemaVersion | None:
        version_id = queries.canonical_id(schema_id)
        return self._database.read(lambda tables: tables.versions.get(version_id))

    def get_subject_version(self, subject: str, version: SemVer | None) -> SchemaVersion | None:
        def find(tables: Tables) -> SchemaVersion | None:
            live = queries.subject_versions(tables, subject, include_deleted=False)
            if version is None:
                return queries.latest_by_semver(live)
            return next((candidate for candidate in live if candidate.version == version), None)

        return self._database.read(find)

    @contextmanager
    def version_session(self, schema_id: str) -> Iterator[InMemoryVersionSession | None]:
        version_id = queries.canonical_id(schema_id)
        with self._database.transaction() as transaction:
            version = _locked_version(transaction, version_id)
            if version is None:
                yield None
                return
            row, settings = transaction.read(lambda tables: (tables.subjects[version.subject], tables.settings))
            yield InMemoryVersionSession(transaction, version, SubjectModes(row.mode, settings.mode))

    @contextmanager
    def subject_session(self, subject: str, *, dry_run: bool = False) -> Iterator[InMemorySubjectSession]:
        with self._database.transaction(commit=not dry_run) as transaction:
            yield InMemorySubjectSession(transaction, self._database, subject)

    # -- listings --------------------------------------------------------------------------

    def list_subjects(self, prefix: str | None, after: str | None, limit: int) -> list[SubjectSummary]:
        return self._database.read(lambda tables: queries.subject_summaries(tables, prefix, after, limit))

    def list_versions(self, subject: str, after: SemVer | None, limit: int) -> list[SchemaVersion] | None:
        return self._database.read(lambda tables: queries.live_versions_after(tables, subject, after, limit))

    def list_schemas(self, where: SchemaFilter, after_seq: int | None, limit: int) -> list[SchemaVersion]:
        return self._database.read(lambda tables: queries.schemas_matching(tables, where, after_seq, limit))

    # -- the Confluent API's views ------------------------------------------------------------

    def get_version_by_number(
        self, subject: str, version_number: int | None, *, include_deleted: bool
    ) -> SchemaVersion | None:
        def find(tables: Tables) -> SchemaVersion | None:
            return queries.latest_by_number(
                version
                for version in queries.subject_versions(tables, subject, include_deleted=include_deleted)
                if version_number is None or version.version_number == version_number
            )

        return self._database.read(find)

    def versions_with_content_hash(
        self, subject: str, content_hash: str, *, include_deleted: bool
    ) -> list[SchemaVersion]:
        return self._database.read(
            lambda tables: queries.by_number(
                version
                for version in queries.subject_versions(tables, subject, include_deleted=include_deleted)
                if version.content_hash == content_hash
            )
        )

    def subject_version_counts(self, subject: str) -> tuple[int, int]:
        versions = self._database.read(lambda tables: queries.subject_versions(tables, subject, include_deleted=True))
        return sum(1 for version in versions if queries.is_live(version)), len(versions)

    def version_numbers(self, subject: str, *, include_deleted: bool) -> list[int]:
        return [version.version_number for version in self._versions_by_number(subject, include_deleted)]

    def _versions_by_number(self, subject: str, include_deleted: bool) -> list[SchemaVersion]:
        return self._database.read(
            lambda tables: queries.by_number(queries.subject_versions(tables, subject, include_deleted=include_deleted))
        )

    def subject_names(self, prefix: str | None, *, include_deleted: bool) -> list[str]:
        return self._database.read(
            lambda tables: queries.subject_names(tables, prefix, include_deleted=include_deleted)
        )

    def global_schema(self, global_id: int) -> GlobalSchema | None:
        def find(tables: Tables) -> GlobalSchema | None:
            row = tables.ids.get(global_id)
            if row is None or not any(version.global_id == global_id for version in tables.versions.values()):
                return None
            return row.schema

        return self._database.read(find)

    def max_global_id(self) -> int:
        return self._database.read(lambda tables: max(tables.ids, default=0))

    def versions_with_global_id(self, global_id: int, *, include_deleted: bool) -> list[SchemaVersion]:
        return self._database.read(
            lambda tables: sorted(
                (
                    version
                    for version in tables.versions.values()
                    if version.global_id == global_id and (include_deleted or queries.is_live(version))
                ),
                key=lambda version: (version.subject, version.version_number),
            )
        )

    def referencing_ids(self, subject: str, version_number: int) -> list[int]:
        return self._database.read(
            lambda tables: queries.referencing_ids(tables, subject, version_number, live_only=True)
        )

    def has_any_version(self, subject: str | None = None) -> bool:
        return self._database.read(
            lambda tables: any(subject is None or version.subject == subject for version in tables.versions.values())
        )

    # -- modes -------------------------------------------------------------------------------

    def global_mode(self) -> RegistryMode:
        return self._database.read(lambda tables: tables.settings.mode)

    def set_global_mode(self, mode: RegistryMode) -> RegistryMode:
        with self._database.transaction() as transaction:
            transaction.lock("settings")
            settings = transaction.read(lambda tables: tables.settings)
            transaction.put_settings(replace(settings, mode=mode))
            return mode

    def subject_modes(self, subject: str) -> SubjectModes | None:
        def find(tables: Tables) -> SubjectModes | None:
            row = tables.subjects.get(subject)
            return SubjectModes(row.mode, tables.settings.mode) if row else None

        return self._database.read(find)

    def set_subject_mode(self, subject: str, mode: RegistryMode | None) -> None:
        with self._database.transaction() as transaction:
            _upsert_subject(transaction, subject)
            _set_subject_mode(transaction, subject, mode)

    # -- configuration -----------------------------------------------------------------------

    def global_config(self) -> EffectiveConfig:
        return self._database.read(lambda tables: tables.settings.config)

    def set_global_config(self, mode: CompatibilityMode | None, policy: CompatibilityPolicy | None) -> EffectiveConfig:
        with self._database.transaction() as transaction:
            transaction.lock("settings")
            settings = transaction.read(lambda tables: tables.settings)
            config = EffectiveConfig(mode or settings.config.mode, policy or settings.config.policy)
            transaction.put_settings(replace(settings, config=config))
            return config

    def subject_config(self, subject: str) -> CompatibilityConfig | None:
        def find(tables: Tables) -> CompatibilityConfig | None:
            row = tables.subjects.get(subject)
            return row.config if row else None

        return self._database.read(find)

    def set_subject_config(self, subject: str, config: CompatibilityConfig) -> None:
        with self._database.transaction() as transaction:
            _upsert_subject(transaction, subject)
            _set_subject_config(transaction, subject, config)

    # -- health ------------------------------------------------------------------------------

    def ping(self) -> None:
        self._database.read(lambda tables: None)


def _locked_version(transaction: Transaction, version_id: str) -> SchemaVersion | None:
    """SELECT ... FOR UPDATE: the version as it is once its lock is held."""
    transaction.lock("version", version_id)
    return transaction.read(lambda tables: tables.versions.get(version_id))


def _upsert_subject(transaction: Transaction, subject: str) -> None:
    """INSERT INTO subjects ... ON CONFLICT DO NOTHING, then the row lock an UPDATE takes."""
    transaction.lock("subject", subject)
    if transaction.read(lambda tables: subject not in tables.subjects):
        _check_text(subject)
        transaction.put_subject(SubjectRow(subject))


def _set_subject_config(transaction: Transaction, subject: str, config: CompatibilityConfig) -> None:
    row = transaction.read(lambda tables: tables.subjects[subject])
    transaction.put_subject(replace(row, config=config))


def _set_subject_mode(transaction: Transaction, subject: str, mode: RegistryMode | None) -> None:
    row = transaction.read(lambda tables: tables.subjects[subject])
    transaction.put_subject(replace(row, mode=mode))


def jsonb(value: Any) -> Any:
    """``value`` as a jsonb column gives it back through the pool's orjson decoder: a copy
    with object keys in jsonb's order (shorter first, then bytewise), and numbers written
    with a positive exponent printed as integers (jsonb keeps numeric, which has none)."""
    return _as_jsonb(orjson.loads(orjson.dumps(value)))


def _as_jsonb(value: Any) -> Any:
    if isinstance(value, dict):
        _check_text(*value)
        return {key: _as_jsonb(value[key]) for key in sorted(value, key=_jsonb_key_order)}
    if isinstance(value, list):
        return [_as_jsonb(item) for item in value]
    if isinstance(value, float) and b"e+" in orjson.dumps(value):
        return orjson.loads(b"%d" % value)  # an int, or a float again beyond 64 bits
    if isinstance(value, str):
        _check_text(value)
    return value


def _jsonb_key_order(key: str) -> tuple[int, bytes]:
    encoded = key.encode()
    return len(encoded), encoded


def _check_text(*values: str | None) -> None:
    """psycopg2 refuses a NUL in text it sends, and jsonb refuses one in a string."""
    if any(value is not None and "\x00" in value for value in values):
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")


def _first_set(value: str | None, fallback: str | None) -> str | None:
    return value if value is not None else fallback


def _constraint_violated(constraint: str) -> WriteConflict:
    return WriteConflict(f"a concurrent change conflicted with this one; retry it (violates constraint {constraint})")
