"""Deleting: soft and permanent, versions and subjects, referenced versions; lifecycle changes."""

from __future__ import annotations

import uuid

import pytest

from registry.domain.errors import (
    InvalidRequest,
    InvalidStateTransition,
    ReadOnlyMode,
    ReferenceExists,
    SchemaNotFound,
    SubjectNotFound,
    SubjectNotSoftDeleted,
    SubjectSoftDeleted,
    VersionNotFound,
    VersionNotSoftDeleted,
    VersionSoftDeleted,
)
from registry.domain.model import CompatibilityMode, RegistryMode, SchemaState
from registry.domain.records import SchemaReference, SchemaVersion, VersionChanges
from registry.domain.service import RegistryService
from tests.fakes import InMemorySchemaCache, InMemorySchemaStore
from tests.unit.service.conftest import USER_DESCRIBED, USER_NEEDING_NAME, register

COMMON = {"$id": "https://example.com/id.json", "type": "string"}
USES_COMMON = {"type": "object", "properties": {"id": {"$ref": "https://example.com/id.json"}}}
TO_COMMON = (SchemaReference("https://example.com/id.json", "common", 1),)


def three_versions(service: RegistryService, subject: str = "s") -> list[SchemaVersion]:
    return [
        register(service, subject, compatibility_mode=CompatibilityMode.NONE),
        register(service, subject, USER_NEEDING_NAME),
        register(service, subject, USER_DESCRIBED),
    ]


def test_delete_version_by_id(service: RegistryService, cache: InMemorySchemaCache) -> None:
    version = register(service, "s")
    deleted = service.delete_version(version.id)
    assert deleted.state is SchemaState.DELETED and deleted.revision == version.revision + 1
    assert cache.get_local(version.id) == deleted
    assert service.delete_version(version.id) == deleted, "deleting again changes nothing"
    with pytest.raises(SchemaNotFound):
        service.delete_version(str(uuid.uuid4()))


def test_a_referenced_version_cannot_be_deleted(service: RegistryService) -> None:
    common = register(service, "common", COMMON)
    user = register(service, "user", USES_COMMON, references=TO_COMMON)
    with pytest.raises(ReferenceExists) as refused:
        service.delete_version(common.id)
    assert refused.value.details["referenced_by"] == [user.global_id]
    with pytest.raises(ReferenceExists):
        service.soft_delete_version("common", "1")
    with pytest.raises(ReferenceExists):
        service.soft_delete_subject("common")
    service.delete_version(user.id)
    assert service.soft_delete_version("common", "1") == 1


def test_a_version_referenced_by_a_soft_deleted_one_cannot_be_permanently_deleted(service: RegistryService) -> None:
    register(service, "common", COMMON)
    register(service, "user", USES_COMMON, references=TO_COMMON)
    service.soft_delete_subject("user")
    assert service.soft_delete_subject("common") == [1]
    with pytest.raises(ReferenceExists):
        service.hard_delete_subject("common")
    with pytest.raises(ReferenceExists):
        service.hard_delete_version("common", "1")
    service.hard_delete_subject("user")
    assert service.hard_delete_version("common", "1") == 1


def test_soft_delete_a_subject(service: RegistryService, cache: InMemorySchemaCache) -> None:
    versions = three_versions(service)
    service.soft_delete_version("s", "2")
    assert service.soft_delete_subject("s") == [1, 3]
    cached = [cache.get_local(version.id) for version in versions]
    assert [version.state if version else None for version in cached] == [SchemaState.DELETED] * 3
    with pytest.raises(SubjectSoftDeleted):
        service.soft_delete_subject("s")
    with pytest.raises(SubjectNotFound):
        service.soft_delete_subject("t")


def test_permanently_delete_a_subject(
    service: RegistryService, store: InMemorySchemaStore, cache: InMemorySchemaCache
) -> None:
    versions = three_versions(service)
    with pytest.raises(SubjectNotSoftDeleted):
        service.hard_delete_subject("s")
    service.soft_delete_subject("s")
    assert service.hard_delete_subject("s") == [1, 2, 3]
    assert all(store.get_version(version.id) is None for version in versions)
    assert all(cache.get(version.id) is None for version in versions)
    with pytest.raises(SubjectNotFound):
        service.hard_delete_subject("s")
    assert register(service, "s").version_number == 1, "the subject starts again"


def test_soft_delete_a_version_by_number(service: RegistryService) -> None:
    three_versions(service)
    assert service.soft_delete_version("s", "latest") == 3
    assert service.soft_delete_version("s", "latest") == 2, "latest is now the highest live one"
    with pytest.raises(VersionSoftDeleted):
        service.soft_delete_version("s", "2")
    with pytest.raises(VersionNotFound):
        service.soft_delete_version("s", "9")
    with pytest.raises(SubjectNotFound):
        service.soft_delete_version("t", "1")


def test_permanently_delete_a_version_by_number(service: RegistryService, store: InMemorySchemaStore) -> None:
    versions = three_versions(service)
    with pytest.raises(VersionNotSoftDeleted):
        service.hard_delete_version("s", "2")
    service.soft_delete_version("s", "2")
    assert service.hard_delete_version("s", "2") == 2
    assert store.get_version(versions[1].id) is None
    assert service.version_numbers("s", include_deleted=True) == [1, 3]
    with pytest.raises(VersionNotSoftDeleted):  # latest: the highest number in any state, here a live one
        service.hard_delete_version("s", "latest")


def test_read_only_refuses_deletions_and_changes(service: RegistryService) -> None:
    version = register(service, "s")
    service.set_subject_mode("s", RegistryMode.READONLY)
    for attempt in (
        lambda: service.delete_version(version.id),
        lambda: service.soft_delete_subject("s"),
        lambda: service.soft_delete_version("s", "1"),
        lambda: service.hard_delete_version("s", "1"),
        lambda: service.hard_delete_subject("s"),
        lambda: service.update_version(version.id, VersionChanges(description="x")),
    ):
        with pytest.raises(ReadOnlyMode):
            attempt()


def test_lifecycle_changes(service: RegistryService, cache: InMemorySchemaCache) -> None:
    version = register(service, "s")
    active = service.update_version(version.id, VersionChanges(state=SchemaState.ACTIVE, tags=("gold",)))
    assert (active.state, active.tags, active.revision) == (SchemaState.ACTIVE, ("gold",), 2)
    assert cache.get_local(version.id) == active
    with pytest.raises(InvalidStateTransition):
        service.update_version(version.id, VersionChanges(state=SchemaState.DRAFT))
    with pytest.raises(InvalidRequest):
        service.update_version(version.id, VersionChanges(state=SchemaState.DELETED))
    described = service.update_version(version.id, VersionChanges(description="kept"))
    assert described.state is SchemaState.ACTIVE and described.description == "kept"
    cleared = service.update_version(version.id, VersionChanges(clear_description=True))
    assert cleared.description is None
    service.delete_version(version.id)
    with pytest.raises(InvalidStateTransition):
        service.update_version(version.id, VersionChanges(description="too late"))
    with pytest.raises(SchemaNotFound):
        service.update_version(str(uuid.uuid4()), VersionChanges(description="x"))
