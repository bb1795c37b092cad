"""Fixtures shared by the integration tests.

Every test run (every xdist worker) gets its own database (created here, dropped at the
end) and its own Redis key prefix, so runs on one machine never collide. The servers
come from tests/conftest.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from falcon import testing

from registry.app import create_app
from registry.backends import Backends, build_backends
from registry.config import Settings
from tests.support.databases import create_migrated_database, drop_database, unique_database_name


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, migrated database for this test run (one per xdist worker)."""
    name = unique_database_name("test")
    url = create_migrated_database(postgres_server_url, name)
    try:
        yield url
    finally:
        drop_database(postgres_server_url, name)


@pytest.fixture(scope="session")
def redis_key_prefix(redis_url: str) -> Iterator[str]:
    prefix = f"registry-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=prefix + "*", count=1000):
        client.delete(key)
    client.close()


def make_settings(database_url: str, redis_url: str | None, redis_key_prefix: str, **overrides: str) -> Settings:
    environment = {
        "DATABASE_URL": database_url,
        "REDIS_KEY_PREFIX": redis_key_prefix,
        "LOG_LEVEL": "WARNING",
        **overrides,
    }
    if redis_url:
        environment["REDIS_URL"] = redis_url
    return Settings.from_env(environment)


@pytest.fixture
def settings(database_url: str, redis_url: str, redis_key_prefix: str) -> Settings:
    return make_settings(database_url, redis_url, redis_key_prefix)


@contextmanager
def running_backends(settings: Settings, *, listen_for_changes: bool = True) -> Iterator[Backends]:
    """A worker's backends (pool, caches, change listener), closed on leaving."""
    built = build_backends(settings, listen_for_changes=listen_for_changes)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def backends(settings: Settings) -> Iterator[Backends]:
    with running_backends(settings) as built:
        yield built


@pytest.fixture
def client(settings: Settings, backends: Backends) -> testing.TestClient:
    return testing.TestClient(create_app(settings, backends))


@pytest.fixture
def subject() -> str:
    """A subject no other test uses."""
    return f"test.{uuid.uuid4().hex[:12]}.user"
