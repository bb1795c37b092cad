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
from tests.integration.conftest import with_database


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


def test_migrations_apply_once_and_are_recorded(empty_database):
    assert pending_migrations(empty_database) == ["001_init.sql", "002_performance_indexes.sql"]
    assert apply_migrations(empty_database) == ["001_init.sql", "002_performance_indexes.sql"]
    assert apply_migrations(empty_database) == []
    assert pending_migrations(empty_database) == []
    with psycopg2.connect(empty_database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT number, name, length(checksum) FROM schema_migrations ORDER BY number")
        assert cursor.fetchall() == [(1, "001_init.sql", 64), (2, "002_performance_indexes.sql", 64)]


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
    assert sorted(map(len, results)) == [0, 0, 0, 0, 0, 2]


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
    (directory / "003_broken.sql").write_text("CREATE TABLE half_done (x int);\nSELECT no_such_function();\n")
    with pytest.raises(MigrationError, match="003_broken.sql failed"):
        apply_migrations(empty_database, directory=directory)
    with psycopg2.connect(empty_database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT to_regclass('half_done') IS NULL, count(*) FROM schema_migrations")
        assert cursor.fetchone() == (True, 2)


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
