"""Registering schemas: new subjects, duplicates, version bumps, compatibility, modes."""

from __future__ import annotations

from typing import Any

import pytest

from registry.domain.compatibility.base import CompatibilityRules
from registry.domain.compatibility.json_schema import JsonSchemaCompatibility
from registry.domain.compatibility.registry import CompatibilityRegistry
from registry.domain.errors import (
    CompatibilityModeConflict,
    IncompatibleSchema,
    InvalidRequest,
    InvalidSchema,
    OperationNotPermitted,
    ReadOnlyMode,
    VersionConflict,
)
from registry.domain.formats.registry import default_formats
from registry.domain.model import (
    CompatibilityMode,
    CompatibilityPolicy,
    RegistryMode,
    SchemaFormat,
    SchemaState,
    Violation,
)
from registry.domain.records import CompatibilityConfig, SchemaReference, VersionChanges
from registry.domain.service import RegistrationRequest, RegistryService
from registry.domain.versioning import SemVer
from tests.fakes import InMemorySchemaCache, InMemorySchemaStore
from tests.unit.service.conftest import (
    AVRO_RECORD,
    USER,
    USER_DESCRIBED,
    USER_NEEDING_NAME,
    USER_NULLABLE_NAME,
    RecordedOutcomes,
    register,
    with_property,
)


def test_a_new_subject_starts_at_1_0_0(
    service: RegistryService, store: InMemorySchemaStore, cache: InMemorySchemaCache
) -> None:
    version = register(service, "shop.user")
    assert (version.subject, version.version, version.version_number, version.global_id) == (
        "shop.user",
        SemVer(1, 0, 0),
        1,
        1,
    )
    assert version.state is SchemaState.DRAFT
    assert (version.compatibility_mode, version.compatibility_policy) == (
        CompatibilityMode.BACKWARD,
        CompatibilityPolicy.STRICT,
    )
    assert store.get_version(version.id) == version
    assert cache.get_local(version.id) is None, "a new version is not hot: only the shared tier has it"
    assert cache.get(version.id) == version


def test_registration_keeps_the_requests_fields(service: RegistryService) -> None:
    version = register(
        service,
        "shop.user",
        state=SchemaState.ACTIVE,
        description="a user",
        tags=("pii",),
        metadata={"owner": "shop"},
    )
    assert (version.state, version.description, version.tags, version.metadata) == (
        SchemaState.ACTIVE,
        "a user",
        ("pii",),
        {"owner": "shop"},
    )


def test_the_first_registration_may_set_the_subjects_config(
    service: RegistryService, store: InMemorySchemaStore
) -> None:
    version = register(service, "s", compatibility_mode=CompatibilityMode.FULL)
    assert (version.compatibility_mode, version.compatibility_policy) == (
        CompatibilityMode.FULL,
        CompatibilityPolicy.STRICT,
    )
    assert store.subject_config("s") == CompatibilityConfig(CompatibilityMode.FULL, None)


def test_later_registrations_may_only_repeat_the_subjects_config(service: RegistryService) -> None:
    register(service, "s", compatibility_mode=CompatibilityMode.NONE)
    register(service, "s", USER_NULLABLE_NAME, compatibility_mode=CompatibilityMode.NONE)
    with pytest.raises(CompatibilityModeConflict):
        register(service, "s", USER_NEEDING_NAME, compatibility_mode=CompatibilityMode.FULL)
    with pytest.raises(CompatibilityModeConflict):
        register(service, "s", USER_NEEDING_NAME, compatibility_policy=CompatibilityPolicy.LENIENT)


def test_registering_the_same_schema_again_answers_the_existing_version(
    service: RegistryService, outcomes: RecordedOutcomes
) -> None:
    first = register(service, "s")
    again = service.register(RegistrationRequest("s", dict(reversed(list(USER.items()))), SchemaFormat.JSON))
    assert not again.created and again.version == first
    assert service.version_numbers("s", include_deleted=True) == [1]
    assert outcomes.registrations == {"created": 1, "existing": 1}


def test_the_same_schema_in_another_subject_shares_its_global_id(service: RegistryService) -> None:
    first = register(service, "s")
    other = register(service, "t")
    assert other.global_id == first.global_id and other.id != first.id
    assert register(service, "t", USER_NULLABLE_NAME).global_id == 2


def test_the_same_schema_asking_for_other_numbers_is_a_conflict(service: RegistryService) -> None:
    register(service, "s")
    with pytest.raises(VersionConflict):
        service.register(RegistrationRequest("s", USER, SchemaFormat.JSON, version=SemVer(5, 0, 0)))


