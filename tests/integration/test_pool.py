"""What the connection pool adds to psycopg2's ThreadedConnectionPool, against a real PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import psycopg2
import psycopg2.extensions
import pytest

from registry.domain.errors import StorageUnavailable
from registry.storage.pool import ConnectionPool


@pytest.fixture
def pool(database_url: str) -> Iterator[ConnectionPool]:
    built = ConnectionPool(database_url, size=3, wait_timeout=5)
    try:
        yield built
    finally:
        built.close()


def backend_pids(pool: ConnectionPool, count: int) -> set[int]:
    with ExitStack() as stack:
        return {stack.enter_context(pool.connection()).info.backend_pid for _ in range(count)}


def backend_pid(cursor: psycopg2.extensions.cursor) -> int:
    cursor.execute("SELECT pg_backend_pid()")
    row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def test_nothing_is_opened_before_it_is_needed() -> None:
    # A worker starts while the database is down; only using the pool then fails.
    pool = ConnectionPool("postgresql://postgres@127.0.0.1:1/nowhere", size=3, wait_timeout=1, connect_timeout=1)
    with pytest.raises(StorageUnavailable):
        with pool.connection():
            pass
    pool.close()


def test_every_connection_given_back_stays_open_for_the_next_caller(pool: ConnectionPool) -> None:
    first = backend_pids(pool, 3)
    assert backend_pids(pool, 3) == first


def test_a_slow_connect_holds_up_no_other_checkout_or_return(
    pool: ConnectionPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pool.connection():
        pass  # one idle connection now
    connecting, may_connect = threading.Event(), threading.Event()
    real_connect = psycopg2.connect

    def slow_connect(*args: Any, **kwargs: Any) -> Any:
        connecting.set()
        may_connect.wait(10)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(psycopg2, "connect", slow_connect)

    def open_second() -> None:
        with pool.connection():
            pass

    with pool.connection():
        opener = threading.Thread(target=open_second)
        opener.start()
        assert connecting.wait(5)
        started = time.perf_counter()
    with pool.connection():  # the idle one again, while the other connect still waits
        pass
    assert time.perf_counter() - started < 1
    may_connect.set()
    opener.join(10)
    assert not opener.is_alive()


def test_after_a_connection_failure_idle_connections_are_dropped_too(pool: ConnectionPool, database_url: str) -> None:
    dead = backend_pids(pool, 2)
    admin = psycopg2.connect(database_url)
    admin.autocommit = True
    with admin.cursor() as cursor:  # as a server restart would
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) pid", (list(dead),))
    admin.close()

    # The first pooled connection fails; run() retries once, and must then not get the other dead one.
    assert pool.run(backend_pid) not in dead
