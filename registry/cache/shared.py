"""The shared cache in Redis, and a stand-in for when no Redis is configured.

Entries carry the revision of what they hold (``<revision>|<payload>``) and a write
only lands when it is newer than what is there, so a reader that fetched a row just
before a change cannot put the old copy back over the new one. A change that could not
reach Redis leaves a tombstone (``<revision>|``) once Redis is back: a miss for
readers, and a floor that older copies cannot be written over.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol, cast

import redis

log = logging.getLogger(__name__)

# KEYS[1]; ARGV: value, revision, ttl seconds, "1" for a tombstone.
_WRITE_IF_NEWER = """
local current = redis.call('GET', KEYS[1])
if current then
    local sep = string.find(current, '|', 1, true)
    local current_revision = tonumber(string.sub(current, 1, sep - 1))
    local revision = tonumber(ARGV[2])
    if current_revision > revision then return 0 end
    if current_revision == revision and (ARGV[4] == '1' or sep < #current) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


class SharedCache(Protocol):
    enabled: bool

    def get(self, key: str) -> bytes | None:
        """The payload, or None on a miss, a tombstone or an unreachable cache."""

    def put(self, key: str, payload: bytes, revision: int) -> None:
        """Store ``payload`` unless the cache holds a newer revision (best effort)."""

    def tombstone(self, key: str, revision: int) -> bool:
        """Make copies older than ``revision`` misses; True when the cache confirmed it."""

    def ping(self) -> None:
        """Raise when the cache cannot answer."""


class NoSharedCache:
    """Used when ``REDIS_URL`` is unset: every lookup misses, every write is dropped."""

    enabled = False

    def get(self, key: str) -> bytes | None:
        return None

    def put(self, key: str, payload: bytes, revision: int) -> None:
        return None

    def tombstone(self, key: str, revision: int) -> bool:
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
        self._write_if_newer = self._client.register_script(_WRITE_IF_NEWER)
        self._prefix = key_prefix
        self._ttl = ttl_seconds
        self._retry_after = retry_after
        self._down_until = 0.0

    def get(self, key: str) -> bytes | None:
        if self._skipping():
            return None
        try:
            # The client leaves replies undecoded (decode_responses is off): they are bytes.
            value = cast("bytes | None", self._client.get(self._prefix + key))
        except redis.RedisError as exc:
            self._tripped(exc)
            return None
        if value is None:
            return None
        _, _, payload = value.partition(b"|")
        return payload or None

    def put(self, key: str, payload: bytes, revision: int) -> None:
        if self._skipping():
            return
        try:
            self._write_if_newer(keys=[self._prefix + key], args=[b"%d|" % revision + payload, revision, self._ttl, 0])
        except redis.RedisError as exc:
            self._tripped(exc)

    def tombstone(self, key: str, revision: int) -> bool:
        if self._skipping():
            return False
        try:
            self._write_if_newer(keys=[self._prefix + key], args=[b"%d|" % revision, revision, self._ttl, 1])
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