@pytest.mark.parametrize(
    ("mode", "schema", "expected"),
    [
        (CompatibilityMode.BACKWARD, USER_DESCRIBED, SemVer(1, 0, 1)),
        (CompatibilityMode.BACKWARD, USER_NULLABLE_NAME, SemVer(1, 1, 0)),
        (CompatibilityMode.NONE, USER_NULLABLE_NAME, SemVer(1, 1, 0)),
        (CompatibilityMode.NONE, USER_NEEDING_NAME, SemVer(2, 0, 0)),
    ],
    ids=["annotations-patch", "compatible-minor", "compatible-under-none-minor", "incompatible-major"],
)
def test_the_next_version_follows_the_change(
    service: RegistryService, mode: CompatibilityMode, schema: object, expected: SemVer
) -> None:
    register(service, "s", compatibility_mode=mode)
    version = register(service, "s", schema)
    assert (version.version, version.version_number) == (expected, 2)


def test_versions_go_on_from_the_highest_ever_stored(service: RegistryService) -> None:
    register(service, "s", compatibility_mode=CompatibilityMode.NONE)
    second = register(service, "s", USER_NEEDING_NAME)
    service.soft_delete_version("s", "2")
    third = register(service, "s", USER_NULLABLE_NAME)  # compared with 1.0.0, numbered after 2.0.0
    assert (second.version, third.version, third.version_number) == (SemVer(2, 0, 0), SemVer(2, 1, 0), 3)


def test_a_chosen_version_must_be_higher_than_the_latest(service: RegistryService) -> None:
    register(service, "s", version=SemVer(2, 0, 0))
    with pytest.raises(VersionConflict):
        register(service, "s", USER_NULLABLE_NAME, version=SemVer(1, 5, 0))
    assert register(service, "s", USER_NULLABLE_NAME, version=SemVer(2, 0, 7)).version == SemVer(2, 0, 7)


def test_a_chosen_number_must_be_the_next_one_outside_import(service: RegistryService) -> None:
    register(service, "s")
    with pytest.raises(OperationNotPermitted):
        register(service, "s", USER_NULLABLE_NAME, version_number=5)
    assert register(service, "s", USER_NULLABLE_NAME, version_number=2).version_number == 2


def test_an_incompatible_schema_is_refused_and_nothing_is_stored(
    service: RegistryService, outcomes: RecordedOutcomes
) -> None:
    register(service, "s")
    with pytest.raises(IncompatibleSchema) as refused:
        register(service, "s", USER_NEEDING_NAME)
    assert refused.value.violations and all(violation.type for violation in refused.value.violations)
    assert service.version_numbers("s", include_deleted=True) == [1]
    assert outcomes.registrations == {"created": 1, "incompatible": 1}


@pytest.mark.parametrize(
    ("mode", "accepted"),
    [(CompatibilityMode.BACKWARD, True), (CompatibilityMode.BACKWARD_TRANSITIVE, False)],
    ids=["latest-only", "transitive"],
)
def test_transitive_modes_compare_with_every_live_version(
    service: RegistryService, mode: CompatibilityMode, accepted: bool
) -> None:
    register(service, "s", compatibility_mode=CompatibilityMode.NONE)
    integer_id = with_property(USER, "id", {"type": "integer"})
    register(service, "s", integer_id)  # incompatible with the first, allowed under NONE
    service.set_subject_config("s", mode, None)
    compatible_with_latest_only = with_property(integer_id, "name", {"type": ["string", "null"]})
    if accepted:
        assert register(service, "s", compatible_with_latest_only).version == SemVer(2, 1, 0)
    else:
        with pytest.raises(IncompatibleSchema):
            register(service, "s", compatible_with_latest_only)


@pytest.mark.parametrize("state", [SchemaState.DEPRECATED, SchemaState.ARCHIVED, SchemaState.DELETED])
def test_registration_states(service: RegistryService, state: SchemaState, outcomes: RecordedOutcomes) -> None:
    with pytest.raises(InvalidRequest):
        register(service, "s", state=state)
    assert outcomes.registrations == {"invalid": 1}


def test_a_subject_keeps_one_format(service: RegistryService) -> None:
    register(service, "s")
    with pytest.raises(InvalidRequest):
        register(service, "s", AVRO_RECORD, SchemaFormat.AVRO)
    assert register(service, "t", AVRO_RECORD, SchemaFormat.AVRO).format is SchemaFormat.AVRO


def test_invalid_subjects_and_schemas_are_refused_before_any_write(
    service: RegistryService, store: InMemorySchemaStore
) -> None:
    with pytest.raises(InvalidRequest):
        register(service, "")
    with pytest.raises(InvalidRequest):
        register(service, "bad\nname")
    with pytest.raises(InvalidSchema):
        register(service, "s", {"type": "no-such-type"})
    assert store.subject_config("s") is None


def nested_metadata(levels: int) -> dict[str, object]:
    metadata: dict[str, object] = {"leaf": [1]}  # two levels: the object and its array
    for _ in range(levels - 2):
        metadata = {"a": metadata}
    return metadata


