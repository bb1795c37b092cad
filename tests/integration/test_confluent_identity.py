"""The Confluent identities of versions at the service level, on the real database and Redis:
global ids under concurrency, imports, permanent deletion and the caches, references."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest

from registry.backends import Backends
from registry.domain.errors import (
    InvalidSchema,
    OperationNotPermitted,
    ReadOnlyMode,
    ReferenceExists,
    SchemaNotFound,
    VersionConflict,
)
from registry.domain.model import CompatibilityMode, RegistryMode, SchemaFormat, SchemaState
from registry.domain.records import SchemaReference
from registry.domain.service import RegistrationRequest, RegistryService
from registry.domain.versioning import SemVer


@pytest.fixture
def service(backends: Backends) -> RegistryService:
    return backends.service


def unique(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}"


def json_schema(title: str, **properties: object) -> str:
    return orjson.dumps({"type": "object", "title": title, "properties": properties}).decode()


def register(service: RegistryService, subject: str, schema: str, **fields: object):
    request = RegistrationRequest(
        subject=subject, schema=schema, format=SchemaFormat.JSON, state=SchemaState.ACTIVE, **fields
    )
    return service.register(request).version


def test_racing_registrations_of_one_new_schema_share_one_id(service):
    schema = json_schema(unique("shared"))
    subjects = [unique("race") for _ in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        versions = list(pool.map(lambda subject: register(service, subject, schema), subjects))
    assert len({version.global_id for version in versions}) == 1
    assert {version.version_number for version in versions} == {1}


def test_versions_are_numbered_and_ids_follow_content(service):
    subject, other = unique("numbered"), unique("numbered")
    service.set_subject_config(subject, CompatibilityMode.NONE, None)
    first = register(service, subject, json_schema("a"))
    second = register(service, subject, json_schema("a", name={"type": "string"}))
    elsewhere = register(service, other, json_schema("a", name={"type": "string"}))
    assert (first.version_number, second.version_number, elsewhere.version_number) == (1, 2, 1)
    assert first.global_id != second.global_id
    assert elsewhere.global_id == second.global_id
    assert service.version_by_label(subject, "latest", include_deleted=False).id == second.id
    assert service.version_by_label(subject, "-1", include_deleted=False).id == second.id


def test_import_keeps_ids_and_versions_and_refuses_a_taken_id(service):
    subject = unique("imported")
    service.set_subject_mode(subject, RegistryMode.IMPORT)
    wanted_id = 1_000_000 + int(uuid.uuid4().int % 1_000_000)
    imported = register(service, subject, json_schema("imported"), global_id=wanted_id, version_number=7)
    assert (imported.global_id, imported.version_number, imported.version) == (wanted_id, 7, SemVer(7, 0, 0))
    # The same import again is idempotent; the id for other content is refused.
    again = register(service, subject, json_schema("imported"), global_id=wanted_id, version_number=7)
    assert again.id == imported.id
    with pytest.raises(OperationNotPermitted):
        register(service, subject, json_schema("other"), global_id=wanted_id, version_number=8)
    with pytest.raises(VersionConflict):
        register(service, subject, json_schema("third"), version_number=7)
    # Outside IMPORT mode ids cannot be chosen, and the allocator skips imported ids.
    service.set_subject_mode(subject, RegistryMode.READWRITE)
    with pytest.raises(OperationNotPermitted):
        register(service, subject, json_schema("fourth"), global_id=wanted_id + 1)
    fresh = register(service, unique("fresh"), json_schema(unique("fresh")))
    assert fresh.global_id != wanted_id


def test_import_mode_needs_an_empty_subject_unless_forced(service):
    subject = unique("busy")
    register(service, subject, json_schema("busy"))
    with pytest.raises(OperationNotPermitted):
        service.set_subject_mode(subject, RegistryMode.IMPORT)
    assert service.set_subject_mode(subject, RegistryMode.IMPORT, force=True) is RegistryMode.IMPORT


def test_read_only_subject_refuses_every_write(service):
    subject = unique("frozen")
    version = register(service, subject, json_schema("frozen"))
    service.set_subject_mode(subject, RegistryMode.READONLY)
    try:
        with pytest.raises(ReadOnlyMode):
            register(service, subject, json_schema("frozen", more={"type": "string"}))
        with pytest.raises(ReadOnlyMode):
            service.delete_version(version.id)
        with pytest.raises(ReadOnlyMode):
            service.soft_delete_subject(subject)
    finally:
        service.set_subject_mode(subject, RegistryMode.READWRITE)
    assert service.soft_delete_subject(subject) == [1]


def test_a_permanently_deleted_version_leaves_every_cache(service):
    subject = unique("gone")
    version = register(service, subject, json_schema("gone"))
    assert service.get_schema(version.id).id == version.id  # now in the local cache and Redis
    service.soft_delete_version(subject, "1")
    assert service.get_schema(version.id).state is SchemaState.DELETED
    assert service.hard_delete_version(subject, "1") == 1
    with pytest.raises(SchemaNotFound):
        service.get_schema(version.id)
    with pytest.raises(SchemaNotFound):
        service.global_schema(version.global_id)


def test_references_resolve_and_protect_what_they_reference(service):
    address_subject, customer_subject = unique("address"), unique("customer")
    service.set_subject_config(address_subject, CompatibilityMode.NONE, None)
    address = register(
        service,
        address_subject,
        orjson.dumps(
            {
                "type": "object",
                "properties": {"street": {"type": "string"}},
                "required": ["street"],
            }
        ).decode(),
    )
    reference = SchemaReference("address.json", address_subject, address.version_number)
    customer = register(
        service,
        customer_subject,
        orjson.dumps(
            {
                "type": "object",
                "properties": {"address": {"$ref": "address.json"}},
            }
        ).decode(),
        references=(reference,),
    )
    assert customer.references == (reference,)
    assert service.validate(customer.id, {"address": {"street": "Main"}}) == []
    issues = service.validate(customer.id, {"address": {}})
    assert [issue.path for issue in issues] == ["/address"]
    assert service.referenced_by(address_subject, "1") == [customer.global_id]
    with pytest.raises(ReferenceExists):
        service.soft_delete_version(address_subject, "1")
    with pytest.raises(InvalidSchema):
        register(
            service,
            unique("dangling"),
            json_schema("dangling"),
            references=(SchemaReference("x.json", address_subject, 99),),
        )
    # The same content and references elsewhere share the id; other references make another schema.
    customer_text = orjson.dumps({"type": "object", "properties": {"address": {"$ref": "address.json"}}}).decode()
    same = register(service, unique("same"), customer_text, references=(reference,))
    assert same.global_id == customer.global_id
    address_v2 = register(
        service,
        address_subject,
        orjson.dumps(
            {
                "type": "object",
                "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
                "required": ["street"],
            }
        ).decode(),
    )
    newer = register(
        service,
        unique("newer"),
        customer_text,
        references=(SchemaReference("address.json", address_subject, address_v2.version_number),),
    )
    assert newer.global_id != customer.global_id
    assert address_v2.version_number == 2


def test_a_referenced_version_registered_again_with_other_content_makes_the_referrer_another_schema(service):
    address_subject, customer_subject = unique("address"), unique("customer")
    street = orjson.dumps(
        {"type": "object", "properties": {"street": {"type": "string"}}, "required": ["street"]}
    ).decode()
    zip_code = orjson.dumps(
        {"type": "object", "properties": {"zip": {"type": "integer"}}, "required": ["zip"]}
    ).decode()
    customer_text = orjson.dumps({"type": "object", "properties": {"a": {"$ref": "address.json"}}}).decode()
    reference = (SchemaReference("address.json", address_subject, 1),)

    register(service, address_subject, street)
    first = register(service, customer_subject, customer_text, references=reference)
    assert service.validate(first.id, {"a": {"street": "Main"}}) == []
    for subject in (customer_subject, address_subject):  # the referrer first: the address is protected
        service.soft_delete_version(subject, "1")
        service.hard_delete_version(subject, "1")

    register(service, address_subject, zip_code)  # version 1 again, other content
    second = register(service, customer_subject, customer_text, references=reference)
    assert second.global_id != first.global_id
    assert service.validate(second.id, {"a": {"zip": 5}}) == []
    assert [issue.keyword for issue in service.validate(second.id, {"a": {"street": "Main"}})] == ["required"]
