import sys
import threading
import time

from registry.lru import LocalCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_evicts_least_recently_used():
    cache: LocalCache[int] = LocalCache(2, staleness_seconds=1)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    assert len(cache) == 2


def test_zero_capacity_keeps_nothing():
    cache: LocalCache[int] = LocalCache(0, staleness_seconds=1)
    cache.put("a", 1)
    assert cache.get("a") is None


def test_untrusted_entries_expire_after_the_staleness_bound():
    clock, trusted = Clock(), [True]
    cache: LocalCache[int] = LocalCache(10, staleness_seconds=1.0, is_trusted=lambda: trusted[0], clock=clock)
    cache.put("a", 1)
    clock.now = 5.0
    assert cache.get("a") == 1  # channel up: still trusted
    trusted[0] = False
    assert cache.get("a") is None  # channel down and older than the bound
    assert cache.get_stale("a") == 1  # still there for when the database is down too
    cache.put("a", 2)
    clock.now = 5.5
    assert cache.get("a") == 2  # fresh enough


def test_invalidate_and_clear():
    cache: LocalCache[int] = LocalCache(10, staleness_seconds=1)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.invalidate("a")
    assert cache.get("a") is None and cache.get("b") == 2
    cache.clear()
    assert len(cache) == 0


def test_threads_may_share_a_cache():
    """A compute thread and the hub use a format's memo at once (see registry.lru)."""
    cache: LocalCache[int] = LocalCache(8, staleness_seconds=float("inf"))
    failures: list[BaseException] = []
    deadline = time.monotonic() + 0.5

    def hammer(offset: int) -> None:
        try:
            index = 0
            while time.monotonic() < deadline:
                key = str((index + offset) % 20)
                cache.put(key, index)
                cache.get(str((index * 7) % 20))
                index += 1
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=hammer, args=(offset,)) for offset in range(3)]
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)
    assert failures == []
    assert len(cache) <= 8
