"""The real store and cache, built the way ``build_backends`` builds them.

The one place tests import PostgreSQL's and Redis's implementations of the domain's ports
from: when they move, only these imports change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2.extensions

from registry.cache.shared import RedisCache
from registry.cache.tiered import TieredSchemaCache
from registry.domain.ports import SchemaCache, SchemaStore
from registry.domain.records import SchemaVersion
from registry.lru import LocalCache
from registry.storage.pool import ConnectionPool
from registry.storage.postgres import PostgresSchemaStore

# Everything a registry writes, emptied between contract tests: far faster than a new
# database, and than TRUNCATE (which makes new files) while the tables hold a few rows.
_EMPTY_DATABASE = """
    DELETE FROM schema_versions;
    DELETE FROM schema_ids;
    DELETE FROM subjects;
    DELETE FROM cache_invalidations;
    UPDATE registry_settings SET compatibility_mode = 'BACKWARD', compatibility_policy = 'STRICT', mode = 'READWRITE';
    SELECT setval('schema_ids_allocator', 1, false);
"""


@contextmanager
def postgres_store(database_url: str, *, pool_size: int = 4) -> Iterator[SchemaStore]:
    pool = ConnectionPool(database_url, size=pool_size, wait_timeout=10)
    try:
        yield PostgresSchemaStore(pool)
    finally:
        pool.close()


def empty_database(connection: psycopg2.extensions.connection) -> None:
    """Back to what the migrations left: no subjects, versions or ids, the default settings,
    new global ids from 1 again."""
    with connection, connection.cursor() as cursor:
        cursor.execute(_EMPTY_DATABASE)


@contextmanager
def redis_schema_cache(redis_url: str, key_prefix: str) -> Iterator[SchemaCache]:
    """A worker's tiered cache over Redis, its memory tier always trusted (as while listening)."""
    shared = RedisCache(redis_url, key_prefix=key_prefix, ttl_seconds=60)
    local: LocalCache[SchemaVersion] = LocalCache(100, staleness_seconds=1.0)
    try:
        yield TieredSchemaCache(local, shared)
    finally:
        shared.close()
