"""Which steps of the use cases go through the compute port, what they weigh, and the
budget's verdict reaching the caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from registry.domain.compute import ComputeBudget, InlineCompute
from registry.domain.errors import TooComplex
from registry.domain.formats.registry import default_formats
from registry.domain.model import CompatibilityMode, CompatibilityPolicy, SchemaFormat
from registry.domain.service import RegistrationRequest, RegistryService
from tests.fakes import InMemorySchemaCache, InMemorySchemaStore
from tests.unit.service.conftest import AVRO_RECORD, USER, USER_NULLABLE_NAME, register
from tests.unit.test_compute import DOUBLING_SCHEMA

Result = TypeVar("Result")

PROTO = 'syntax = "proto3"; message User { string id = 1; }'


@dataclass(frozen=True)
class Step:
    operation: str
    weight: int
    key: str | None
    movable: bool


class RecordingCompute:
    """Runs every step inline, recording it."""

    def __init__(self, budget: ComputeBudget | None = None) -> None:
        self.steps: list[Step] = []
        self._inline = InlineCompute(budget)

    @property
    def weight_limit(self) -> int:
        return 1_000_000

    def run(
        self,
        work: Callable[[], Result],
        *,
        operation: str,
        weight: int,
        key: str | None = None,
        movable: bool = True,
    ) -> Result:
        self.steps.append(Step(operation, weight, key, movable))
        return self._inline.run(work, operation=operation, weight=weight, key=key, movable=movable)

    def operations(self) -> list[str]:
        return [step.operation for step in self.steps]


@pytest.fixture
def compute() -> RecordingCompute:
    return RecordingCompute()


@pytest.fixture
def service(compute: RecordingCompute) -> RegistryService:
    store, cache = InMemorySchemaStore(), InMemorySchemaCache()
    return RegistryService(store, cache, default_formats(), validator_cache_size=8, compute=compute)


def test_registration_checks_the_schema_and_compatibility_as_steps(
    service: RegistryService, compute: RecordingCompute
) -> None:
    register(service, "s")
    assert compute.operations() == ["checking the schema", "checking compatibility"]
    compute.steps.clear()
    second = register(service, "s", USER_NULLABLE_NAME)
    assert compute.operations() == ["checking the schema", "checking compatibility"]
    check = compute.steps[1]
    first = service.get_schema(service.list_versions("s", None, 10).items[0].id)
    assert check.weight == len(second.content) + len(first.content)  # the candidate and the latest version


def test_validation_compiles_once_and_validates_each_time(service: RegistryService, compute: RecordingCompute) -> None:
    version = register(service, "s")
    compute.steps.clear()
    service.validate(version.id, {"id": "u1"})
    service.validate(version.id, {"id": "u2", "name": "Ann"})
    assert compute.operations() == [
        "compiling the schema's validator",
        "validating the document",
        "validating the document",
    ]
    compiling, first, second = compute.steps
    assert compiling.weight == len(version.content)
    assert first.key == second.key == version.id  # the same schema: the same step again
    assert 0 < first.weight < second.weight < 100


def test_a_validation_weighs_what_the_caller_says_the_document_measures(
    service: RegistryService, compute: RecordingCompute
) -> None:
    version = register(service, "s")
    service.validate(version.id, {"id": "u1"}, size=123_456)
    service.validate_subject_version("s", "latest", {"id": "u1"}, size=7)
    validations = [step for step in compute.steps if step.operation == "validating the document"]
    assert [step.weight for step in validations] == [123_456, 7]


def test_compatibility_checks_are_steps(service: RegistryService, compute: RecordingCompute) -> None:
    old = register(service, "s")
    new = register(service, "t", USER_NULLABLE_NAME)
    compute.steps.clear()
    service.check_compatibility(new.id, old.id, CompatibilityMode.BACKWARD, CompatibilityPolicy.STRICT)
    service.check_subject_compatibility("s", USER_NULLABLE_NAME, SchemaFormat.JSON)
    service.compatibility_with_version("s", "latest", USER_NULLABLE_NAME, SchemaFormat.JSON)
    assert compute.operations() == [
        "checking compatibility",
        *["checking the schema", "checking compatibility"],
        *["checking the schema", "checking compatibility"],
    ]


def test_avro_and_protobuf_schemas_load_as_steps_that_stay(service: RegistryService, compute: RecordingCompute) -> None:
    for subject, schema, fmt in (("avro", AVRO_RECORD, SchemaFormat.AVRO), ("proto", PROTO, SchemaFormat.PROTOBUF)):
        version = register(service, subject, schema, fmt)
        compute.steps.clear()
        service.validate(version.id, {"id": "u1"})
        loading = compute.steps[0]
        assert (loading.operation, loading.movable, loading.weight) == ("loading the schema", False, len(schema))


def test_only_protobuf_is_parsed_where_it_is_called(service: RegistryService, compute: RecordingCompute) -> None:
    register(service, "json", USER)
    register(service, "avro", AVRO_RECORD, SchemaFormat.AVRO)
    register(service, "proto", PROTO, SchemaFormat.PROTOBUF)
    parsing = [step for step in compute.steps if step.operation == "checking the schema"]
    assert [step.movable for step in parsing] == [True, True, False]
    assert parsing[1].weight == len(AVRO_RECORD) and parsing[2].weight == len(PROTO)


def test_a_validation_past_the_budget_is_too_complex() -> None:
    service = RegistryService(
        InMemorySchemaStore(),
        InMemorySchemaCache(),
        default_formats(),
        validator_cache_size=8,
        compute=InlineCompute(ComputeBudget(0.5)),
    )
    version = register(service, "s", DOUBLING_SCHEMA)
    with pytest.raises(TooComplex, match="validating the document takes longer than the 0.5 s"):
        service.validate(version.id, 1)
    assert service.validate(version.id, "not an integer") != []  # max_errors ends this walk early


def test_a_registration_past_the_budget_stores_nothing() -> None:
    compute = InlineCompute(ComputeBudget(0.4))  # checking either schema takes far less; comparing them, more
    service = RegistryService(
        InMemorySchemaStore(), InMemorySchemaCache(), default_formats(), validator_cache_size=8, compute=compute
    )
    branches: list[Any] = [{"type": "object", "properties": {"k": {"const": i}}, "required": ["k"]} for i in range(200)]
    register(service, "s", {"anyOf": branches})
    with pytest.raises(TooComplex, match="checking compatibility"):
        service.register(RegistrationRequest(subject="s", schema={"anyOf": branches[::-1]}, format=SchemaFormat.JSON))
    assert len(service.list_versions("s", None, 10).items) == 1
