"""Numbered SQL migrations, applied in order under an advisory lock.

Several workers or instances may start together: the advisory lock makes one of
them apply what is missing while the others wait, then find nothing to do. Each
applied file is recorded with its checksum; an applied file that was edited
afterwards stops startup instead of leaving databases that differ silently.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.errors
import psycopg2.extensions

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# An arbitrary constant: every process of every registry instance uses the same lock.
ADVISORY_LOCK_KEY = 0x5C4E_3A01
_FILENAME = re.compile(r"(\d{3,})_[a-z0-9_]+\.sql")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Migration:
    number: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILENAME.fullmatch(path.name)
        if match is None:
            raise MigrationError(f"migration file {path.name} is not named NNN_description.sql")
        migrations.append(Migration(int(match[1]), path.name, path.read_text()))
    numbers = [migration.number for migration in migrations]
    if len(numbers) != len(set(numbers)):
        raise MigrationError(f"two migration files share a number in {directory}")
    return migrations


def apply_migrations(
    dsn: str,
    *,
    directory: Path = MIGRATIONS_DIR,
    lock_wait_seconds: int = 60,
    lock_timeout_seconds: int = 10,
    statement_timeout_seconds: int = 300,
) -> list[str]:
    """Apply every pending migration; return the names applied by this call."""
    migrations = discover(directory)
    conn = psycopg2.connect(dsn, connect_timeout=10, application_name="llm-schema-registry-migrate")
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SET lock_timeout = %s", (f"{lock_wait_seconds}s",))
            try:
                cursor.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
            except psycopg2.errors.LockNotAvailable as exc:
                raise MigrationError(f"another process held the migration lock for over {lock_wait_seconds}s") from exc
            try:
                cursor.execute("SET lock_timeout = %s", (f"{lock_timeout_seconds}s",))
                cursor.execute("SET statement_timeout = %s", (f"{statement_timeout_seconds}s",))
                return _apply_pending(conn, cursor, migrations)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
    finally:
        conn.close()


def pending_migrations(dsn: str, *, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Names of migrations not yet applied (readiness check); raises on a checksum mismatch."""
    migrations = discover(directory)
    conn = psycopg2.connect(dsn, connect_timeout=5)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
            if cursor.fetchone() == (False,):
                return [migration.name for migration in migrations]
            applied = _applied(cursor)
        _check_unchanged(migrations, applied)
        return [migration.name for migration in migrations if migration.number not in applied]
    finally:
        conn.close()


def _apply_pending(
    conn: psycopg2.extensions.connection, cursor: psycopg2.extensions.cursor, migrations: list[Migration]
) -> list[str]:
    cursor.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            number     integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    applied = _applied(cursor)
    _check_unchanged(migrations, applied)
    done = []
    for migration in migrations:
        if migration.number in applied:
            continue
        log.info("applying migration", extra={"migration": migration.name})
        conn.autocommit = False
        try:
            cursor.execute(migration.sql)
            cursor.execute(
                "INSERT INTO schema_migrations (number, name, checksum) VALUES (%s, %s, %s)",
                (migration.number, migration.name, migration.checksum),
            )
            conn.commit()
        except psycopg2.Error as exc:
            conn.rollback()
            raise MigrationError(f"migration {migration.name} failed: {exc}".strip()) from exc
        finally:
            conn.autocommit = True
        done.append(migration.name)
    return done


def _applied(cursor: psycopg2.extensions.cursor) -> dict[int, tuple[str, str]]:
    cursor.execute("SELECT number, name, checksum FROM schema_migrations")
    return {number: (name, checksum) for number, name, checksum in cursor.fetchall()}


def _check_unchanged(migrations: list[Migration], applied: dict[int, tuple[str, str]]) -> None:
    for migration in migrations:
        recorded = applied.get(migration.number)
        if recorded is not None and recorded[1] != migration.checksum:
            raise MigrationError(
                f"migration {migration.name} was edited after it was applied to this database "
                f"(recorded checksum {recorded[1][:12]}…, file now {migration.checksum[:12]}…); "
                "add a new migration instead of editing an applied one"
            )
