"""SchemaCache: a worker's memory in front of the shared cache, as the service uses it."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from registry.domain.model import CompatibilityMode, CompatibilityPolicy, SchemaFormat, SchemaState
from registry.domain.ports import SchemaCache
from registry.domain.records import SchemaReference, SchemaVersion
from registry.domain.versioning import SemVer


def a_version(revision: int = 1) -> SchemaVersion:
    return SchemaVersion(
        id=str(uuid.uuid4()),
        subject="shop.order",
        version=SemVer(1, 2, 0),
        format=SchemaFormat.JSON,
        content='{"type": "object"}',
        content_hash="0" * 64,
        state=SchemaState.ACTIVE,
        compatibility_mode=CompatibilityMode.BACKWARD,
        compatibility_policy=CompatibilityPolicy.STRICT,
        description="an order",
        tags=("pii",),
        metadata={"owner": "shop", "n": [1, 2]},
        created_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        updated_at=datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC),
        revision=revision,
        seq=7,
        global_id=3,
        version_number=2,
        references=(SchemaReference("common.json", "shop.common", 1),),
    )


def test_a_miss(cache: SchemaCache) -> None:
    unknown = str(uuid.uuid4())
    assert cache.get(unknown) is None
    assert cache.get_local(unknown) is None
    assert cache.get_stale(unknown) is None


def test_a_version_put_is_served_from_memory(cache: SchemaCache) -> None:
    version = a_version()
    cache.put(version)
    assert cache.get(version.id) == version
    assert cache.get_local(version.id) == version
    assert cache.get_stale(version.id) == version


def test_a_version_put_only_in_the_shared_tier_reaches_memory_on_first_read(cache: SchemaCache) -> None:
    version = a_version()
    cache.put(version, locally=False)
    assert cache.get_local(version.id) is None
    assert cache.get_stale(version.id) is None
    assert cache.get(version.id) == version, "every field survives the shared tier"
    assert cache.get_local(version.id) == version


def test_a_newer_revision_replaces_the_cached_one(cache: SchemaCache) -> None:
    version = a_version()
    cache.put(version)
    changed = replace(version, state=SchemaState.DEPRECATED, revision=2)
    cache.put(changed)
    assert cache.get(version.id) == changed


def test_the_shared_tier_keeps_the_newest_revision(cache: SchemaCache) -> None:
    version = a_version()
    newer = replace(version, state=SchemaState.DELETED, revision=2)
    cache.put(newer, locally=False)
    cache.put(version, locally=False)
    assert cache.get(version.id) == newer


def test_a_removed_version_is_gone_and_older_copies_stay_out(cache: SchemaCache) -> None:
    version = a_version(revision=3)
    cache.put(version)
    cache.remove(version.id, 4)
    assert cache.get(version.id) is None
    assert cache.get_local(version.id) is None
    assert cache.get_stale(version.id) is None
    cache.put(version)
    assert cache.get(version.id) is None, "a copy read before the removal is not kept"
    assert cache.get_local(version.id) is None


def test_a_copy_at_the_removals_revision_is_kept(cache: SchemaCache) -> None:
    version = a_version(revision=1)
    cache.remove(version.id, 2)
    later = replace(version, revision=2)
    cache.put(later, locally=False)
    assert cache.get(version.id) == later, "at the removal's revision a value replaces the tombstone"
