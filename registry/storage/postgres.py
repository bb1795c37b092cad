"""The schema store on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg2.extensions

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
from registry.storage.pool import ConnectionPool

Cursor = psycopg2.extensions.cursor

# Notifications carry "schema:<id>:<revision>" or "subject:<name>"; see registry.cache.invalidation.
CHANGES_CHANNEL = "registry_changes"

_VERSION_COLUMNS = """
    v.id::text, s.name, v.version_major, v.version_minor, v.version_patch, v.format, v.content,
    v.content_hash, v.state, v.compatibility_mode, v.compatibility_policy, v.description,
    v.tags, v.metadata, v.created_at, v.updated_at, v.revision, v.seq, v.global_id, v.version_number, i.refs
"""
# Joined to a CTE named v that returns changed schema_versions rows.
_JOIN_VERSION_PARTS = "JOIN subjects s ON s.id = v.subject_id JOIN schema_ids i ON i.id = v.global_id"
_FROM_VERSIONS = f"FROM schema_versions v {_JOIN_VERSION_PARTS}"
_VERSION_ORDER = "v.version_major, v.version_minor, v.version_patch"
_VERSION_ORDER_DESC = "v.version_major DESC, v.version_minor DESC, v.version_patch DESC"


def _row_to_version(row: tuple[Any, ...]) -> SchemaVersion:
    return SchemaVersion(
        id=row[0],
        subject=row[1],
        version=SemVer(row[2], row[3], row[4]),
        format=SchemaFormat(row[5]),
        content=row[6],
        content_hash=row[7],
        state=SchemaState(row[8]),
        compatibility_mode=CompatibilityMode(row[9]),
        compatibility_policy=CompatibilityPolicy(row[10]),
        description=row[11],
        tags=tuple(row[12]),
        metadata=row[13],
        created_at=row[14],
        updated_at=row[15],
        revision=row[16],
        seq=row[17],
        global_id=row[18],
        version_number=row[19],
        references=_references(row[20]),
    )


def _references(refs: list[dict[str, Any]]) -> tuple[SchemaReference, ...]:
    return tuple(SchemaReference(ref["name"], ref["subject"], ref["version"]) for ref in refs)


def _refs_json(references: tuple[SchemaReference, ...]) -> str:
    return orjson.dumps([ref.to_dict() for ref in references]).decode()


# A registration's view of its subject once it holds the lock. The EXISTS takes the id as a
# value rather than from s.id: correlated, a planner without statistics (a young table, or
# autovacuum off) may hash every subject_id of schema_versions for it, and then each
# registration costs more than the one before.
SUBJECT_STATE_QUERY = """
    SELECT s.compatibility_mode, s.compatibility_policy, g.compatibility_mode, g.compatibility_policy,
           EXISTS (SELECT 1 FROM schema_versions v WHERE v.subject_id = %(id)s), s.mode, g.mode
    FROM subjects s CROSS JOIN registry_settings g WHERE s.id = %(id)s
