"""Checks: validating documents, and compatibility verdicts that store nothing."""

from __future__ import annotations

import pytest

from registry.domain.errors import InvalidRequest, SchemaNotFound, SubjectNotFound, VersionNotFound
from registry.domain.model import CompatibilityMode, CompatibilityPolicy, SchemaFormat
from registry.domain.service import RegistryService
from tests.fakes import InMemorySchemaStore
from tests.unit.service.conftest import (
    AVRO_RECORD,
    USER,
    USER_DESCRIBED,
    USER_NEEDING_NAME,
    USER_NULLABLE_NAME,
    RecordedOutcomes,
    register,
)


def test_validate_a_document(service: RegistryService, outcomes: RecordedOutcomes) -> None:
    version = register(service, "s")
    assert service.validate(version.id, {"id": "u1", "name": "Ann"}) == []
    issues = service.validate(version.id, {"name": 5})
    assert {(issue.keyword, issue.path) for issue in issues} == {("required", ""), ("type", "/name")}
    assert len(service.validate(version.id, {"name": 5}, max_errors=1)) == 1
    assert outcomes.validations == {"valid": 1, "invalid": 2}


def test_a_compiled_validator_needs_the_store_no_more(service: RegistryService, store: InMemorySchemaStore) -> None:
    version = register(service, "s")
    service.validate(version.id, {"id": "u1"})
    store.reachable = False
    assert service.validate(version.id, {"id": 1})[0].keyword == "type"


def test_validate_by_subject_version(service: RegistryService) -> None:
    register(service, "s")
    version, issues = service.validate_subject_version("s", "latest", {"id": "u1"})
    assert version.subject == "s" and issues == []
    with pytest.raises(SchemaNotFound):
        service.validate("00000000-0000-4000-8000-000000000000", {})


def test_check_compatibility_of_two_schemas(service: RegistryService, outcomes: RecordedOutcomes) -> None:
    old = register(service, "s", compatibility_mode=CompatibilityMode.NONE)
    new = register(service, "s", USER_NEEDING_NAME)
    strict = CompatibilityPolicy.STRICT
    violations = service.check_compatibility(new.id, old.id, CompatibilityMode.BACKWARD, strict)
    assert [violation.type for violation in violations] == ["REQUIRED_ATTRIBUTE_ADDED"]
    assert service.check_compatibility(new.id, old.id, CompatibilityMode.FORWARD, strict) == []
    assert outcomes.compatibility_checks == {"incompatible": 1, "compatible": 1}
    avro = register(service, "a", AVRO_RECORD, SchemaFormat.AVRO)
    with pytest.raises(InvalidRequest):
        service.check_compatibility(avro.id, old.id, CompatibilityMode.BACKWARD, strict)


def test_check_against_a_subject_stores_nothing(service: RegistryService, store: InMemorySchemaStore) -> None:
    register(service, "s")
    compatible = service.check_subject_compatibility("s", USER_NULLABLE_NAME, SchemaFormat.JSON)
    assert (compatible.violations, compatible.compared_versions, compatible.identical_to) == ([], ["1.0.0"], None)
    assert (compatible.mode, compatible.policy) == (CompatibilityMode.BACKWARD, CompatibilityPolicy.STRICT)
    incompatible = service.check_subject_compatibility("s", USER_NEEDING_NAME, SchemaFormat.JSON)
    assert [violation.type for violation in incompatible.violations] == ["REQUIRED_ATTRIBUTE_ADDED"]
    assert service.version_numbers("s", include_deleted=True) == [1]
    assert service.check_subject_compatibility("new", USER, SchemaFormat.JSON).compared_versions == []
    assert store.subject_config("new") is None, "a check does not create the subject"


def test_check_a_schema_already_registered(service: RegistryService) -> None:
    register(service, "s")
    report = service.check_subject_compatibility("s", USER, SchemaFormat.JSON)
    assert (report.violations, report.compared_versions, report.identical_to) == ([], [], "1.0.0")


@pytest.mark.parametrize(
    ("mode", "compared"),
    [
        (CompatibilityMode.BACKWARD, ["2.0.0"]),
        (CompatibilityMode.BACKWARD_TRANSITIVE, ["1.0.0", "2.0.0"]),
        (CompatibilityMode.NONE, []),
    ],
)
def test_which_versions_a_check_compares_with(
    service: RegistryService, mode: CompatibilityMode, compared: list[str]
) -> None:
    register(service, "s", compatibility_mode=CompatibilityMode.NONE)
    register(service, "s", USER_NEEDING_NAME)
    service.set_subject_config("s", mode, None)
    assert service.check_subject_compatibility("s", USER_DESCRIBED, SchemaFormat.JSON).compared_versions == compared


def test_check_against_one_version(service: RegistryService) -> None:
    register(service, "s", compatibility_mode=CompatibilityMode.NONE)
    register(service, "s", USER_NEEDING_NAME)
    service.set_subject_config("s", CompatibilityMode.BACKWARD_TRANSITIVE, None)
    report = service.compatibility_with_version("s", "1", USER_NEEDING_NAME, SchemaFormat.JSON)
    assert [(violation.type, violation.version) for violation in report.violations] == [
        ("REQUIRED_ATTRIBUTE_ADDED", "1")
    ]
    assert report.compared_versions == ["1.0.0"]
    assert service.compatibility_with_version("s", "latest", USER_NEEDING_NAME, SchemaFormat.JSON).violations == []
    with pytest.raises(VersionNotFound):
        service.compatibility_with_version("s", "3", USER, SchemaFormat.JSON)
    with pytest.raises(SubjectNotFound):
        service.compatibility_with_version("t", "1", USER, SchemaFormat.JSON)
    with pytest.raises(InvalidRequest):
        service.compatibility_with_version("s", "1", AVRO_RECORD, SchemaFormat.AVRO)


def test_a_subject_keeps_one_format_in_checks_too(service: RegistryService) -> None:
    register(service, "s")
    with pytest.raises(InvalidRequest):
        service.check_subject_compatibility("s", AVRO_RECORD, SchemaFormat.AVRO)
