"""The servers every database- or Redis-backed test shares: the ones named by
``TEST_DATABASE_URL`` / ``TEST_REDIS_URL``, or private ones started on free ports.

Each test run (each xdist worker) then makes its own databases and Redis key prefixes
from these (tests/integration/conftest.py, tests/contract/conftest.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from _pytest.nodeid import NodeId

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
        _name_tests_after_their_group(items)


def _name_tests_after_their_group(items: list[pytest.Item]) -> None:
    """What pytest-xdist does to group tests (``nodeid@group``, which its scheduler splits
    on), redone because with pytest 9.2 its change no longer takes: pytest keeps node ids
    as ``NodeId`` in ``_id`` now (pytest-dev/pytest-xdist#1386). Without it every test
    would be scheduled alone, silently."""
    for item in items:
        groups = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(groups))
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)  # pytest-internal: the id nodeid is printed from
            if not item.nodeid.endswith(suffix):
                raise pytest.UsageError(f"cannot put {item.nodeid} in its xdist group: pytest's node ids changed")
