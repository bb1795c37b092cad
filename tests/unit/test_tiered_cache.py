"""The tiered schema cache's memory tier: what ``get_local`` may hand out, and how it counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from registry.cache.shared import NoSharedCache
from registry.cache.tiered import TieredSchemaCache
from registry.domain.model import CompatibilityMode, CompatibilityPolicy, SchemaFormat, SchemaState
from registry.domain.records import SchemaVersion
from registry.domain.versioning import SemVer
from registry.lru import LocalCache

STALENESS_SECONDS = 1.0
VERSION = SchemaVersion(
    id="0b2d2f0e-1111-4222-8333-444455556666",
    subject="shop.order",
    version=SemVer(1, 0, 0),
    format=SchemaFormat.JSON,
    content='{"type":"object"}',
    content_hash="0" * 64,
    state=SchemaState.DRAFT,
    compatibility_mode=CompatibilityMode.BACKWARD,
    compatibility_policy=CompatibilityPolicy.STRICT,
    description=None,
    tags=(),
    metadata={},
    created_at=datetime(2026, 1, 1, tzinfo=UTC),
    updated_at=datetime(2026, 1, 1, tzinfo=UTC),
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountedLookups:
    def __init__(self) -> None:
        self.counts: dict[tuple[str, bool], int] = {}

    def lookup(self, tier: str, hit: bool) -> None:
        self.counts[(tier, hit)] = self.counts.get((tier, hit), 0) + 1


class Memory:
    def __init__(self) -> None:
        self.clock = Clock()
        self.listening = True
        self.lookups = CountedLookups()
        local: LocalCache[SchemaVersion] = LocalCache(
            10, staleness_seconds=STALENESS_SECONDS, is_trusted=lambda: self.listening, clock=self.clock
        )
        self.cache = TieredSchemaCache(local, NoSharedCache(), self.lookups)


@pytest.fixture
def memory() -> Memory:
    return Memory()


def test_a_held_version_is_handed_out_and_counted_as_one_local_hit(memory):
    memory.cache.put(VERSION)
    assert memory.cache.get_local(VERSION.id) is VERSION
    assert memory.lookups.counts == {("local", True): 1}


def test_a_miss_is_left_for_get_to_count(memory):
    assert memory.cache.get_local(VERSION.id) is None
    assert memory.lookups.counts == {}
    assert memory.cache.get(VERSION.id) is None
    assert memory.lookups.counts == {("local", False): 1}


def test_a_changed_version_is_no_longer_handed_out(memory):
    memory.cache.put(VERSION)
    memory.cache.changed(VERSION.id, VERSION.revision + 1)
    assert memory.cache.get_local(VERSION.id) is None
    # A copy read before the change and stored after its notice is not kept either.
    memory.cache.put(VERSION)
    assert memory.cache.get_local(VERSION.id) is None
    memory.cache.put(replace(VERSION, revision=VERSION.revision + 1))
    assert memory.cache.get_local(VERSION.id).revision == VERSION.revision + 1


def test_while_not_listening_copies_past_the_staleness_bound_are_not_handed_out(memory):
    memory.cache.put(VERSION)
    memory.listening = False
    memory.clock.now += STALENESS_SECONDS / 2
    assert memory.cache.get_local(VERSION.id) is VERSION
    memory.clock.now += STALENESS_SECONDS
    assert memory.cache.get_local(VERSION.id) is None
    memory.listening = True
    assert memory.cache.get_local(VERSION.id) is VERSION


def test_forgetting_local_copies_empties_the_memory_tier(memory):
    memory.cache.put(VERSION)
    memory.cache.forget_local()
    assert memory.cache.get_local(VERSION.id) is None
