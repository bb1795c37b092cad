"""Avro compatibility: the specification's schema resolution rules."""

from registry.domain.compatibility.avro.resolution import (
    COMPARISON_TOO_DEEP,
    FIXED_SIZE_MISMATCH,
    MISSING_ENUM_SYMBOLS,
    MISSING_UNION_BRANCH,
    NAME_MISMATCH,
    READER_FIELD_MISSING_DEFAULT_VALUE,
    TYPE_MISMATCH,
)
from registry.domain.compatibility.avro.rules import AvroCompatibility

__all__ = [
    "COMPARISON_TOO_DEEP",
    "FIXED_SIZE_MISMATCH",
    "MISSING_ENUM_SYMBOLS",
    "MISSING_UNION_BRANCH",
    "NAME_MISMATCH",
    "READER_FIELD_MISSING_DEFAULT_VALUE",
    "TYPE_MISMATCH",
    "AvroCompatibility",
]
