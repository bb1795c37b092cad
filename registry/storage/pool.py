"""A psycopg2 connection pool shared by the greenlets of one worker process.

psycopg2's own pools raise at once when every connection is busy; this one makes
the caller wait (up to a timeout) for a connection to come back, which is what a
burst of requests on a gevent worker needs. ``threading`` is looked up at call
time, so after gevent's monkey-patching the semaphore is a cooperative one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import psycopg2.extensions

from registry.domain.errors import StorageBusy, StorageUnavailable, WriteConflict
from registry.text import first_line

log = logging.getLogger(__name__)

# psycopg2 raises these when the server or the network fails, as opposed to a bad query.
CONNECTION_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)


class PoolObserver:
    """Hooks for metrics; the default does nothing."""

    def connection_acquired(self, waited_seconds: float, had_to_wait: bool) -> None: ...

    def connection_released(self) -> None: ...


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
        self._dsn = dsn
        self._size = size
        self._wait_timeout = wait_timeout
        self._connect_kwargs: dict[str, Any] = {
            "connect_timeout": connect_timeout,
            "application_name": application_name,
            "options": f"-c statement_timeout={statement_timeout_ms}",
        }
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[psycopg2.extensions.connection] = []
        self._observer = observer or PoolObserver()
        self._closed = False

    @property
    def size(self) -> int:
        return self._size

    @contextmanager
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        started = time.perf_counter()
        had_to_wait = not self._slots.acquire(blocking=False)
        if had_to_wait and not self._slots.acquire(timeout=self._wait_timeout):
            raise StorageBusy(
                f"all {self._size} database connections stayed busy for {self._wait_timeout:g}s; retry later"
            )
        self._observer.connection_acquired(time.perf_counter() - started, had_to_wait)
        conn = None
        try:
            conn = self._checkout()
            yield conn
        except psycopg2.IntegrityError as exc:
            if self._rollback_or_discard(conn):
                conn = None
            raise WriteConflict(f"a concurrent change conflicted with this one; retry it ({first_line(exc)})") from exc
        except CONNECTION_ERRORS as exc:
            self._discard(conn)
            conn = None
            # Connections left idle were opened to the same server: after a restart they are all dead.
            self._discard_idle()
            raise StorageUnavailable(f"database unavailable: {first_line(exc)}") from exc
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
    def transaction(self, *, commit: bool = True) -> Iterator[psycopg2.extensions.cursor]:
        """A cursor in a transaction that commits on success (rolls back when ``commit``
        is false, for dry runs) and rolls back on error."""
        with self.connection() as conn:
            with conn.cursor() as cursor:
                yield cursor
            if commit:
                conn.commit()
            else:
                conn.rollback()

    def run(self, work: Callable[[psycopg2.extensions.cursor], Any]) -> Any:
        """Run read-only ``work`` in autocommit mode: one round trip per statement instead of
        BEGIN, the statement and COMMIT. Retried once on a fresh connection when a pooled
        one turns out to be dead (the server restarted)."""
        try:
            return self._run_autocommit(work)
        except StorageUnavailable:
            pass
        return self._run_autocommit(work)

    def _run_autocommit(self, work: Callable[[psycopg2.extensions.cursor], Any]) -> Any:
        with self.connection() as conn:
            conn.autocommit = True
            try:
                with conn.cursor() as cursor:
                    return work(cursor)
            finally:
                if not conn.closed:
                    conn.autocommit = False

    def _rollback_or_discard(self, conn: psycopg2.extensions.connection | None) -> bool:
        """Roll back a failed transaction; True when the connection had to be dropped instead."""
        if conn is None or conn.closed:
            return False
        try:
            conn.rollback()
            return False
        except CONNECTION_ERRORS:
            self._discard(conn)
            return True

    def close(self) -> None:
        self._closed = True
        self._discard_idle()

    def _checkout(self) -> psycopg2.extensions.connection:
        while self._idle:
            conn = self._idle.pop()
            if not conn.closed:
                return conn
        return psycopg2.connect(self._dsn, **self._connect_kwargs)

    def _checkin(self, conn: psycopg2.extensions.connection) -> None:
        if self._closed or conn.closed:
            self._discard(conn)
            return
        if conn.info.transaction_status != psycopg2.extensions.TRANSACTION_STATUS_IDLE:
            try:
                conn.rollback()
            except CONNECTION_ERRORS:
                self._discard(conn)
                return
        self._idle.append(conn)

    def _discard_idle(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            self._discard(conn)

    @staticmethod
    def _discard(conn: psycopg2.extensions.connection | None) -> None:
        if conn is None:
            return
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail in any way
            log.debug("closing a broken connection failed", exc_info=True)
