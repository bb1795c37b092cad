"""The schema store on PostgreSQL: reads in autocommit, writes in transactions
(the sessions hold their locks), settings and the cache outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import orjson

from registry.domain.model import CompatibilityMode, CompatibilityPolicy, RegistryMode, SchemaFormat
from registry.domain.records import (
    CompatibilityConfig,
    EffectiveConfig,
    GlobalSchema,
    SchemaFilter,
    SchemaVersion,
    SubjectModes,
    SubjectSummary,
)
from registry.domain.versioning import SemVer
from registry.storage.pool import ConnectionPool, Cursor
from registry.storage.postgres.queries import (
    FROM_VERSIONS,
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
    references_from_json,
    version_from_row,
)
from registry.storage.postgres.sessions import PostgresSubjectSession, PostgresVersionSession


class PostgresSchemaStore:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    # -- single versions -------------------------------------------------------------------

    def get_version(self, schema_id: str) -> SchemaVersion | None:
        def fetch(cursor: Cursor) -> SchemaVersion | None:
            cursor.execute(f"SELECT {VERSION_COLUMNS} {FROM_VERSIONS} WHERE v.id = %s", (schema_id,))
            row = cursor.fetchone()
            return version_from_row(row) if row else None

        return self._pool.run(fetch)

    def get_subject_version(self, subject: str, version: SemVer | None) -> SchemaVersion | None:
        """A live version of a subject; ``None`` asks for the latest."""

        def fetch(cursor: Cursor) -> SchemaVersion | None:
            if version is None:
                cursor.execute(
                    f"""SELECT {VERSION_COLUMNS} {FROM_VERSIONS}
                        WHERE s.name = %s AND v.state <> 'DELETED' ORDER BY {VERSION_ORDER_DESC} LIMIT 1""",
                    (subject,),
                )
            else:
                cursor.execute(
                    f"""SELECT {VERSION_COLUMNS} {FROM_VERSIONS}
                        WHERE s.name = %s AND v.state <> 'DELETED'
                          AND (v.version_major, v.version_minor, v.version_patch) = (%s, %s, %s)""",
                    (subject, *version.as_tuple()),
                )
            row = cursor.fetchone()
            return version_from_row(row) if row else None

        return self._pool.run(fetch)

    @contextmanager
    def version_session(self, schema_id: str) -> Iterator[PostgresVersionSession | None]:
        with self._pool.transaction() as cursor:
            cursor.execute(
                f"""SELECT {VERSION_COLUMNS}, s.mode, (SELECT mode FROM registry_settings)
                    {FROM_VERSIONS} WHERE v.id = %s FOR UPDATE OF v""",
                (schema_id,),
            )
            row = cursor.fetchone()
            yield (
                PostgresVersionSession(cursor, version_from_row(row), modes_from_row(row[-2], row[-1])) if row else None
            )

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
                        WHERE v.subject_id = s.id AND v.state <> 'DELETED' ORDER BY {VERSION_ORDER_DESC} LIMIT 1
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
                f"""SELECT {VERSION_COLUMNS} {FROM_VERSIONS}
                    WHERE s.name = %s AND v.state <> 'DELETED'
                      AND (%s::int IS NULL OR (v.version_major, v.version_minor, v.version_patch) > (%s, %s, %s))
                    ORDER BY {VERSION_ORDER} LIMIT %s""",
                (subject, *(_version_bound(after)), limit),
            )
            rows = cursor.fetchall()
            if not rows and after is None:
                return None
            return [version_from_row(row) for row in rows]

        return self._pool.run(fetch)

    def list_schemas(self, where: SchemaFilter, after_seq: int | None, limit: int) -> list[SchemaVersion]:
        def fetch(cursor: Cursor) -> list[SchemaVersion]:
            state = where.state.value if where.state else None
            cursor.execute(
                f"""SELECT {VERSION_COLUMNS} {FROM_VERSIONS}
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
            return [version_from_row(row) for row in cursor.fetchall()]

        return self._pool.run(fetch)

    # -- the Confluent API's views ------------------------------------------------------------

    def get_version_by_number(
        self, subject: str, version_number: int | None, *, include_deleted: bool
    ) -> SchemaVersion | None:
        """A subject's version by number, or its highest-numbered one for ``None``."""

        def fetch(cursor: Cursor) -> SchemaVersion | None:
            cursor.execute(
                f"""SELECT {VERSION_COLUMNS} {FROM_VERSIONS}
                    WHERE s.name = %s AND (%s OR v.state <> 'DELETED')
                      AND (%s::int IS NULL OR v.version_number = %s)
                    ORDER BY v.version_number DESC LIMIT 1""",
                (subject, include_deleted, version_number, version_number),
            )
            row = cursor.fetchone()
            return version_from_row(row) if row else None

        return self._pool.run(fetch)

    def versions_with_content_hash(
        self, subject: str, content_hash: str, *, include_deleted: bool
    ) -> list[SchemaVersion]:
        def fetch(cursor: Cursor) -> list[SchemaVersion]:
            cursor.execute(
                f"""SELECT {VERSION_COLUMNS} {FROM_VERSIONS}
                    WHERE s.name = %s AND v.content_hash = %s AND (%s OR v.state <> 'DELETED')
                    ORDER BY v.version_number""",
                (subject, content_hash, include_deleted),
            )
            return [version_from_row(row) for row in cursor.fetchall()]

        return self._pool.run(fetch)

    def subject_version_counts(self, subject: str) -> tuple[int, int]:
        """How many live versions the subject has, and how many in all (soft-deleted included)."""

        def fetch(cursor: Cursor) -> tuple[int, int]:
            cursor.execute(
                """SELECT count(*) FILTER (WHERE v.state <> 'DELETED'), count(*)
                   FROM schema_versions v JOIN subjects s ON s.id = v.subject_id WHERE s.name = %s""",
                (subject,),
            )
            live, total = one_row(cursor)
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
            return GlobalSchema(row[0], SchemaFormat(row[1]), row[2], references_from_json(row[3])) if row else None

        return self._pool.run(fetch)

    def max_global_id(self) -> int:
        def fetch(cursor: Cursor) -> int:
            cursor.execute("SELECT coalesce(max(id), 0) FROM schema_ids")
            highest: int = one_row(cursor)[0]
            return highest

        return self._pool.run(fetch)

    def versions_with_global_id(self, global_id: int, *, include_deleted: bool) -> list[SchemaVersion]:
        def fetch(cursor: Cursor) -> list[SchemaVersion]:
            cursor.execute(
                f"""SELECT {VERSION_COLUMNS} {FROM_VERSIONS}
                    WHERE v.global_id = %s AND (%s OR v.state <> 'DELETED')
                    ORDER BY s.name, v.version_number""",
                (global_id, include_deleted),
            )
            return [version_from_row(row) for row in cursor.fetchall()]

        return self._pool.run(fetch)

    def referencing_ids(self, subject: str, version_number: int) -> list[int]:
        """Global ids of live versions whose schema references the subject's version."""
        return self._pool.run(lambda cursor: referencing_ids(cursor, subject, version_number, live_only=True))

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
            found: bool = one_row(cursor)[0]
            return found

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
            return modes_from_row(*row) if row else None

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
            return config_from_row(*row) if row else None

        return self._pool.run(fetch)

    def set_subject_config(self, subject: str, config: CompatibilityConfig) -> None:
        with self._pool.transaction() as cursor:
            cursor.execute("INSERT INTO subjects (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (subject,))
            set_subject_config(cursor, subject, config)

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


def _global_mode(cursor: Cursor) -> RegistryMode:
    cursor.execute("SELECT mode FROM registry_settings")
    return RegistryMode(one_row(cursor)[0])


def _global_config(cursor: Cursor) -> EffectiveConfig:
    cursor.execute("SELECT compatibility_mode, compatibility_policy FROM registry_settings")
    mode, policy = one_row(cursor)
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
