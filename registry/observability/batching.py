"""Periodic flushing of per-request bookkeeping.

Writing one log line and several metric samples per request costs more than serving
a cached schema. Requests therefore only append to in-process buffers, and one
background thread per worker (a greenlet under gevent) writes them out every
``FLUSH_INTERVAL_SECONDS``, and once more when the worker exits.
"""

from __future__ import annotations

import atexit
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

FLUSH_INTERVAL_SECONDS = 0.25

Result = TypeVar("Result")

_flushers: list[Callable[[], None]] = []
_lock = threading.Lock()
_thread: threading.Thread | None = None


def register_flusher(flush: Callable[[], None]) -> Callable[[], None]:
    """Call ``flush`` periodically and at exit (starts the flushing thread on first use).

    Returns a function that flushes one last time and stops calling ``flush``.
    """
    global _thread
    with _lock:
        _flushers.append(flush)
        if _thread is None:
            _thread = threading.Thread(target=_run, name="registry-flusher", daemon=True)
            _thread.start()
            atexit.register(flush_all)

    def unregister() -> None:
        with _lock:
            if flush in _flushers:
                _flushers.remove(flush)
        flush()

    return unregister


def blocking_call(function: Callable[..., Result], *args: Any) -> Result:
    """Run a call that may wait in the kernel, such as a write to a log file or to a full
    pipe, without stalling the worker.

    Under gevent the flusher is a greenlet on the thread that serves every request, and
    a write waiting on the disk would hold them all up; gevent's thread pool runs the
    call on a native thread instead (the GIL is released while it waits) and only the
    flusher waits for it.
    """
    if _serving_on_greenlets():
        from gevent import get_hub

        return get_hub().threadpool.apply(function, args)
    return function(*args)


def _serving_on_greenlets() -> bool:
    gevent_monkey = sys.modules.get("gevent.monkey")
    return gevent_monkey is not None and gevent_monkey.is_module_patched("threading")


def flush_all() -> None:
    for flush in list(_flushers):
        try:
            flush()
        except Exception:  # noqa: BLE001 - bookkeeping must never take the worker down
            log.exception("flushing buffered observations failed")


def _run() -> None:
    wake = threading.Event()
    while True:
        wake.wait(FLUSH_INTERVAL_SECONDS)
        flush_all()
