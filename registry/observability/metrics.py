"""Prometheus metrics.

In gunicorn, ``PROMETHEUS_MULTIPROC_DIR`` is set (by ``gunicorn.conf.py``) before this
module is first imported, so every worker writes its samples to shared files and the
master serves the sum of all workers. Without it (tests, other servers) the metrics
live in this process.

The metrics classes are the observers the pool, the cache and the service call. They
match those observer protocols by shape alone, so this module depends on none of
the layers it observes.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections import defaultdict

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess
from prometheus_client.registry import REGISTRY

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter("registry_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "registry_http_request_duration_seconds",
    "Time from reading the request to rendering the response",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
CACHE_LOOKUPS = Counter("registry_cache_lookups_total", "Cache lookups by tier and result", ["tier", "result"])
POOL_IN_USE = Gauge(
    "registry_db_pool_connections_in_use",
    "Database connections checked out, summed over workers",
    multiprocess_mode="livesum",
)
POOL_WAITS = Counter("registry_db_pool_waits_total", "Checkouts that found every connection busy and waited")
POOL_WAIT_SECONDS = Histogram(
    "registry_db_pool_wait_seconds", "Time spent waiting for a database connection", buckets=LATENCY_BUCKETS
)
REGISTRATIONS = Counter("registry_registrations_total", "Schema registrations by result", ["result"])
VALIDATIONS = Counter("registry_validations_total", "Document validations by result", ["result"])
COMPATIBILITY_CHECKS = Counter("registry_compatibility_checks_total", "Compatibility checks by result", ["result"])


class PoolMetrics:
    """Connections in use and waits for one (the storage pool's observer)."""

    def connection_acquired(self, waited_seconds: float, had_to_wait: bool) -> None:
        POOL_IN_USE.inc()
        if had_to_wait:
            POOL_WAITS.inc()
            POOL_WAIT_SECONDS.observe(waited_seconds)

    def connection_released(self) -> None:
        POOL_IN_USE.dec()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def multiprocess_registry() -> CollectorRegistry:
    """A registry that sums the samples every worker wrote to the multiprocess directory."""
    registry = CollectorRegistry()
    # prometheus_client leaves this constructor unannotated.
    _multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def render_latest() -> bytes:
    """The exposition text: all workers' samples in multiprocess mode, else this process's."""
    return generate_latest(multiprocess_registry() if multiprocess_dir() else REGISTRY)


def mark_worker_dead(pid: int) -> None:
    if multiprocess_dir():
        # prometheus_client leaves this function unannotated.
        _multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


class CacheMetrics:
    """Cache hits and misses per tier, counted in-process and added at each flush (the
    tiered cache's observer)."""

    def __init__(self) -> None:
        self._counts: defaultdict[tuple[str, bool], int] = defaultdict(int)

    def lookup(self, tier: str, hit: bool) -> None:
        self._counts[(tier, hit)] += 1

    def flush(self) -> None:
        counts, self._counts = self._counts, defaultdict(int)
        for (tier, hit), count in counts.items():
            CACHE_LOOKUPS.labels(tier, "hit" if hit else "miss").inc(count)


class ServiceMetrics:
    """Registration, validation and compatibility check outcomes (the service's observer)."""

    def registration(self, result: str) -> None:
        REGISTRATIONS.labels(result).inc()

    def validation(self, result: str) -> None:
        VALIDATIONS.labels(result).inc()

    def compatibility_check(self, result: str) -> None:
        COMPATIBILITY_CHECKS.labels(result).inc()


class RequestMetrics:
    """HTTP request counts and latencies, aggregated in-process and added to the shared
    metrics at each flush: a few writes per flush instead of several per request."""

    def __init__(self) -> None:
        self._bounds = (*LATENCY_BUCKETS, float("inf"))
        # Per (method, route, status): one count per latency bucket, then the sum of
        # observations. The request count is the buckets' total, so a request costs one lookup.
        self._observed: dict[tuple[str, str, str], list[float]] = {}

    def observe(self, method: str, route: str, status: str, seconds: float) -> None:
        key = (method, route, status)
        histogram = self._observed.get(key)
        if histogram is None:
            histogram = self._observed[key] = [0.0] * (len(self._bounds) + 1)
        histogram[bisect_left(self._bounds, seconds)] += 1
        histogram[-1] += seconds

    def flush(self) -> None:
        observed, self._observed = self._observed, {}
        latency: dict[tuple[str, str], list[float]] = {}
        for (method, route, status), histogram in observed.items():
            HTTP_REQUESTS.labels(method, route, status).inc(sum(histogram[:-1]))
            merged = latency.setdefault((method, route), [0.0] * len(histogram))
            for index, value in enumerate(histogram):
                merged[index] += value
        for labels, histogram in latency.items():
            child = HTTP_LATENCY.labels(*labels)
            # prometheus_client has no bulk observe; these are the children observe() itself updates.
            for index, count in enumerate(histogram[:-1]):
                if count:
                    child._buckets[index].inc(count)
            child._sum.inc(histogram[-1])
