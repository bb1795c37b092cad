"""Migrations and the connection pool against a real PostgreSQL."""

from __future__ import annotations

import shutil
import threading
import time
import uuid

import psycopg2
import pytest

from registry.domain.errors import StorageBusy
from registry.storage.migrations import MIGRATIONS_DIR, MigrationError, apply_migrations, pending_migrations
from registry.storage.pool import ConnectionPool
from registry.storage.postgres import SUBJECT_STATE_QUERY
from tests.support.databases import with_database


@pytest.fixture
def empty_database(postgres_server_url):
    name = f"registry_migrations_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(postgres_server_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield with_database(postgres_server_url, name)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


ALL_MIGRATIONS = ["001_init.sql", "002_performance_indexes.sql", "003_confluent_identity.sql"]


def test_migrations_apply_once_and_are_recorded(empty_database):
    assert pending_migrations(empty_database) == ALL_MIGRATIONS
    assert apply_migrations(empty_database) == ALL_MIGRATIONS
    assert apply_migrations(empty_database) == []
    assert pending_migrations(empty_database) == []
    with psycopg2.connect(empty_database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT number, name, length(checksum) FROM schema_migrations ORDER BY number")
        assert cursor.fetchall() == [(n, name, 64) for n, name in enumerate(ALL_MIGRATIONS, start=1)]


def test_confluent_identities_are_given_to_versions_stored_before_them(empty_database, tmp_path):
    directory = tmp_path / "migrations"
    directory.mkdir()
    for name in ALL_MIGRATIONS[:2]:
        shutil.copy(MIGRATIONS_DIR / name, directory / name)
    apply_migrations(empty_database, directory=directory)
    with psycopg2.connect(empty_database) as conn, conn.cursor() as cursor:
        cursor.execute("INSERT INTO subjects (name) VALUES ('a'), ('b')")
        rows = [  # subject, semantic version, content hash; 'b' repeats a schema of 'a'
            ("a", (1, 0, 0), "h1"),
            ("a", (1, 1, 0), "h2"),
            ("a", (2, 0, 0), "h3"),
            ("b", (1, 0, 0), "h2"),
        ]
        for subject, (major, minor, patch), digest in rows:
            cursor.execute(
                """INSERT INTO schema_versions (id, subject_id, version_major, version_minor, version_patch, format,
                       content, content_hash, state, compatibility_mode, compatibility_policy)
                   SELECT %s, id, %s, %s, %s, 'JSON', %s, %s, 'ACTIVE', 'BACKWARD', 'STRICT'
                   FROM subjects WHERE name = %s""",
                (str(uuid.uuid4()), major, minor, patch, f'{{"title": "{digest}"}}', digest, subject),
            )
    assert apply_migrations(empty_database) == ALL_MIGRATIONS[2:]
    with psycopg2.connect(empty_database) as conn, conn.cursor() as cursor:
        cursor.execute(
            """SELECT s.name, v.version_major, v.version_minor, v.version_number, v.global_id
               FROM schema_versions v JOIN subjects s ON s.id = v.subject_id ORDER BY s.name, v.version_number"""
        )
        assert cursor.fetchall() == [("a", 1, 0, 1, 1), ("a", 1, 1, 2, 2), ("a", 2, 0, 3, 3), ("b", 1, 0, 1, 2)]
        cursor.execute("SELECT nextval('schema_ids_allocator')")
        assert cursor.fetchone() == (4,)


def test_parallel_starts_do_not_race(empty_database):
    results, failures = [], []

    def migrate() -> None:
        try:
            results.append(apply_migrations(empty_database))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            failures.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(map(len, results)) == [0, 0, 0, 0, 0, len(ALL_MIGRATIONS)]


def test_an_edited_applied_migration_is_refused(empty_database, tmp_path):
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory)
    apply_migrations(empty_database, directory=directory)
    edited = directory / "002_performance_indexes.sql"
    edited.write_text(edited.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="002_performance_indexes.sql was edited"):
        apply_migrations(empty_database, directory=directory)
    with pytest.raises(MigrationError, match="edited"):
        pending_migrations(empty_database, directory=directory)


def test_a_failing_migration_leaves_nothing(empty_database, tmp_path):
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory)
    (directory / "099_broken.sql").write_text("CREATE TABLE half_done (x int);\nSELECT no_such_function();\n")
    with pytest.raises(MigrationError, match="099_broken.sql failed"):
        apply_migrations(empty_database, directory=directory)
    with psycopg2.connect(empty_database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT to_regclass('half_done') IS NULL, count(*) FROM schema_migrations")
        assert cursor.fetchone() == (True, len(ALL_MIGRATIONS))


def test_pool_waits_for_a_free_connection_then_gives_up(database_url):
    pool = ConnectionPool(database_url, size=1, wait_timeout=0.3)
    try:
        release = threading.Event()

        def hold() -> None:
            with pool.connection():
                release.wait(5)

        holder = threading.Thread(target=hold)
        holder.start()
        time.sleep(0.1)
        started = time.perf_counter()
        with pytest.raises(StorageBusy):
            with pool.connection():
                pass
        assert 0.25 <= time.perf_counter() - started < 2

        # A waiter that gets the connection back in time succeeds.
        threading.Timer(0.1, release.set).start()
        with pool.connection() as conn, conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        holder.join()
    finally:
        pool.close()


def test_a_registration_reads_its_subject_through_indexes_even_without_statistics(empty_database):
    """A young table has no statistics (nor any table where autovacuum is off, as on these
    machines); the subject's state must not then cost a scan of every version."""
    apply_migrations(empty_database)
    with psycopg2.connect(empty_database) as conn, conn.cursor() as cursor:
        cursor.execute("INSERT INTO subjects (name) SELECT 's' || n FROM generate_series(1, 5000) n")
        cursor.execute("INSERT INTO schema_ids (id, format, identity_hash, content) VALUES (1, 'JSON', 'h', '{}')")
        cursor.execute(
            """INSERT INTO schema_versions (id, subject_id, version_major, version_minor, version_patch, format,
                   content, content_hash, state, compatibility_mode, compatibility_policy, global_id, version_number)
               SELECT gen_random_uuid(), id, 1, 0, 0, 'JSON', '{}', 'h', 'ACTIVE', 'BACKWARD', 'STRICT', 1, 1
               FROM subjects"""
        )
        cursor.execute("SELECT id FROM subjects WHERE name = 's2500'")
        subject_id = cursor.fetchone()[0]
        cursor.execute("EXPLAIN " + SUBJECT_STATE_QUERY, {"id": subject_id})
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on schema_versions" not in plan, plan
