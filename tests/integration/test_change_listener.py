"""The change listener against a real PostgreSQL."""

from __future__ import annotations

import threading

from registry.storage.notifications import ChangeListener
from tests.support.services import wait_until


def test_the_first_connection_also_announces_listening(database_url):
    """Copies a worker made before its first LISTEN may have missed a notice, so the cache
    forgets them then too, not only after a reconnection."""
    listening = threading.Event()
    listener = ChangeListener(database_url, on_change=lambda payload: None, on_listening=listening.set)
    listener.start()
    try:
        assert listening.wait(10), "on_listening was not called at the first connection"
        wait_until(lambda: listener.connected, 10, message="the listener never connected")
    finally:
        listener.stop()
