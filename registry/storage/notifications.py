"""Change notifications from PostgreSQL to every worker of every instance.

Writers send ``NOTIFY registry_changes`` inside their transaction, so a
notification exists exactly when the change committed. Each worker keeps one
listening connection; while it is up, local copies are trusted and dropped on
notice. When it drops, the worker stops trusting local copies older than the
staleness bound and, after reconnecting, forgets them all (notices sent while it
was away are lost); so does the first connection, for copies made before it.
"""

from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Callable

import psycopg2
import psycopg2.extensions

log = logging.getLogger(__name__)

# Notifications carry "schema:<id>:<revision>" or "subject:<name>".
CHANGES_CHANNEL = "registry_changes"


def notify_schema_changed(cursor: psycopg2.extensions.cursor, version_id: str, revision: int) -> None:
    """Inside the change's transaction: the notice and the outbox row exist iff it commits."""
    cursor.execute("SELECT pg_notify(%s, %s)", (CHANGES_CHANNEL, f"schema:{version_id}:{revision}"))
    cursor.execute(
        "INSERT INTO cache_invalidations (cache_key, revision) VALUES (%s, %s)", (f"schema:{version_id}", revision)
    )


def notify_subject_changed(cursor: psycopg2.extensions.cursor, subject: str) -> None:
    cursor.execute("SELECT pg_notify(%s, %s)", (CHANGES_CHANNEL, f"subject:{subject}"))


class ChangeListener:
    """A worker's listening connection: ``on_change`` gets each notice's payload,
    ``on_listening`` is called whenever LISTEN takes effect (at the first connection too)."""

    def __init__(
        self,
        dsn: str,
        *,
        on_change: Callable[[str], None],
        on_listening: Callable[[], None],
        poll_seconds: float = 1.0,
        retry_seconds: float = 0.5,
    ) -> None:
        self._dsn = dsn
        self._on_change = on_change
        self._on_listening = on_listening
        self._poll_seconds = poll_seconds
        self._retry_seconds = retry_seconds
        self._connected = False
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def connected(self) -> bool:
        return self._connected

    def start(self) -> None:
        # Under gevent's monkey-patching this thread is a greenlet.
        self._thread = threading.Thread(target=self._run, name="registry-change-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        first = True
        while not self._stopped.is_set():
            conn = None
            try:
                conn = psycopg2.connect(self._dsn, connect_timeout=5, application_name="registry-listener")
                conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
                with conn.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANGES_CHANNEL}")
                # Copies made before LISTEN took effect, at the first connection as after a
                # reconnection, may have missed a notice.
                self._on_listening()
                first = False
                self._connected = True
                self._listen(conn)
            except Exception as exc:  # noqa: BLE001 - any failure means: reconnect
                if self._connected or first:
                    log.warning("change listener disconnected", extra={"error": str(exc).strip()})
                first = False
            finally:
                self._connected = False
                if conn is not None:
                    try:
                        conn.close()
                    except psycopg2.Error:
                        pass
            self._stopped.wait(self._retry_seconds)

    def _listen(self, conn: psycopg2.extensions.connection) -> None:
        last_check = time.monotonic()
        while not self._stopped.is_set():
            readable, _, _ = select.select([conn], [], [], self._poll_seconds)
            if readable:
                conn.poll()
                while conn.notifies:
                    self._on_change(conn.notifies.pop(0).payload)
            elif time.monotonic() - last_check >= self._poll_seconds:
                # A quiet channel might also be a dead one; a trivial query finds out.
                with conn.cursor() as cursor:
                    cursor.execute("SELECT 1")
                last_check = time.monotonic()
