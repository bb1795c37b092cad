"""A registration's and a lifecycle change's transaction on PostgreSQL (the domain's
``SubjectSession`` and ``VersionSession``)."""

from __future__ import annotations

import uuid

import orjson

from registry.domain.model import CompatibilityMode, CompatibilityPolicy, RegistryMode, SchemaFormat
from registry.domain.records import (
    CompatibilityConfig,
    EffectiveConfig,
    NewVersion,
    SchemaReference,
    SchemaVersion,
    SubjectModes,
    VersionChanges,
)
from registry.domain.versioning import SemVer
from registry.storage.notifications import notify_schema_changed
from registry.storage.pool import Cursor
from registry.storage.postgres.queries import (
    FROM_VERSIONS,
    JOIN_VERSION_PARTS,
    SUBJECT_STATE_QUERY,
    VERSION_ORDER,
    VERSION_ORDER_DESC,
    referencing_ids,
    set_subject_config,
)
from registry.storage.postgres.rows import (
    VERSION_COLUMNS,
    config_from_row,
    modes_from_row,
    one_row,
    references_json,
    version_from_row,
)


class PostgresSubjectSession:
    """A registration's transaction, holding the subject row's lock (see ``SubjectSession``)."""

    def __init__(self, cursor: Cursor, subject: str) -> None:
        self._cursor = cursor
        self.subject = subject
        # The upsert creates the subject if needed and takes its row lock (like FOR UPDATE), so
        # even the first two registrations racing into a new subject serialise; a rolled-back
        # registration removes a row it created.
        cursor.execute(
            """INSERT INTO subjects (name) VALUES (%s)
               ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id""",
            (subject,),
        )
        self._subject_id: int = one_row(cursor)[0]
        # A separate statement: its snapshot is taken after the lock was granted, so it sees
        # what the registration we may have waited for committed.
        cursor.execute(SUBJECT_STATE_QUERY, {"id": self._subject_id})
        mode, policy, global_mode, global_policy, has_any_version, own_mode, registry_mode = one_row(cursor)
        self.has_any_version: bool = has_any_version
        self.config = config_from_row(mode, policy)
        self.global_config = EffectiveConfig(CompatibilityMode(global_mode), CompatibilityPolicy(global_policy))
        self.modes = modes_from_row(own_mode, registry_mode)

    def live_versions(self) -> list[SchemaVersion]:
        self._cursor.execute(
            f"""SELECT {VERSION_COLUMNS} {FROM_VERSIONS}
                WHERE v.subject_id = %s AND v.state <> 'DELETED' ORDER BY {VERSION_ORDER}""",
            (self._subject_id,),
        )
        return [version_from_row(row) for row in self._cursor.fetchall()]

    def highest_version(self) -> SemVer | None:
        self._cursor.execute(
            f"""SELECT v.version_major, v.version_minor, v.version_patch FROM schema_versions v
                WHERE v.subject_id = %s ORDER BY {VERSION_ORDER_DESC} LIMIT 1""",
            (self._subject_id,),
        )
        row = self._cursor.fetchone()
        return SemVer(*row) if row else None

    def versions(self, *, include_deleted: bool) -> list[SchemaVersion]:
        """The subject's versions by version number, soft-deleted ones only when asked."""
        self._cursor.execute(
            f"""SELECT {VERSION_COLUMNS} {FROM_VERSIONS}
                WHERE v.subject_id = %s AND (%s OR v.state <> 'DELETED') ORDER BY v.version_number""",
            (self._subject_id, include_deleted),
        )
        return [version_from_row(row) for row in self._cursor.fetchall()]

    def is_taken(self, version: SemVer, version_number: int) -> bool:
        """Whether a version (soft-deleted included) already has this semantic version or number."""
        self._cursor.execute(
            """SELECT EXISTS (SELECT 1 FROM schema_versions WHERE subject_id = %s AND (version_number = %s
                   OR (version_major, version_minor, version_patch) = (%s, %s, %s)))""",
            (self._subject_id, version_number, *version.as_tuple()),
        )
        taken: bool = one_row(self._cursor)[0]
        return taken

    def highest_number(self) -> int:
        """The highest version number ever stored (0 for none), soft-deleted ones included."""
        self._cursor.execute(
            "SELECT coalesce(max(version_number), 0) FROM schema_versions WHERE subject_id = %s",
            (self._subject_id,),
        )
        highest: int = one_row(self._cursor)[0]
        return highest

    def find_live_by_identity(self, content_hash: str, identity_hash: str) -> SchemaVersion | None:
        self._cursor.execute(
            f"""SELECT {VERSION_COLUMNS} {FROM_VERSIONS}
                WHERE v.subject_id = %s AND v.content_hash = %s AND i.identity_hash = %s
                  AND v.state <> 'DELETED'
                ORDER BY {VERSION_ORDER_DESC} LIMIT 1""",
            (self._subject_id, content_hash, identity_hash),
        )
        row = self._cursor.fetchone()
        return version_from_row(row) if row else None

    def global_id_for(
        self, fmt: SchemaFormat, identity_hash: str, content: str, references: tuple[SchemaReference, ...]
    ) -> int:
        """The lowest id with this identity, created when there is none."""
        # Ids are never removed, so one found without the lock stays right; the lock (held to
        # commit) is only taken to create one, else every registration of a popular schema
        # into any subject would queue behind the others.
        existing = self._lowest_id(fmt, identity_hash)
        if existing is not None:
            return existing
        self._lock_identity(fmt, identity_hash)
        existing = self._lowest_id(fmt, identity_hash)  # a new statement: sees what the lock holder committed
        if existing is not None:
            return existing
        while True:  # skips values that imports took
            self._cursor.execute(
                """INSERT INTO schema_ids (id, format, identity_hash, content, refs)
                   VALUES (nextval('schema_ids_allocator'), %s, %s, %s, %s)
                   ON CONFLICT (id) DO NOTHING RETURNING id""",
                (fmt.value, identity_hash, content, references_json(references)),
            )
            row = self._cursor.fetchone()
            if row is not None:
                allocated: int = row[0]
                return allocated

    def claim_global_id(
        self,
        wanted: int,
        fmt: SchemaFormat,
        identity_hash: str,
        content: str,
        references: tuple[SchemaReference, ...],
    ) -> bool:
        """Give ``wanted`` to this identity; False when it already names another schema."""
        self._lock_identity(fmt, identity_hash)
        self._cursor.execute(
            """INSERT INTO schema_ids (id, format, identity_hash, content, refs) VALUES (%s, %s, %s, %s, %s)
               ON CONFLICT (id) DO NOTHING""",
            (wanted, fmt.value, identity_hash, content, references_json(references)),
        )
        if self._cursor.rowcount == 1:
            return True
        self._cursor.execute("SELECT format, identity_hash FROM schema_ids WHERE id = %s", (wanted,))
        return self._cursor.fetchone() == (fmt.value, identity_hash)

    def _lowest_id(self, fmt: SchemaFormat, identity_hash: str) -> int | None:
        self._cursor.execute(
            "SELECT min(id) FROM schema_ids WHERE format = %s AND identity_hash = %s", (fmt.value, identity_hash)
        )
        lowest: int | None = one_row(self._cursor)[0]
        return lowest

    def _lock_identity(self, fmt: SchemaFormat, identity_hash: str) -> None:
        # Registrations of one new schema into two subjects hold different subject locks;
        # this one makes them agree on a single id.
        self._cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"schema-id:{fmt.value}:{identity_hash}",)
        )

    def referencing_ids(self, version_number: int, *, live_only: bool) -> list[int]:
        """Global ids of versions whose schema references this subject's ``version_number``."""
        return referencing_ids(self._cursor, self.subject, version_number, live_only=live_only)

    def soft_delete(self, versions: list[SchemaVersion]) -> list[SchemaVersion]:
        self._cursor.execute(
            f"""WITH v AS (
                    UPDATE schema_versions SET state = 'DELETED', revision = revision + 1,
                           updated_at = clock_timestamp()
                    WHERE id = ANY(%s::uuid[]) AND state <> 'DELETED'
                    RETURNING *)
                SELECT {VERSION_COLUMNS} FROM v {JOIN_VERSION_PARTS} ORDER BY v.version_number""",
            ([version.id for version in versions],),
        )
        deleted = [version_from_row(row) for row in self._cursor.fetchall()]
        for version in deleted:
            notify_schema_changed(self._cursor, version.id, version.revision)
        return deleted

    def hard_delete(self, versions: list[SchemaVersion]) -> None:
        self._cursor.execute(
            "DELETE FROM schema_versions WHERE id = ANY(%s::uuid[]) RETURNING id::text, revision",
            ([version.id for version in versions],),
        )
        # Announced as a revision newer than any cached copy, so caches drop them like any change.
        for version_id, revision in self._cursor.fetchall():
            notify_schema_changed(self._cursor, version_id, revision + 1)

    def set_mode(self, mode: RegistryMode | None) -> None:
        self._cursor.execute(
            "UPDATE subjects SET mode = %s, updated_at = now() WHERE id = %s",
            (mode.value if mode else None, self._subject_id),
        )
        self.modes = SubjectModes(mode, self.modes.registry)

    def insert_version(self, new: NewVersion) -> SchemaVersion:
        self._cursor.execute(
            f"""WITH v AS (
                    INSERT INTO schema_versions (
                        id, subject_id, version_major, version_minor, version_patch, format, content,
                        content_hash, state, compatibility_mode, compatibility_policy, description,
                        tags, metadata, global_id, version_number)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                    RETURNING *)
                SELECT {VERSION_COLUMNS} FROM v {JOIN_VERSION_PARTS}""",
            (
                str(uuid.uuid4()),
                self._subject_id,
                new.version.major,
                new.version.minor,
                new.version.patch,
                new.format.value,
                new.content,
                new.content_hash,
                new.state.value,
                new.compatibility_mode.value,
                new.compatibility_policy.value,
                new.description,
                orjson.dumps(list(new.tags)).decode(),
                orjson.dumps(new.metadata).decode(),
                new.global_id,
                new.version_number,
            ),
        )
        return version_from_row(one_row(self._cursor))

    def set_config(self, config: CompatibilityConfig) -> None:
        set_subject_config(self._cursor, self.subject, config)
        self.config = config