def test_metadata_nests_at_most_the_given_depth(store: InMemorySchemaStore) -> None:
    service = RegistryService(
        store, InMemorySchemaCache(), default_formats(), validator_cache_size=8, metadata_max_depth=5
    )
    version = register(service, "s", metadata=nested_metadata(5))
    with pytest.raises(InvalidRequest, match="nested more than 5 levels") as refused:
        register(service, "t", metadata=nested_metadata(6))
    assert (refused.value.field, refused.value.details["max_depth"]) == ("metadata", 5)
    assert store.subject_config("t") is None and service.list_subjects("t", None, 10).items == []
    with pytest.raises(InvalidRequest, match="nested more than 5 levels"):
        service.update_version(version.id, VersionChanges(metadata=nested_metadata(6)))
    assert service.get_schema(version.id).metadata == nested_metadata(5)
    # Iterative: deeper than Python's recursion limit is refused, not a crash.
    with pytest.raises(InvalidRequest, match="nested more than 5 levels"):
        register(service, "u", metadata=nested_metadata(5000))


def test_references_are_pinned_and_kept(service: RegistryService) -> None:
    register(service, "common", {"$id": "https://example.com/id.json", "type": "string"})
    register(service, "common", {"$id": "https://example.com/id.json", "type": "string", "title": "Id"})
    user = register(
        service,
        "user",
        {"type": "object", "properties": {"id": {"$ref": "https://example.com/id.json"}}},
        references=(SchemaReference("https://example.com/id.json", "common", -1),),
    )
    assert user.references == (SchemaReference("https://example.com/id.json", "common", 2),)
    assert service.referenced_by("common", "2") == [user.global_id]
    with pytest.raises(InvalidSchema):
        register(service, "other", USER, references=(SchemaReference("x.json", "nowhere", 1),))


@pytest.mark.parametrize("where", ["registry", "subject"])
def test_read_only_refuses_registrations(service: RegistryService, where: str) -> None:
    register(service, "s")
    if where == "registry":
        service.set_global_mode(RegistryMode.READONLY)
    else:
        service.set_subject_mode("s", RegistryMode.READONLY)
    with pytest.raises(ReadOnlyMode, match="Subject s is" if where == "subject" else "the registry is"):
        register(service, "s", USER_NULLABLE_NAME)
    if where == "subject":
        assert register(service, "t").subject == "t", "other subjects stay writable"


def test_import_keeps_the_ids_and_numbers_it_brings(service: RegistryService) -> None:
    service.set_global_mode(RegistryMode.IMPORT)
    imported = register(service, "s", global_id=2, version_number=7)
    assert (imported.global_id, imported.version_number, imported.version) == (2, 7, SemVer(7, 0, 0))
    # No compatibility check: the other registry's history is copied as it was.
    older = register(service, "s", USER_NEEDING_NAME, global_id=1, version_number=3)
    assert (older.version_number, older.version) == (3, SemVer(3, 0, 0))
    assert register(service, "t", USER_DESCRIBED).global_id == 3, "new ids skip the imported ones"


def test_import_refuses_an_id_that_names_another_schema(service: RegistryService) -> None:
    service.set_global_mode(RegistryMode.IMPORT)
    register(service, "s", global_id=5)
    with pytest.raises(OperationNotPermitted):
        register(service, "t", USER_NULLABLE_NAME, global_id=5)
    assert register(service, "t", USER, global_id=5).global_id == 5, "the same schema may repeat its id"


def test_ids_can_only_be_given_in_import_mode(service: RegistryService) -> None:
    with pytest.raises(OperationNotPermitted):
        register(service, "s", global_id=5)
    service.set_subject_mode("s", RegistryMode.IMPORT)
    assert register(service, "s", global_id=5).global_id == 5


class CountingRules:
    """A format's rules, counting the comparisons asked of them."""

    def __init__(self, rules: CompatibilityRules) -> None:
        self.rules = rules
        self.comparisons = 0

    @property
    def format(self) -> SchemaFormat:
        return self.rules.format

    def backward_violations(self, old: Any, new: Any, policy: CompatibilityPolicy) -> list[Violation]:
        self.comparisons += 1
        return self.rules.backward_violations(old, new, policy)


@pytest.mark.parametrize(
    ("mode", "comparisons"),
    [
        # The mode's backward comparison with the latest version answers the bump's question too.
        (CompatibilityMode.BACKWARD, 1),
        (CompatibilityMode.FULL, 2),
        # These never compare backward with the latest, so the bump does.
        (CompatibilityMode.FORWARD, 2),
        (CompatibilityMode.NONE, 1),
    ],
)
def test_a_compatible_version_is_compared_with_the_latest_once_per_direction(
    mode: CompatibilityMode, comparisons: int
) -> None:
    counting = CountingRules(JsonSchemaCompatibility())
    service = RegistryService(
        InMemorySchemaStore(),
        InMemorySchemaCache(),
        default_formats(),
        validator_cache_size=8,
        compatibility=CompatibilityRegistry([counting]),
    )
    register(service, "shop.user", compatibility_mode=mode)
    assert counting.comparisons == 0
    # Another spelling of the same types: compatible both ways, and more than an annotation.
    respelled = {**USER, "properties": {"id": {"type": ["string"]}, "name": {"type": "string"}}}
    second = register(service, "shop.user", respelled)
    assert second.version == SemVer(1, 1, 0)
    assert counting.comparisons == comparisons