"""


def _notify_schema_changed(cursor: Cursor, version_id: str, revision: int) -> None:
    """Inside the change's transaction: the notice and the outbox row exist iff it commits."""
    cursor.execute("SELECT pg_notify(%s, %s)", (CHANGES_CHANNEL, f"schema:{version_id}:{revision}"))
    cursor.execute(
        "INSERT INTO cache_invalidations (cache_key, revision) VALUES (%s, %s)", (f"schema:{version_id}", revision)
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
        self._subject_id = cursor.fetchone()[0]
        # A separate statement: its snapshot is taken after the lock was granted, so it sees
        # what the registration we may have waited for committed.
        cursor.execute(SUBJECT_STATE_QUERY, {"id": self._subject_id})
        mode, policy, global_mode, global_policy, self.has_any_version, own_mode, registry_mode = cursor.fetchone()
        self.config = _config(mode, policy)
        self.global_config = EffectiveConfig(CompatibilityMode(global_mode), CompatibilityPolicy(global_policy))
        self.modes = _modes(own_mode, registry_mode)

    def live_versions(self) -> list[SchemaVersion]:
        self._cursor.execute(
            f"""SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS}
                WHERE v.subject_id = %s AND v.state <> 'DELETED' ORDER BY {_VERSION_ORDER}""",
            (self._subject_id,),
        )
        return [_row_to_version(row) for row in self._cursor.fetchall()]

    def highest_version(self) -> SemVer | None:
        self._cursor.execute(
            f"""SELECT v.version_major, v.version_minor, v.version_patch FROM schema_versions v
                WHERE v.subject_id = %s ORDER BY {_VERSION_ORDER_DESC} LIMIT 1""",
            (self._subject_id,),
        )
        row = self._cursor.fetchone()
        return SemVer(*row) if row else None

    def versions(self, *, include_deleted: bool) -> list[SchemaVersion]:
        """The subject's versions by version number, soft-deleted ones only when asked."""
        self._cursor.execute(
            f"""SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS}
                WHERE v.subject_id = %s AND (%s OR v.state <> 'DELETED') ORDER BY v.version_number""",
            (self._subject_id, include_deleted),
        )
        return [_row_to_version(row) for row in self._cursor.fetchall()]

    def is_taken(self, version: SemVer, version_number: int) -> bool:
        """Whether a version (soft-deleted included) already has this semantic version or number."""
        self._cursor.execute(
            """SELECT EXISTS (SELECT 1 FROM schema_versions WHERE subject_id = %s AND (version_number = %s
                   OR (version_major, version_minor, version_patch) = (%s, %s, %s)))""",
            (self._subject_id, version_number, *version.as_tuple()),
        )
        return self._cursor.fetchone()[0]

    def highest_number(self) -> int:
        """The highest version number ever stored (0 for none), soft-deleted ones included."""
        self._cursor.execute(
            "SELECT coalesce(max(version_number), 0) FROM schema_versions WHERE subject_id = %s",
            (self._subject_id,),
        )
        return self._cursor.fetchone()[0]

    def find_live_by_identity(self, content_hash: str, identity_hash: str) -> SchemaVersion | None:
        self._cursor.execute(
            f"""SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS}
                WHERE v.subject_id = %s AND v.content_hash = %s AND i.identity_hash = %s
                  AND v.state <> 'DELETED'
                ORDER BY {_VERSION_ORDER_DESC} LIMIT 1""",
            (self._subject_id, content_hash, identity_hash),
        )
        row = self._cursor.fetchone()
        return _row_to_version(row) if row else None

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
                (fmt.value, identity_hash, content, _refs_json(references)),
            )
            row = self._cursor.fetchone()
            if row is not None:
                return row[0]

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
            (wanted, fmt.value, identity_hash, content, _refs_json(references)),
        )
        if self._cursor.rowcount == 1:
            return True
        self._cursor.execute("SELECT format, identity_hash FROM schema_ids WHERE id = %s", (wanted,))
        return self._cursor.fetchone() == (fmt.value, identity_hash)

    def _lowest_id(self, fmt: SchemaFormat, identity_hash: str) -> int | None:
        self._cursor.execute(
            "SELECT min(id) FROM schema_ids WHERE format = %s AND identity_hash = %s", (fmt.value, identity_hash)
        )
        return self._cursor.fetchone()[0]

    def _lock_identity(self, fmt: SchemaFormat, identity_hash: str) -> None:
        # Registrations of one new schema into two subjects hold different subject locks;
        # this one makes them agree on a single id.
        self._cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"schema-id:{fmt.value}:{identity_hash}",)
        )

    def referencing_ids(self, version_number: int, *, live_only: bool) -> list[int]:
        """Global ids of versions whose schema references this subject's ``version_number``."""
        return _referencing_ids(self._cursor, self.subject, version_number, live_only=live_only)

    def soft_delete(self, versions: list[SchemaVersion]) -> list[SchemaVersion]:
        self._cursor.execute(
            f"""WITH v AS (
                    UPDATE schema_versions SET state = 'DELETED', revision = revision + 1,
                           updated_at = clock_timestamp()
                    WHERE id = ANY(%s::uuid[]) AND state <> 'DELETED'
                    RETURNING *)
                SELECT {_VERSION_COLUMNS} FROM v {_JOIN_VERSION_PARTS} ORDER BY v.version_number""",
            ([version.id for version in versions],),
        )
        deleted = [_row_to_version(row) for row in self._cursor.fetchall()]
        for version in deleted:
            _notify_schema_changed(self._cursor, version.id, version.revision)
        return deleted

    def hard_delete(self, versions: list[SchemaVersion]) -> None:
        self._cursor.execute(
            "DELETE FROM schema_versions WHERE id = ANY(%s::uuid[]) RETURNING id::text, revision",
            ([version.id for version in versions],),
        )
        # Announced as a revision newer than any cached copy, so caches drop them like any change.
        for version_id, revision in self._cursor.fetchall():
            _notify_schema_changed(self._cursor, version_id, revision + 1)

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
                SELECT {_VERSION_COLUMNS} FROM v {_JOIN_VERSION_PARTS}""",
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
        return _row_to_version(self._cursor.fetchone())

    def set_config(self, config: CompatibilityConfig) -> None:
        _set_subject_config(self._cursor, self.subject, config)
        self.config = config


class PostgresVersionSession:
    """A lifecycle change's transaction, holding the version row's lock."""

    def __init__(self, cursor: Cursor, version: SchemaVersion, modes: SubjectModes) -> None:
        self._cursor = cursor
        self.version = version
        self.modes = modes

    def referencing_ids(self, *, live_only: bool) -> list[int]:
        return _referencing_ids(self._cursor, self.version.subject, self.version.version_number, live_only=live_only)

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
                SELECT {_VERSION_COLUMNS} FROM v {_JOIN_VERSION_PARTS}""",
            (
                changes.state.value if changes.state else None,
                changes.clear_description,
                changes.description,
                orjson.dumps(list(changes.tags)).decode() if changes.tags is not None else None,
                orjson.dumps(changes.metadata).decode() if changes.metadata is not None else None,
                self.version.id,
            ),
        )
        updated = _row_to_version(self._cursor.fetchone())
        _notify_schema_changed(self._cursor, updated.id, updated.revision)
        self.version = updated
        return updated


