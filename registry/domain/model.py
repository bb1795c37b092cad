"""Value types shared by the domain, storage and HTTP layers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class SchemaFormat(StrEnum):
    JSON = "JSON"
    AVRO = "AVRO"
    PROTOBUF = "PROTOBUF"


class SchemaState(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    DEPRECATED = "DEPRECATED"
    ARCHIVED = "ARCHIVED"
    DELETED = "DELETED"


class CompatibilityMode(StrEnum):
    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @property
    def is_transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")

    @property
    def checks_backward(self) -> bool:
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def checks_forward(self) -> bool:
        return self.value.startswith(("FORWARD", "FULL"))


class RegistryMode(StrEnum):
    """What a subject (or the whole registry) accepts: Confluent's modes."""

    READWRITE = "READWRITE"
    READONLY = "READONLY"  # no registrations, deletions or lifecycle changes
    IMPORT = "IMPORT"  # registrations keep the ids and versions they bring; no compatibility checks


class CompatibilityPolicy(StrEnum):
    STRICT = "STRICT"
    LENIENT = "LENIENT"


DEFAULT_COMPATIBILITY_MODE = CompatibilityMode.BACKWARD
DEFAULT_COMPATIBILITY_POLICY = CompatibilityPolicy.STRICT


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """Why a schema is invalid: where (JSON pointer or line:column) and what."""

    location: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"location": self.location, "message": self.message}


@dataclass(frozen=True, slots=True)
class Violation:
    """One incompatible change between two schemas.

    ``type`` is the change type's industry name (Confluent's for JSON Schema and
    Protobuf, ``avro.compatibility``'s for Avro); ``path`` a JSON pointer into the schema.
    """

    type: str
    path: str
    message: str
    version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type, "path": self.path, "message": self.message}
        if self.version is not None:
            data["version"] = self.version
        return data


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One reason a document does not conform to a schema."""

    path: str
    message: str
    keyword: str
    schema_path: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "message": self.message,
            "keyword": self.keyword,
            "schema_path": self.schema_path,
        }


@dataclass(frozen=True, slots=True)
class ValidationOptions:
    """How a document is read, for formats with choices: Avro's ``encoding`` (``json``
    with bare union values, or ``avro-json`` with wrapped ones) and Protobuf's
    ``message`` (the file's first message by default). JSON Schema has none."""

    encoding: str | None = None
    message: str | None = None

    @property
    def cache_key(self) -> str:
        return f"{self.encoding or ''}|{self.message or ''}"


NO_VALIDATION_OPTIONS = ValidationOptions()
