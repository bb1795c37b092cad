"""The shared cache in Redis, and a stand-in for when no Redis is configured."""

from __future__ import annotations

import logging
import time
from typing import Protocol

import redis

log = logging.getLogger(__name__)


class SharedCache(Protocol):
    enabled: bool

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...

    def delete(self, key: str) -> bool:
        """True when the key is gone from the shared cache (or there is none)."""

    def ping(self) -> None:
        """Raise when the cache cannot answer."""


class NoSharedCache:
    """Used when ``REDIS_URL`` is unset: every lookup misses, every write is dropped."""

    enabled = False

    def get(self, key: str) -> bytes | None:
        return None

    def set(self, key: str, value: bytes) -> None:
        return None

    def delete(self, key: str) -> bool:
        return True

    def ping(self) -> None:
        return None


class RedisCache:
    """Redis with a short circuit breaker: after a failure, calls skip Redis for
    ``retry_after`` seconds instead of each paying a connect timeout, and the
    registry serves from the database meanwhile."""

    enabled = True

    def __init__(
        self,
        url: str,
        *,
        key_prefix: str,
        ttl_seconds: int,
        timeout_seconds: float = 0.5,
        retry_after: float = 1.0,
    ) -> None:
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            retry_on_timeout=False,
        )
        self._prefix = key_prefix
        self._ttl = ttl_seconds
        self._retry_after = retry_after
        self._down_until = 0.0

    def get(self, key: str) -> bytes | None:
        if self._skipping():
            return None
        try:
            return self._client.get(self._prefix + key)
        except redis.RedisError as exc:
            self._tripped(exc)
            return None

    def set(self, key: str, value: bytes) -> None:
        if self._skipping():
            return
        try:
            self._client.set(self._prefix + key, value, ex=self._ttl)
        except redis.RedisError as exc:
            self._tripped(exc)

    def delete(self, key: str) -> bool:
        try:
            self._client.delete(self._prefix + key)
            return True
        except redis.RedisError as exc:
            self._tripped(exc)
            return False

    def ping(self) -> None:
        try:
            self._client.ping()
        except redis.RedisError as exc:
            self._tripped(exc)
            raise
        self._down_until = 0.0

    def close(self) -> None:
        self._client.close()

    def _skipping(self) -> bool:
        return self._down_until > 0.0 and time.monotonic() < self._down_until

    def _tripped(self, exc: Exception) -> None:
        if not self._skipping():
            log.warning("redis unavailable; serving from the database", extra={"error": str(exc)})
        self._down_until = time.monotonic() + self._retry_after