class PostgresSchemaStore:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    # -- single versions -------------------------------------------------------------------

    def get_version(self, schema_id: str) -> SchemaVersion | None:
        def fetch(cursor: Cursor) -> SchemaVersion | None:
            cursor.execute(f"SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS} WHERE v.id = %s", (schema_id,))
            row = cursor.fetchone()
            return _row_to_version(row) if row else None

        return self._pool.run(fetch)

    def get_subject_version(self, subject: str, version: SemVer | None) -> SchemaVersion | None:
        """A live version of a subject; ``None`` asks for the latest."""

        def fetch(cursor: Cursor) -> SchemaVersion | None:
            if version is None:
                cursor.execute(
                    f"""SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS}
                        WHERE s.name = %s AND v.state <> 'DELETED' ORDER BY {_VERSION_ORDER_DESC} LIMIT 1""",
                    (subject,),
                )
            else:
                cursor.execute(
                    f"""SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS}
                        WHERE s.name = %s AND v.state <> 'DELETED'
                          AND (v.version_major, v.version_minor, v.version_patch) = (%s, %s, %s)""",
                    (subject, *version.as_tuple()),
                )
            row = cursor.fetchone()
            return _row_to_version(row) if row else None

        return self._pool.run(fetch)

    @contextmanager
    def version_session(self, schema_id: str) -> Iterator[PostgresVersionSession | None]:
        with self._pool.transaction() as cursor:
            cursor.execute(
                f"""SELECT {_VERSION_COLUMNS}, s.mode, (SELECT mode FROM registry_settings)
                    {_FROM_VERSIONS} WHERE v.id = %s FOR UPDATE OF v""",
                (schema_id,),
            )
            row = cursor.fetchone()
            yield PostgresVersionSession(cursor, _row_to_version(row), _modes(row[-2], row[-1])) if row else None

    @contextmanager
    def subject_session(self, subject: str, *, dry_run: bool = False) -> Iterator[PostgresSubjectSession]:
        with self._pool.transaction(commit=not dry_run) as cursor:
            yield PostgresSubjectSession(cursor, subject)

    # -- listings --------------------------------------------------------------------------

    def list_subjects(self, prefix: str | None, after: str | None, limit: int) -> list[SubjectSummary]:
        def fetch(cursor: Cursor) -> list[SubjectSummary]:
            cursor.execute(
                f"""SELECT s.name, latest.version_major, latest.version_minor, latest.version_patch,
                           latest.id::text, counts.n
                    FROM subjects s
                    JOIN LATERAL (
                        SELECT v.id, v.version_major, v.version_minor, v.version_patch FROM schema_versions v
                        WHERE v.subject_id = s.id AND v.state <> 'DELETED' ORDER BY {_VERSION_ORDER_DESC} LIMIT 1
                    ) latest ON true
                    JOIN LATERAL (
                        SELECT count(*) AS n FROM schema_versions v WHERE v.subject_id = s.id AND v.state <> 'DELETED'
                    ) counts ON true
                    WHERE (%s::text IS NULL OR s.name LIKE %s ESCAPE '\\')
                      AND (%s::text IS NULL OR s.name > %s)
                    ORDER BY s.name LIMIT %s""",
                (prefix, _like_prefix(prefix), after, after, limit),
            )
            return [
                SubjectSummary(name, SemVer(major, minor, patch), latest_id, count)
                for name, major, minor, patch, latest_id, count in cursor.fetchall()
            ]

        return self._pool.run(fetch)

    def list_versions(self, subject: str, after: SemVer | None, limit: int) -> list[SchemaVersion] | None:
        """Live versions in ascending order; ``None`` when the subject has none at all."""

        def fetch(cursor: Cursor) -> list[SchemaVersion] | None:
            cursor.execute(
                f"""SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS}
                    WHERE s.name = %s AND v.state <> 'DELETED'
                      AND (%s::int IS NULL OR (v.version_major, v.version_minor, v.version_patch) > (%s, %s, %s))
                    ORDER BY {_VERSION_ORDER} LIMIT %s""",
                (subject, *(_version_bound(after)), limit),
            )
            rows = cursor.fetchall()
            if not rows and after is None:
                return None
            return [_row_to_version(row) for row in rows]

        return self._pool.run(fetch)

    def list_schemas(self, where: SchemaFilter, after_seq: int | None, limit: int) -> list[SchemaVersion]:
        def fetch(cursor: Cursor) -> list[SchemaVersion]:
            state = where.state.value if where.state else None
            cursor.execute(
                f"""SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS}
                    WHERE (%(state)s::text IS NULL AND v.state <> 'DELETED' OR v.state = %(state)s)
                      AND (%(namespace)s::text IS NULL OR s.namespace = %(namespace)s)
                      AND (%(name)s::text IS NULL OR s.short_name = %(name)s)
                      AND (%(prefix)s::text IS NULL OR s.name LIKE %(like)s ESCAPE '\\')
                      AND (%(format)s::text IS NULL OR v.format = %(format)s)
                      AND (%(tag)s::jsonb IS NULL OR v.tags @> %(tag)s::jsonb)
                      AND (%(after)s::bigint IS NULL OR v.seq > %(after)s)
                    ORDER BY v.seq LIMIT %(limit)s""",
                {
                    "state": state,
                    "namespace": where.namespace,
                    "name": where.name,
                    "prefix": where.subject_prefix,
                    "like": _like_prefix(where.subject_prefix),
                    "format": where.format.value if where.format else None,
                    "tag": orjson.dumps([where.tag]).decode() if where.tag is not None else None,
                    "after": after_seq,
                    "limit": limit,
                },
            )
            return [_row_to_version(row) for row in cursor.fetchall()]

        return self._pool.run(fetch)

    # -- the Confluent API's views ------------------------------------------------------------

    def get_version_by_number(
        self, subject: str, version_number: int | None, *, include_deleted: bool
    ) -> SchemaVersion | None:
        """A subject's version by number, or its highest-numbered one for ``None``."""

        def fetch(cursor: Cursor) -> SchemaVersion | None:
            cursor.execute(
                f"""SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS}
                    WHERE s.name = %s AND (%s OR v.state <> 'DELETED')
                      AND (%s::int IS NULL OR v.version_number = %s)
                    ORDER BY v.version_number DESC LIMIT 1""",
                (subject, include_deleted, version_number, version_number),
            )
            row = cursor.fetchone()
            return _row_to_version(row) if row else None

        return self._pool.run(fetch)

    def versions_with_content_hash(
        self, subject: str, content_hash: str, *, include_deleted: bool
    ) -> list[SchemaVersion]:
        def fetch(cursor: Cursor) -> list[SchemaVersion]:
            cursor.execute(
                f"""SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS}
                    WHERE s.name = %s AND v.content_hash = %s AND (%s OR v.state <> 'DELETED')
                    ORDER BY v.version_number""",
                (subject, content_hash, include_deleted),
            )
            return [_row_to_version(row) for row in cursor.fetchall()]

        return self._pool.run(fetch)

    def subject_version_counts(self, subject: str) -> tuple[int, int]:
        """How many live versions the subject has, and how many in all (soft-deleted included)."""

        def fetch(cursor: Cursor) -> tuple[int, int]:
            cursor.execute(
                """SELECT count(*) FILTER (WHERE v.state <> 'DELETED'), count(*)
                   FROM schema_versions v JOIN subjects s ON s.id = v.subject_id WHERE s.name = %s""",
                (subject,),
            )
            live, total = cursor.fetchone()
            return live, total

        return self._pool.run(fetch)

    def version_numbers(self, subject: str, *, include_deleted: bool) -> list[int]:
        def fetch(cursor: Cursor) -> list[int]:
            cursor.execute(
                """SELECT v.version_number FROM schema_versions v JOIN subjects s ON s.id = v.subject_id
                   WHERE s.name = %s AND (%s OR v.state <> 'DELETED') ORDER BY v.version_number""",
                (subject, include_deleted),
            )
            return [row[0] for row in cursor.fetchall()]

        return self._pool.run(fetch)

    def subject_names(self, prefix: str | None, *, include_deleted: bool) -> list[str]:
        def fetch(cursor: Cursor) -> list[str]:
            cursor.execute(
                """SELECT s.name FROM subjects s
                   WHERE (%s::text IS NULL OR s.name LIKE %s ESCAPE '\\')
                     AND EXISTS (SELECT 1 FROM schema_versions v
                                 WHERE v.subject_id = s.id AND (%s OR v.state <> 'DELETED'))
                   ORDER BY s.name""",
                (prefix, _like_prefix(prefix), include_deleted),
            )
            return [row[0] for row in cursor.fetchall()]

        return self._pool.run(fetch)

    def global_schema(self, global_id: int) -> GlobalSchema | None:
        """The schema under an id, while some version (soft-deleted or not) still has it."""

        def fetch(cursor: Cursor) -> GlobalSchema | None:
            cursor.execute(
                # The EXISTS takes the id as a value: see SUBJECT_STATE_QUERY.
                """SELECT i.id, i.format, i.content, i.refs FROM schema_ids i
                   WHERE i.id = %(id)s AND EXISTS (SELECT 1 FROM schema_versions v WHERE v.global_id = %(id)s)""",
                {"id": global_id},
            )
            row = cursor.fetchone()
            return GlobalSchema(row[0], SchemaFormat(row[1]), row[2], _references(row[3])) if row else None

        return self._pool.run(fetch)

    def max_global_id(self) -> int:
        return self._pool.run(lambda cursor: _fetch_value(cursor, "SELECT coalesce(max(id), 0) FROM schema_ids"))

    def versions_with_global_id(self, global_id: int, *, include_deleted: bool) -> list[SchemaVersion]:
        def fetch(cursor: Cursor) -> list[SchemaVersion]:
            cursor.execute(
                f"""SELECT {_VERSION_COLUMNS} {_FROM_VERSIONS}
                    WHERE v.global_id = %s AND (%s OR v.state <> 'DELETED')
                    ORDER BY s.name, v.version_number""",
                (global_id, include_deleted),
            )
            return [_row_to_version(row) for row in cursor.fetchall()]

        return self._pool.run(fetch)

    def referencing_ids(self, subject: str, version_number: int) -> list[int]:
        """Global ids of live versions whose schema references the subject's version."""
        return self._pool.run(lambda cursor: _referencing_ids(cursor, subject, version_number, live_only=True))

    def has_any_version(self, subject: str | None = None) -> bool:
        """Whether any version (soft-deleted included) was ever kept, in one subject or at all."""

        def fetch(cursor: Cursor) -> bool:
            if subject is None:
                cursor.execute("SELECT EXISTS (SELECT 1 FROM schema_versions)")
            else:
                cursor.execute(
                    """SELECT EXISTS (SELECT 1 FROM schema_versions v JOIN subjects s ON s.id = v.subject_id
                                      WHERE s.name = %s)""",
                    (subject,),
                )
            return cursor.fetchone()[0]

        return self._pool.run(fetch)

    # -- modes -------------------------------------------------------------------------------

    def global_mode(self) -> RegistryMode:
        return self._pool.run(_global_mode)

    def set_global_mode(self, mode: RegistryMode) -> RegistryMode:
        with self._pool.transaction() as cursor:
            cursor.execute("UPDATE registry_settings SET mode = %s, updated_at = now()", (mode.value,))
            return _global_mode(cursor)

    def subject_modes(self, subject: str) -> SubjectModes | None:
        """The subject's own mode and the registry's; None when the registry never heard of it."""

        def fetch(cursor: Cursor) -> SubjectModes | None:
            cursor.execute(
                "SELECT s.mode, g.mode FROM subjects s CROSS JOIN registry_settings g WHERE s.name = %s", (subject,)
            )
            row = cursor.fetchone()
            return _modes(*row) if row else None

        return self._pool.run(fetch)

    def set_subject_mode(self, subject: str, mode: RegistryMode | None) -> None:
        with self._pool.transaction() as cursor:
            cursor.execute("INSERT INTO subjects (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (subject,))
            cursor.execute(
                "UPDATE subjects SET mode = %s, updated_at = now() WHERE name = %s",
                (mode.value if mode else None, subject),
            )

    # -- configuration -----------------------------------------------------------------------

    def global_config(self) -> EffectiveConfig:
        return self._pool.run(_global_config)

    def set_global_config(self, mode: CompatibilityMode | None, policy: CompatibilityPolicy | None) -> EffectiveConfig:
        with self._pool.transaction() as cursor:
            cursor.execute(
                """UPDATE registry_settings SET compatibility_mode = coalesce(%s, compatibility_mode),
                          compatibility_policy = coalesce(%s, compatibility_policy), updated_at = now()""",
                (mode.value if mode else None, policy.value if policy else None),
            )
            return _global_config(cursor)

    def subject_config(self, subject: str) -> CompatibilityConfig | None:
        """The subject's own settings, or None when the registry has never heard of it."""

        def fetch(cursor: Cursor) -> CompatibilityConfig | None:
            cursor.execute("SELECT compatibility_mode, compatibility_policy FROM subjects WHERE name = %s", (subject,))
            row = cursor.fetchone()
            return _config(*row) if row else None

        return self._pool.run(fetch)

    def set_subject_config(self, subject: str, config: CompatibilityConfig) -> None:
        with self._pool.transaction() as cursor:
            cursor.execute("INSERT INTO subjects (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (subject,))
            _set_subject_config(cursor, subject, config)

    # -- cache outbox and health -------------------------------------------------------------

    def drain_cache_invalidations(self, forget: Callable[[list[tuple[str, int]]], bool], limit: int = 500) -> int:
        """Claim outbox rows (skipping rows another worker holds) and pass their
        ``(key, revision)`` pairs to ``forget``; the rows are deleted only when it returns True."""
        with self._pool.transaction() as cursor:
            cursor.execute(
                """DELETE FROM cache_invalidations WHERE id IN (
                       SELECT id FROM cache_invalidations ORDER BY id FOR UPDATE SKIP LOCKED LIMIT %s)
                   RETURNING cache_key, revision""",
                (limit,),
            )
            claimed = cursor.fetchall()
            if claimed and not forget(claimed):
                cursor.connection.rollback()
                return 0
            return len(claimed)

    def ping(self) -> None:
        self._pool.run(lambda cursor: cursor.execute("SELECT 1"))


def _config(mode: str | None, policy: str | None) -> CompatibilityConfig:
    return CompatibilityConfig(
        CompatibilityMode(mode) if mode else None, CompatibilityPolicy(policy) if policy else None
    )


def _set_subject_config(cursor: Cursor, subject: str, config: CompatibilityConfig) -> None:
    cursor.execute(
        """UPDATE subjects SET compatibility_mode = %s, compatibility_policy = %s, updated_at = now()
           WHERE name = %s""",
        (config.mode.value if config.mode else None, config.policy.value if config.policy else None, subject),
    )
    cursor.execute("SELECT pg_notify(%s, %s)", (CHANGES_CHANNEL, f"subject:{subject}"))


def _fetch_value(cursor: Cursor, query: str) -> Any:
    cursor.execute(query)
    return cursor.fetchone()[0]


def _modes(own: str | None, registry: str) -> SubjectModes:
    return SubjectModes(RegistryMode(own) if own else None, RegistryMode(registry))


def _global_mode(cursor: Cursor) -> RegistryMode:
    cursor.execute("SELECT mode FROM registry_settings")
    return RegistryMode(cursor.fetchone()[0])


def _referencing_ids(cursor: Cursor, subject: str, version_number: int, *, live_only: bool) -> list[int]:
    cursor.execute(
        """SELECT DISTINCT v.global_id FROM schema_ids i JOIN schema_versions v ON v.global_id = i.id
           WHERE i.refs @> %s::jsonb AND (NOT %s OR v.state <> 'DELETED') ORDER BY v.global_id""",
        (orjson.dumps([{"subject": subject, "version": version_number}]).decode(), live_only),
    )
    return [row[0] for row in cursor.fetchall()]


def _global_config(cursor: Cursor) -> EffectiveConfig:
    cursor.execute("SELECT compatibility_mode, compatibility_policy FROM registry_settings")
    mode, policy = cursor.fetchone()
    return EffectiveConfig(CompatibilityMode(mode), CompatibilityPolicy(policy))


def _like_prefix(prefix: str | None) -> str | None:
    if prefix is None:
        return None
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _version_bound(after: SemVer | None) -> tuple[int | None, int | None, int | None, int | None]:
    if after is None:
        return (None, None, None, None)
    return (after.major, *after.as_tuple())
