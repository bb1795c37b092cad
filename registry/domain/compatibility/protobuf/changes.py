"""Confluent Schema Registry's Protobuf change types, and one change found between two schemas."""

from __future__ import annotations

from dataclasses import dataclass

# Confluent's SchemaDiff.COMPATIBLE_CHANGES; every other change type is a violation.
COMPATIBLE_CHANGES = frozenset(
    {
        "MESSAGE_ADDED",
        "MESSAGE_MOVED",
        "ENUM_ADDED",
        "ENUM_REMOVED",
        "ENUM_CONST_ADDED",
        "ENUM_CONST_CHANGED",
        "ENUM_CONST_REMOVED",
        "FIELD_ADDED",
        "FIELD_REMOVED",
        "FIELD_NAME_CHANGED",
        "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
        "ONEOF_ADDED",
        "ONEOF_REMOVED",
        "ONEOF_FIELD_ADDED",
    }
)

INCOMPATIBLE_CHANGES = frozenset(
    {
        "PACKAGE_CHANGED",
        "MESSAGE_REMOVED",
        "FIELD_KIND_CHANGED",
        "FIELD_SCALAR_KIND_CHANGED",
        "FIELD_NAMED_TYPE_CHANGED",
        "FIELD_NUMERIC_LABEL_CHANGED",
        "REQUIRED_FIELD_ADDED",
        "REQUIRED_FIELD_REMOVED",
        "ONEOF_FIELD_REMOVED",
        "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
        "FIELD_MOVED_TO_EXISTING_ONEOF",
    }
)


@dataclass(frozen=True, slots=True)
class SchemaDifference:
    """One change between two schemas, compatible or not, named as Confluent names it."""

    type: str
    path: str
    message: str

    @property
    def compatible(self) -> bool:
        return self.type in COMPATIBLE_CHANGES
