"""Health of the registry's backends, and readiness to serve."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from registry.domain.errors import RegistryError
from registry.domain.ports import SchemaStore

log = logging.getLogger(__name__)


class SharedCacheHealth(Protocol):
    """What the probe needs of the shared cache."""

    @property
    def enabled(self) -> bool:
        """False when no shared cache is configured."""

    def ping(self) -> None:
        """Raise when the cache cannot answer."""


class HealthProbe:
    """Checks the database and Redis, at most once per ``cache_seconds`` per worker:
    a burst of health checks must not turn into a burst of database round trips."""

    def __init__(self, store: SchemaStore, shared_cache: SharedCacheHealth, *, cache_seconds: float = 0.5) -> None:
        self._store = store
        self._shared_cache = shared_cache
        self._cache_seconds = cache_seconds
        self._last: tuple[float, dict[str, Any]] | None = None

    def report(self) -> dict[str, Any]:
        now = time.monotonic()
        if self._last is not None and now - self._last[0] < self._cache_seconds:
            return self._last[1]
        report = self._measure()
        self._last = (time.monotonic(), report)
        return report

    def _measure(self) -> dict[str, Any]:
        database = _component(self._store.ping)
        if self._shared_cache.enabled:
            redis = _component(self._shared_cache.ping)
        else:
            redis = {"status": "disabled", "message": "REDIS_URL is not set"}
        if database["status"] != "up":
            status = "unhealthy"
        elif redis["status"] == "down":
            status = "degraded"
        else:
            status = "healthy"
        return {"status": status, "components": {"database": database, "redis": redis}}


def _component(check: Callable[[], None]) -> dict[str, Any]:
    try:
        check()
    except RegistryError as exc:
        return {"status": "down", "message": exc.message}
    except Exception as exc:  # noqa: BLE001 - a failing backend may raise anything
        # What the backend's client library said (host, port) stays in the log: anyone may ask /health.
        log.warning("health check failed: %s", exc)
        return {"status": "down", "message": f"unreachable ({type(exc).__name__}); see the registry's log"}
    return {"status": "up", "message": None}


class Readiness:
    """Ready once this worker has seen every migration applied; it stays ready through a
    database outage, when cached reads still work, so an orchestrator does not pull every
    instance at once."""

    def __init__(self, verify_migrations: Callable[[], list[str]]) -> None:
        self._verify = verify_migrations
        self._ready = False
        self._reason: str | None = "migrations not verified yet"

    def check(self) -> tuple[bool, str | None]:
        if not self._ready:
            self.try_verify()
        return self._ready, None if self._ready else self._reason

    def try_verify(self) -> None:
        try:
            pending = self._verify()
        except Exception as exc:  # noqa: BLE001 - reported as the reason
            log.warning("cannot verify migrations: %s", exc)
            self._reason = f"cannot verify migrations ({type(exc).__name__}); see the registry's log"
            return
        if pending:
            self._reason = "migrations pending: " + ", ".join(pending)
            return
        self._ready = True
        self._reason = None
