"""The service over the in-memory store and cache: use cases without a database."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from registry.domain.formats.registry import default_formats
from registry.domain.model import SchemaFormat
from registry.domain.records import SchemaVersion
from registry.domain.service import RegistrationRequest, RegistryService
from tests.fakes import InMemorySchemaCache, InMemorySchemaStore

USER = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
    "required": ["id"],
}


def with_property(schema: dict[str, Any], name: str, definition: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "properties": {**schema["properties"], name: definition}}


# Backward compatible with USER: a reader that also accepts null names reads every old document.
USER_NULLABLE_NAME = with_property(USER, "name", {"type": ["string", "null"]})
# Not backward compatible with USER: documents without "name" no longer validate.
USER_NEEDING_NAME = {**USER, "required": ["id", "name"]}
# Only annotations differ from USER.
USER_DESCRIBED = {**USER, "title": "User", "description": "someone"}
AVRO_RECORD = '{"type": "record", "name": "User", "fields": [{"name": "id", "type": "string"}]}'


class RecordedOutcomes:
    """Implements the service's observer, counting what it reports."""

    def __init__(self) -> None:
        self.registrations: Counter[str] = Counter()
        self.validations: Counter[str] = Counter()
        self.compatibility_checks: Counter[str] = Counter()

    def registration(self, result: str) -> None:
        self.registrations[result] += 1

    def validation(self, result: str) -> None:
        self.validations[result] += 1

    def compatibility_check(self, result: str) -> None:
        self.compatibility_checks[result] += 1


@pytest.fixture
def store() -> InMemorySchemaStore:
    return InMemorySchemaStore()


@pytest.fixture
def cache() -> InMemorySchemaCache:
    return InMemorySchemaCache()


@pytest.fixture
def outcomes() -> RecordedOutcomes:
    return RecordedOutcomes()


@pytest.fixture
def service(store: InMemorySchemaStore, cache: InMemorySchemaCache, outcomes: RecordedOutcomes) -> RegistryService:
    return RegistryService(store, cache, default_formats(), validator_cache_size=64, observer=outcomes)


def register(
    service: RegistryService, subject: str, schema: Any = USER, fmt: SchemaFormat = SchemaFormat.JSON, **fields: Any
) -> SchemaVersion:
    """A registration that must store a new version."""
    result = service.register(RegistrationRequest(subject=subject, schema=schema, format=fmt, **fields))
    assert result.created
    return result.version
