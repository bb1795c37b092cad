"""A bounded LRU map with a staleness rule, used by the cache tiers and by per-worker memos
(compiled validators, rendered bodies, checked schemas).

Greenlets of one worker only switch at I/O, and nothing here does I/O, so the
plain ``OrderedDict`` needs no lock. Native threads may share a cache too (a format's memo
of checked schemas is used by steps that run on a compute thread, see
``registry.domain.compute``): each step below is one ``OrderedDict`` call, atomic under the
GIL, and an entry that another thread evicts between two of them costs only a miss. No lock,
so nothing here can make a greenlet and a thread wait for each other.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class LocalCache(Generic[Value]):
    """LRU cache holding at most ``capacity`` entries.

    Entries are trusted while ``is_trusted()`` says the invalidation channel is up;
    while it is down, an entry older than ``staleness_seconds`` counts as a miss, so
    a change made elsewhere is seen within that bound. Such an entry stays available
    through ``get_stale`` for when the database cannot be reached either.
    """

    def __init__(
        self,
        capacity: int,
        *,
        staleness_seconds: float,
        is_trusted: Callable[[], bool] = lambda: True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._capacity = capacity
        self._staleness = staleness_seconds
        self._is_trusted = is_trusted
        self._clock = clock
        self._entries: OrderedDict[str, tuple[Value, float]] = OrderedDict()

    @property
    def capacity(self) -> int:
        return self._capacity

    def get(self, key: str) -> Value | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, stored_at = entry
        if not self._is_trusted() and self._clock() - stored_at > self._staleness:
            return None
        try:
            self._entries.move_to_end(key)
        except KeyError:
            pass  # evicted meanwhile by another thread; the value is still right
        return value

    def get_stale(self, key: str) -> Value | None:
        """The entry however old: for when the source of truth cannot be asked."""
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    def put(self, key: str, value: Value) -> None:
        if self._capacity <= 0:
            return
        self._entries[key] = (value, self._clock())
        try:
            self._entries.move_to_end(key)
        except KeyError:
            pass  # another thread evicted it meanwhile
        while len(self._entries) > self._capacity:
            try:
                self._entries.popitem(last=False)
            except KeyError:
                break  # another thread emptied the cache meanwhile

    def invalidate(self, key: str) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
