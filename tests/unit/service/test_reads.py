"""Reading schemas: by id through the cache, by subject and version, the Confluent views,
listings and pages."""

from __future__ import annotations

import uuid

import pytest

from registry.domain.errors import (
    InvalidRequest,
    InvalidVersion,
    SchemaNotFound,
    StorageUnavailable,
    SubjectNotFound,
    VersionNotFound,
)
from registry.domain.formats.registry import default_formats
from registry.domain.model import CompatibilityMode, SchemaFormat
from registry.domain.records import SchemaFilter, SchemaReference
from registry.domain.service import RegistryService
from registry.domain.versioning import SemVer
from tests.fakes import InMemorySchemaCache, InMemorySchemaStore
from tests.unit.service.conftest import AVRO_RECORD, USER, USER_DESCRIBED, USER_NEEDING_NAME, register


def test_a_schema_read_by_id_is_then_served_from_memory(service: RegistryService, store: InMemorySchemaStore) -> None:
    version = register(service, "s")
    another_worker = RegistryService(store, InMemorySchemaCache(), default_formats(), validator_cache_size=8)
    assert another_worker.cached_schema(version.id) is None
    assert another_worker.get_schema(version.id) == version
    assert another_worker.cached_schema(version.id) == version
    store.reachable = False
    assert another_worker.get_schema(version.id) == version


def test_an_unknown_id_is_not_found(service: RegistryService) -> None:
    with pytest.raises(SchemaNotFound):
        service.get_schema(str(uuid.uuid4()))


def test_with_the_database_down_the_last_copy_seen_is_served(
    service: RegistryService, store: InMemorySchemaStore, cache: InMemorySchemaCache
) -> None:
    version = register(service, "s")
    cache.put(version)
    seen = register(service, "t")
    store.reachable = False
    assert service.get_schema(version.id) == version
    assert service.get_schema(seen.id) == seen, "the shared tier answers too"
    with pytest.raises(StorageUnavailable):
        service.get_schema(str(uuid.uuid4()))


def test_subject_version_by_semantic_version_or_latest(service: RegistryService) -> None:
    register(service, "s", compatibility_mode=CompatibilityMode.NONE)
    latest = register(service, "s", USER_NEEDING_NAME)
    assert service.subject_version("s", "latest") == latest
    assert service.subject_version("s", "2.0.0") == latest
    with pytest.raises(VersionNotFound):
        service.subject_version("s", "1.5.0")
    with pytest.raises(SubjectNotFound):
        service.subject_version("t", "latest")
    with pytest.raises(InvalidRequest):
        service.subject_version("s", "2")


def test_version_by_label_is_by_number(service: RegistryService) -> None:
    first = register(service, "s", compatibility_mode=CompatibilityMode.NONE)
    second = register(service, "s", USER_NEEDING_NAME)
    assert service.version_by_label("s", "1", include_deleted=False) == first
    assert service.version_by_label("s", "latest", include_deleted=False) == second
    assert service.version_by_label("s", "-1", include_deleted=False) == second
    service.soft_delete_version("s", "2")
    assert service.version_by_label("s", "latest", include_deleted=False) == first
    assert service.version_by_label("s", "2", include_deleted=True).version_number == 2
    with pytest.raises(VersionNotFound):
        service.version_by_label("s", "2", include_deleted=False)
    with pytest.raises(SubjectNotFound):
        service.version_by_label("t", "1", include_deleted=True)
    with pytest.raises(InvalidVersion):
        service.version_by_label("s", "0", include_deleted=True)


def test_version_numbers_and_subject_names(service: RegistryService) -> None:
    register(service, "b")
    register(service, "a", compatibility_mode=CompatibilityMode.NONE)
    register(service, "a", USER_NEEDING_NAME)
    service.soft_delete_version("a", "1")
    assert service.version_numbers("a", include_deleted=False) == [2]
    assert service.version_numbers("a", include_deleted=True) == [1, 2]
    with pytest.raises(SubjectNotFound):
        service.version_numbers("c", include_deleted=True)
    service.soft_delete_subject("b")
    assert service.subject_names(None, include_deleted=False) == ["a"]
    assert service.subject_names(None, include_deleted=True) == ["a", "b"]
    assert service.subject_names("b", include_deleted=True) == ["b"]


