"""The schema store on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg2.extensions

from registry.domain.model import CompatibilityMode, CompatibilityPolicy, SchemaFormat, SchemaState
from registry.domain.records import CompatibilityConfig, EffectiveConfig, NewVersion, SchemaVersion
from registry.domain.versioning import SemVer
from registry.storage.pool import ConnectionPool

Cursor = psycopg2.extensions.cursor

# Notifications carry ids of rows whose mutable fields changed; see registry.cache.invalidation.
CHANGES_CHANNEL = "registry_changes"

_VERSION_COLUMNS = """
    v.id::text, s.name, v.version_major, v.version_minor, v.version_patch, v.format, v.content,
    v.content_hash, v.state, v.compatibility_mode, v.compatibility_policy, v.description,
    v.tags, v.metadata, v.created_at, v.updated_at
"""


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
    )


class PostgresSubjectSession:
    """A registration's transaction, holding the subject row's lock (see ``SubjectSession``)."""

    def __init__(self, cursor: Cursor, subject: str) -> None:
        self._cursor = cursor
        self.subject = subject
        # Creating the row first gives every registration a row to lock, even the first
        # two racing into a new subject; a rolled-back registration removes it again.
        cursor.execute(
            "INSERT INTO subjects (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (subject,)
        )
        cursor.execute(
            "SELECT id, compatibility_mode, compatibility_policy FROM subjects WHERE name = %s FOR UPDATE",
            (subject,),
        )
        self._subject_id, mode, policy = cursor.fetchone()
        self.config = CompatibilityConfig(
            CompatibilityMode(mode) if mode else None, CompatibilityPolicy(policy) if policy else None
        )
        self.global_config = _global_config(cursor)
        cursor.execute("SELECT EXISTS (SELECT 1 FROM schema_versions WHERE subject_id = %s)", (self._subject_id,))
        self.has_any_version = cursor.fetchone()[0]

    def live_versions(self) -> list[SchemaVersion]:
        self._cursor.execute(
            f"""SELECT {_VERSION_COLUMNS} FROM schema_versions v JOIN subjects s ON s.id = v.subject_id
                WHERE v.subject_id = %s AND v.state <> 'DELETED'
                ORDER BY v.version_major, v.version_minor, v.version_patch""",
            (self._subject_id,),
        )
        return [_row_to_version(row) for row in self._cursor.fetchall()]

    def highest_version(self) -> SemVer | None:
        self._cursor.execute(
            """SELECT version_major, version_minor, version_patch FROM schema_versions
               WHERE subject_id = %s ORDER BY version_major DESC, version_minor DESC, version_patch DESC
               LIMIT 1""",
            (self._subject_id,),
        )
        row = self._cursor.fetchone()
        return SemVer(*row) if row else None

    def find_live_by_hash(self, content_hash: str) -> SchemaVersion | None:
        self._cursor.execute(
            f"""SELECT {_VERSION_COLUMNS} FROM schema_versions v JOIN subjects s ON s.id = v.subject_id
                WHERE v.subject_id = %s AND v.content_hash = %s AND v.state <> 'DELETED'
                ORDER BY v.version_major DESC, v.version_minor DESC, v.version_patch DESC LIMIT 1""",
            (self._subject_id, content_hash),
        )
        row = self._cursor.fetchone()
        return _row_to_version(row) if row else None

    def insert_version(self, new: NewVersion) -> SchemaVersion:
        self._cursor.execute(
            f"""WITH v AS (
                    INSERT INTO schema_versions (
                        id, subject_id, version_major, version_minor, version_patch, format, content,
                        content_hash, state, compatibility_mode, compatibility_policy, description,
                        tags, metadata)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                    RETURNING *)
                SELECT {_VERSION_COLUMNS} FROM v JOIN subjects s ON s.id = v.subject_id""",
            (
                str(uuid.uuid4()), self._subject_id, new.version.major, new.version.minor,
                new.version.patch, new.format.value, new.content, new.content_hash, new.state.value,
                new.compatibility_mode.value, new.compatibility_policy.value, new.description,
                orjson.dumps(list(new.tags)).decode(), orjson.dumps(new.metadata).decode(),
            ),
        )
        return _row_to_version(self._cursor.fetchone())

    def set_config(self, config: CompatibilityConfig) -> None:
        self._cursor.execute(
            """UPDATE subjects SET compatibility_mode = %s, compatibility_policy = %s, updated_at = now()
               WHERE id = %s""",
            (
                config.mode.value if config.mode else None,
                config.policy.value if config.policy else None,
                self._subject_id,
            ),
        )
        self.config = config
        self._cursor.execute("SELECT pg_notify(%s, %s)", (CHANGES_CHANNEL, f"subject:{self.subject}"))


class PostgresSchemaStore:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def get_version(self, schema_id: str) -> SchemaVersion | None:
        def fetch(cursor: Cursor) -> SchemaVersion | None:
            cursor.execute(
                f"""SELECT {_VERSION_COLUMNS} FROM schema_versions v JOIN subjects s ON s.id = v.subject_id
                    WHERE v.id = %s""",
                (schema_id,),
            )
            row = cursor.fetchone()
            return _row_to_version(row) if row else None

        return self._pool.run(fetch)

    @contextmanager
    def subject_session(self, subject: str) -> Iterator[PostgresSubjectSession]:
        with self._pool.transaction() as cursor:
            yield PostgresSubjectSession(cursor, subject)

    def global_config(self) -> EffectiveConfig:
        return self._pool.run(_global_config)

    def ping(self) -> None:
        self._pool.run(lambda cursor: cursor.execute("SELECT 1"))


def _global_config(cursor: Cursor) -> EffectiveConfig:
    cursor.execute("SELECT compatibility_mode, compatibility_policy FROM registry_settings")
    mode, policy = cursor.fetchone()
    return EffectiveConfig(CompatibilityMode(mode), CompatibilityPolicy(policy))