class PostgresVersionSession:
    """A lifecycle change's transaction, holding the version row's lock."""

    def __init__(self, cursor: Cursor, version: SchemaVersion, modes: SubjectModes) -> None:
        self._cursor = cursor
        self.version = version
        self.modes = modes

    def referencing_ids(self, *, live_only: bool) -> list[int]:
        return referencing_ids(self._cursor, self.version.subject, self.version.version_number, live_only=live_only)

    def update(self, changes: VersionChanges) -> SchemaVersion:
        self._cursor.execute(
            f"""WITH v AS (
                    UPDATE schema_versions SET
                        state = coalesce(%s, state),
                        description = CASE WHEN %s THEN NULL ELSE coalesce(%s, description) END,
                        tags = coalesce(%s::jsonb, tags),
                        metadata = coalesce(%s::jsonb, metadata),
                        revision = revision + 1,
                        updated_at = clock_timestamp()
                    WHERE id = %s
                    RETURNING *)
                SELECT {VERSION_COLUMNS} FROM v {JOIN_VERSION_PARTS}""",
            (
                changes.state.value if changes.state else None,
                changes.clear_description,
                changes.description,
                orjson.dumps(list(changes.tags)).decode() if changes.tags is not None else None,
                orjson.dumps(changes.metadata).decode() if changes.metadata is not None else None,
                self.version.id,
            ),
        )
        updated = version_from_row(one_row(self._cursor))
        notify_schema_changed(self._cursor, updated.id, updated.revision)
        self.version = updated
        return updated
