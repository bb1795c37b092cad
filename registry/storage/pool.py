"""A psycopg2 connection pool shared by the greenlets of one worker process.

psycopg2's ``ThreadedConnectionPool`` keeps the connections. On top of it:

- callers wait (up to a timeout) for a connection to come back, which is what a burst
  of requests on a gevent worker needs; psycopg2's pool raises ``PoolError`` at once
  instead. A semaphore bounds the checkouts to the pool's size, so that pool is never
  found exhausted;
- failures become the domain's errors (``StorageBusy``, ``StorageUnavailable``,
  ``WriteConflict``); a broken connection is dropped, and so is every idle one after
  a connection failure. The driver's words (host, port, constraint names) go to the log,
  never into an error's message, which clients see;
- the observer hears of each checkout and return (metrics).

``threading`` is looked up when a pool is built, so in a gevent worker (pools are
built after the monkey-patching) the semaphore and psycopg2's lock are cooperative
ones. That lock is never held across I/O: see ``_Connections``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

import orjson
import psycopg2
import psycopg2.extensions
import psycopg2.extras
import psycopg2.pool

from registry.domain.errors import StorageBusy, StorageUnavailable, WriteConflict

log = logging.getLogger(__name__)

Connection = psycopg2.extensions.connection
Cursor = psycopg2.extensions.cursor
_Result = TypeVar("_Result")

# psycopg2 raises these when the server or the network fails, as opposed to a bad query.
CONNECTION_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)


class PoolObserver(Protocol):
    """Hears of each checkout and return (the metrics)."""

    def connection_acquired(self, waited_seconds: float, had_to_wait: bool) -> None: ...

    def connection_released(self) -> None: ...


class _Unobserved:
    def connection_acquired(self, waited_seconds: float, had_to_wait: bool) -> None:
        pass

    def connection_released(self) -> None:
        pass


class _Connections(psycopg2.pool.ThreadedConnectionPool):
    """psycopg2's pool with three changes, made on its internals (unchanged since psycopg2 2.8):

    - nothing is opened up front (``minconn`` connections are, otherwise): a worker
      must start while the database is down;
    - every connection given back in good order stays idle for the next caller; the
      stock pool closes those beyond ``minconn``;
    - a new connection is opened outside the lock. ``getconn()`` otherwise holds it
      while connecting, which in a gevent worker (psycogreen) waits with the lock held:
      every checkout and return would queue behind one slow connect, during an outage
      behind ``connect_timeout`` each.

    Every other moment the lock is held is bookkeeping: ``putconn()`` only rolls back
    or closes what ``ConnectionPool._checkin`` has already rolled back or closed.
    """

    # Set by psycopg2's pool; its type stubs leave them out.
    _lock: threading.Lock
    _pool: list[Connection]
    _used: dict[Hashable, Connection]
    _rused: dict[int, Hashable]
    _args: tuple[Any, ...]
    _kwargs: dict[str, Any]

    def __init__(self, size: int, dsn: str, **connect_kwargs: Any) -> None:
        super().__init__(0, size, dsn, **connect_kwargs)
        self.minconn = size

    def _connect(self, key: Hashable) -> Connection:
        # Called by getconn() with the lock held. More than ``maxconn`` connections may be
        # opening at once only if more callers than that hold a ConnectionPool slot, which
        # the slots rule out.
        self._lock.release()
        try:
            conn: Connection = psycopg2.connect(*self._args, **self._kwargs)
        finally:
            self._lock.acquire()
        read_json_with_orjson(conn)
        self._used[key] = conn
        self._rused[id(conn)] = key
        return conn

    def take_idle(self) -> list[Connection]:
        """Remove the idle connections from the pool and hand them over (to close)."""
        with self._lock:
            idle, self._pool = self._pool, []
        return idle


class ConnectionPool:
    def __init__(
        self,
        dsn: str,
        *,
        size: int,
        wait_timeout: float,
        connect_timeout: int = 5,
        statement_timeout_ms: int = 30_000,
        observer: PoolObserver | None = None,
        application_name: str = "llm-schema-registry",
    ) -> None:
        self._size = size
        self._wait_timeout = wait_timeout
        self._slots = threading.BoundedSemaphore(size)
        self._connections = _Connections(
            size,
            dsn,
            connect_timeout=connect_timeout,
            application_name=application_name,
            options=f"-c statement_timeout={statement_timeout_ms}",
        )
        self._observer: PoolObserver = observer or _Unobserved()
        self._closed = False

    @property
    def size(self) -> int:
        return self._size

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        self._take_slot()
        conn = None
        try:
            conn = self._connections.getconn()
            yield conn
        except psycopg2.IntegrityError as exc:
            if self._rollback_or_discard(conn):
                conn = None
            log.warning("a write conflicted: %s", _driver_text(exc))
            raise WriteConflict("a concurrent change conflicted with this one; retry it") from exc
        except CONNECTION_ERRORS as exc:
            self._discard(conn)
            conn = None
            # Connections left idle were opened to the same server: after a restart they are all dead.
            self._discard_idle()
            log.warning("database unavailable: %s", _driver_text(exc))
            raise StorageUnavailable("the database is unavailable; retry later") from exc
        except BaseException:
            if self._rollback_or_discard(conn):
                conn = None
            raise
        finally:
            if conn is not None:
                self._checkin(conn)
            self._slots.release()
            self._observer.connection_released()

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Cursor]:
        """A cursor in a transaction that commits on success (rolls back when ``commit``
        is false, for dry runs) and rolls back on error."""
        with self.connection() as conn:
            with conn.cursor() as cursor:
                yield cursor
            if commit:
                conn.commit()
            else:
                conn.rollback()

    def run(self, work: Callable[[Cursor], _Result]) -> _Result:
        """Run read-only ``work`` in autocommit mode: one round trip per statement instead of
        BEGIN, the statement and COMMIT. Retried once on a fresh connection when a pooled
        one turns out to be dead (the server restarted)."""
        try:
            return self._run_autocommit(work)
        except StorageUnavailable:
            pass
        return self._run_autocommit(work)

    def close(self) -> None:
        """Close the idle connections; those in use are closed when they come back."""
        self._closed = True
        self._discard_idle()

    def _take_slot(self) -> None:
        started = time.perf_counter()
        had_to_wait = not self._slots.acquire(blocking=False)
        if had_to_wait and not self._slots.acquire(timeout=self._wait_timeout):
            raise StorageBusy(
                f"all {self._size} database connections stayed busy for {self._wait_timeout:g}s; retry later"
            )
        self._observer.connection_acquired(time.perf_counter() - started, had_to_wait)

    def _run_autocommit(self, work: Callable[[Cursor], _Result]) -> _Result:
        with self.connection() as conn:
            conn.autocommit = True
            try:
                with conn.cursor() as cursor:
                    return work(cursor)
            finally:
                if not conn.closed:
                    conn.autocommit = False

    def _rollback_or_discard(self, conn: Connection | None) -> bool:
        """Roll back a failed transaction; True when the connection had to be dropped instead."""
        if conn is None or conn.closed:
            return False
        try:
            conn.rollback()
            return False
        except CONNECTION_ERRORS:
            self._discard(conn)
            return True

    def _checkin(self, conn: Connection) -> None:
        if self._closed or conn.closed:
            self._discard(conn)
            return
        # Rolled back here, outside psycopg2's lock: putconn() would do it holding the lock.
        if conn.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
            try:
                conn.rollback()
            except CONNECTION_ERRORS:
                self._discard(conn)
                return
        self._connections.putconn(conn)

    def _discard(self, conn: Connection | None) -> None:
        if conn is None:
            return
        _close_quietly(conn)
        # Only drops the pool's record of it: the connection is closed already.
        self._connections.putconn(conn, close=True)

    def _discard_idle(self) -> None:
        for conn in self._connections.take_idle():
            _close_quietly(conn)


def read_json_with_orjson(conn: Connection) -> None:
    """Decode json/jsonb columns with orjson, as every body is. The stdlib decoder psycopg2
    uses otherwise turns a stored number such as 1e30 (PostgreSQL keeps it exact) into an
    integer beyond 64 bits, which orjson refuses to write back out; orjson reads it as the
    double the client sent."""
    psycopg2.extras.register_default_json(conn, loads=orjson.loads)
    psycopg2.extras.register_default_jsonb(conn, loads=orjson.loads)


def _driver_text(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def _close_quietly(conn: Connection) -> None:
    try:
        conn.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail in any way
        log.debug("closing a broken connection failed", exc_info=True)
