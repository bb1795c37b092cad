"""JSON Schema compatibility, following Confluent Schema Registry's change types."""

from registry.domain.compatibility.json_schema.changes import (
    COMPATIBLE_CHANGES_LENIENT,
    COMPATIBLE_CHANGES_STRICT,
    ChangeType,
    compatible_changes,
)
from registry.domain.compatibility.json_schema.engine import Difference, backward_violations, differences
from registry.domain.compatibility.json_schema.rules import JsonSchemaCompatibility

__all__ = [
    "COMPATIBLE_CHANGES_LENIENT",
    "COMPATIBLE_CHANGES_STRICT",
    "ChangeType",
    "Difference",
    "JsonSchemaCompatibility",
    "backward_violations",
    "compatible_changes",
    "differences",
]
