"""Every contract test runs against the in-memory fakes and against the real PostgreSQL
store / Redis-backed cache, so the fakes the unit tests use cannot drift from them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg2
import psycopg2.extensions
import pytest
import redis

from registry.domain.ports import SchemaCache, SchemaStore
from tests.fakes import InMemorySchemaCache, InMemorySchemaStore
from tests.support.databases import create_migrated_database, drop_database, unique_database_name
from tests.support.stores import empty_database, postgres_store, redis_schema_cache

# Subject names order by code point here, as the fake orders them; a linguistic collation
# would order them otherwise (see tests/fakes/queries.py).
_C_COLLATION = "TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"


@pytest.fixture(scope="session")
def contract_database_url(postgres_server_url: str) -> Iterator[str]:
    name = unique_database_name("contract")
    url = create_migrated_database(postgres_server_url, name, options=_C_COLLATION)
    try:
        yield url
    finally:
        drop_database(postgres_server_url, name)


@pytest.fixture(scope="session")
def contract_database(contract_database_url: str) -> Iterator[psycopg2.extensions.connection]:
    """A connection for emptying the database between tests."""
    connection = psycopg2.connect(contract_database_url)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture(scope="session")
def shared_postgres_store(contract_database_url: str) -> Iterator[SchemaStore]:
    with postgres_store(contract_database_url) as store:
        yield store


@pytest.fixture(params=["memory", "postgres"])
def store(request: pytest.FixtureRequest) -> SchemaStore:
    """An empty store: nothing registered, the default settings."""
    if request.param == "memory":
        return InMemorySchemaStore()
    empty_database(request.getfixturevalue("contract_database"))
    postgres: SchemaStore = request.getfixturevalue("shared_postgres_store")
    return postgres


@pytest.fixture(params=["memory", "redis"])
def cache(request: pytest.FixtureRequest) -> Iterator[SchemaCache]:
    """An empty cache."""
    if request.param == "memory":
        yield InMemorySchemaCache()
        return
    url = request.getfixturevalue("redis_url")
    prefix = f"registry-contract:{uuid.uuid4().hex[:12]}:"
    with redis_schema_cache(url, prefix) as real:
        yield real
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
    finally:
        client.close()
