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


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> Iterator[None]:
    """Tests that boot gunicorn share one xdist group, so they never run concurrently: each
    starts several processes, and two at once on a small machine make their timings flaky."""
    for item in items:
        if item.get_closest_marker("server") is not None:
            item.add_marker(pytest.mark.xdist_group("server"))
    yield
    if getattr(config.option, "loadgroup", False):  # set in xdist workers under --dist loadgroup
        _check_groups_took_effect(items)


def _check_groups_took_effect(items: list[pytest.Item]) -> None:
    """pytest-xdist groups tests by appending ``@group`` to their node ids, which silently
    stops working with pytest 9.2 (pytest-dev/pytest-xdist#1386; hence pytest < 9.2 in
    pyproject.toml): fail loudly instead of running grouped tests side by side."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None and "@" not in item.nodeid.rsplit("]", 1)[-1]:
            raise pytest.UsageError(
                f"pytest-xdist did not put {item.nodeid} in its group (pytest-dev/pytest-xdist#1386)"
            )
