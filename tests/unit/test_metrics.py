"""The metrics classes are the observers of the pool, the cache and the service: they match
those observers by shape (hook names and parameters; mypy checks the types where app.py
wires them) and count what they are told."""

from __future__ import annotations

import inspect

import pytest
from prometheus_client import REGISTRY

from registry.cache.tiered import CacheObserver
from registry.domain.service import NullServiceObserver, ServiceObserver
from registry.observability.metrics import CacheMetrics, PoolMetrics, ServiceMetrics
from registry.storage.pool import PoolObserver


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def hooks(observer: type) -> dict[str, list[tuple[str, object]]]:
    return {
        name: [(parameter.name, parameter.kind) for parameter in inspect.signature(member).parameters.values()]
        for name, member in inspect.getmembers(observer, inspect.isfunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize(
    ("observer", "implementation"),
    [
        (ServiceObserver, ServiceMetrics),
        (ServiceObserver, NullServiceObserver),
        (PoolObserver, PoolMetrics),
        (CacheObserver, CacheMetrics),
    ],
)
def test_implements_the_observer_hooks(observer: type, implementation: type) -> None:
    implemented = hooks(implementation)
    expected = hooks(observer)
    assert expected
    for name, parameters in expected.items():
        assert implemented.get(name) == parameters, name


def test_service_metrics_count_outcomes() -> None:
    before = (
        sample("registry_registrations_total", result="created"),
        sample("registry_validations_total", result="invalid"),
        sample("registry_compatibility_checks_total", result="compatible"),
    )
    metrics = ServiceMetrics()
    metrics.registration("created")
    metrics.validation("invalid")
    metrics.validation("invalid")
    metrics.compatibility_check("compatible")
    after = (
        sample("registry_registrations_total", result="created"),
        sample("registry_validations_total", result="invalid"),
        sample("registry_compatibility_checks_total", result="compatible"),
    )
    assert [now - then for now, then in zip(after, before, strict=True)] == [1, 2, 1]


def test_pool_metrics_count_connections_in_use_and_waits() -> None:
    in_use, waits = sample("registry_db_pool_connections_in_use"), sample("registry_db_pool_waits_total")
    metrics = PoolMetrics()
    metrics.connection_acquired(0.0, had_to_wait=False)
    metrics.connection_acquired(0.02, had_to_wait=True)
    assert sample("registry_db_pool_connections_in_use") == in_use + 2
    assert sample("registry_db_pool_waits_total") == waits + 1
    metrics.connection_released()
    metrics.connection_released()
    assert sample("registry_db_pool_connections_in_use") == in_use


def test_cache_metrics_add_lookups_at_flush() -> None:
    hits = sample("registry_cache_lookups_total", tier="local", result="hit")
    misses = sample("registry_cache_lookups_total", tier="redis", result="miss")
    metrics = CacheMetrics()
    metrics.lookup("local", True)
    metrics.lookup("local", True)
    metrics.lookup("redis", False)
    assert sample("registry_cache_lookups_total", tier="local", result="hit") == hits
    metrics.flush()
    assert sample("registry_cache_lookups_total", tier="local", result="hit") == hits + 2
    assert sample("registry_cache_lookups_total", tier="redis", result="miss") == misses + 1