def test_lookup_finds_the_version_holding_a_schema(service: RegistryService) -> None:
    first = register(service, "s", compatibility_mode=CompatibilityMode.NONE)
    register(service, "s", USER_NEEDING_NAME)
    assert service.lookup("s", USER, SchemaFormat.JSON, (), include_deleted=False) == first
    with pytest.raises(SchemaNotFound):
        service.lookup("s", USER_DESCRIBED, SchemaFormat.JSON, (), include_deleted=False)
    with pytest.raises(SubjectNotFound):
        service.lookup("t", USER, SchemaFormat.JSON, (), include_deleted=False)
    service.soft_delete_version("s", "1")
    with pytest.raises(SchemaNotFound):
        service.lookup("s", USER, SchemaFormat.JSON, (), include_deleted=False)
    assert service.lookup("s", USER, SchemaFormat.JSON, (), include_deleted=True).version_number == 1


def test_global_ids(service: RegistryService) -> None:
    first = register(service, "s")
    other = register(service, "t")
    schema = service.global_schema(first.global_id)
    assert (schema.global_id, schema.format, schema.content) == (1, SchemaFormat.JSON, first.content)
    assert service.max_global_id() == 1
    assert service.global_id_usages(1, include_deleted=False) == [first, other]
    service.soft_delete_subject("s")
    service.soft_delete_subject("t")
    assert service.global_id_usages(1, include_deleted=False) == []
    assert len(service.global_id_usages(1, include_deleted=True)) == 2
    with pytest.raises(SchemaNotFound):
        service.global_schema(2)
    with pytest.raises(SchemaNotFound):
        service.global_id_usages(2, include_deleted=True)


def test_only_protobuf_schemas_have_a_serialized_form(service: RegistryService) -> None:
    register(service, "s")
    with pytest.raises(InvalidRequest):
        service.serialized_schema(1)


def test_referenced_by(service: RegistryService) -> None:
    register(service, "common", {"$id": "https://example.com/id.json", "type": "string"})
    user = register(
        service,
        "user",
        {"type": "object", "properties": {"id": {"$ref": "https://example.com/id.json"}}},
        references=(SchemaReference("https://example.com/id.json", "common", 1),),
    )
    assert service.referenced_by("common", "latest") == [user.global_id]
    assert service.referenced_by("user", "1") == []
    with pytest.raises(SubjectNotFound):
        service.referenced_by("nobody", "1")


def test_schema_types(service: RegistryService) -> None:
    assert set(service.schema_types()) == {"JSON", "AVRO", "PROTOBUF"}


def test_pages_of_subjects(service: RegistryService) -> None:
    for subject in ["c", "a", "b"]:
        register(service, subject)
    first = service.list_subjects(None, None, 2)
    assert [summary.subject for summary in first.items] == ["a", "b"] and first.has_more
    rest = service.list_subjects(None, "b", 2)
    assert [summary.subject for summary in rest.items] == ["c"] and not rest.has_more
    assert rest.items[0].latest_version == SemVer(1, 0, 0) and rest.items[0].version_count == 1


def test_pages_of_versions(service: RegistryService) -> None:
    register(service, "s", compatibility_mode=CompatibilityMode.NONE)
    register(service, "s", USER_NEEDING_NAME)
    register(service, "s", USER_DESCRIBED)
    first = service.list_versions("s", None, 2)
    assert [str(version.version) for version in first.items] == ["1.0.0", "2.0.0"] and first.has_more
    rest = service.list_versions("s", SemVer(2, 0, 0), 2)
    assert [str(version.version) for version in rest.items] == ["2.1.0"] and not rest.has_more
    with pytest.raises(SubjectNotFound):
        service.list_versions("t", None, 2)


def test_pages_of_schemas(service: RegistryService) -> None:
    register(service, "shop.user")
    register(service, "shop.item", AVRO_RECORD, SchemaFormat.AVRO)
    register(service, "crm.user")
    first = service.list_schemas(SchemaFilter(name="user"), None, 1)
    assert [version.subject for version in first.items] == ["shop.user"] and first.has_more
    rest = service.list_schemas(SchemaFilter(name="user"), first.items[-1].seq, 1)
    assert [version.subject for version in rest.items] == ["crm.user"] and not rest.has_more
    avro = service.list_schemas(SchemaFilter(format=SchemaFormat.AVRO), None, 10)
    assert [version.subject for version in avro.items] == ["shop.item"]
