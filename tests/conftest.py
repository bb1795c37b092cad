"""The servers every database- or Redis-backed test shares: the ones named by
``TEST_DATABASE_URL`` / ``TEST_REDIS_URL``, or private ones started on free ports.

Each test run (each xdist worker) then makes its own databases and Redis key prefixes
from these (tests/integration/conftest.py, tests/contract/conftest.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.services import PrivatePostgres, PrivateRedis


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    server = PrivatePostgres(tmp_path_factory.mktemp("postgres")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        yield given
        return
    server = PrivateRedis().start()
    try:
        yield server.url
    finally:
        server.stop()
