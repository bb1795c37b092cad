"""Presentation: paths as Confluent writes them and messages that say what a violation means.

Paths are JSON pointers in Confluent's style: ``#/`` is the schema root,
``#/properties/foo/maxLength`` a keyword below it, ``#/required/foo`` the requirement of
property ``foo``.  Segments are escaped as RFC 6901 requires (``~0``, ``~1``).  Messages speak
of the *writer* (the schema data was written with) and the *reader* (the one reading it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from registry.domain.compatibility.json_schema.changes import Change, ChangeType
from registry.domain.pointers import escape_token


def format_path(segments: tuple[str, ...]) -> str:
    return "#/" + "/".join(escape_token(segment) for segment in segments)


def show_types(types: frozenset[str] | None) -> str:
    return "any" if types is None else "[" + ", ".join(sorted(types)) + "]"


def show_values(values: Iterable[Any]) -> str:
    shown = [repr(value) for value in values]
    return ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")


# What each incompatible change means for data: a writer-valid value the reader refuses.
_EXPLANATIONS: dict[ChangeType, str] = {
    ChangeType.SCHEMA_ADDED: "the reader adds a subschema the writer did not have",
    ChangeType.TYPE_NARROWED: "the reader accepts fewer types than the writer",
    ChangeType.TYPE_CHANGED: "the reader expects a different type than the writer",
    ChangeType.MAX_LENGTH_ADDED: "the reader adds a maximum string length",
    ChangeType.MAX_LENGTH_DECREASED: "the reader lowers the maximum string length",
    ChangeType.MIN_LENGTH_ADDED: "the reader adds a minimum string length",
    ChangeType.MIN_LENGTH_INCREASED: "the reader raises the minimum string length",
    ChangeType.PATTERN_ADDED: "the reader adds a pattern strings must match",
    ChangeType.PATTERN_CHANGED: "the reader changes the pattern strings must match",
    ChangeType.FORMAT_ADDED: "the reader adds a format strings must follow",
    ChangeType.FORMAT_CHANGED: "the reader changes the format strings must follow",
    ChangeType.MAXIMUM_ADDED: "the reader adds a maximum",
    ChangeType.MAXIMUM_DECREASED: "the reader lowers the maximum",
    ChangeType.MINIMUM_ADDED: "the reader adds a minimum",
    ChangeType.MINIMUM_INCREASED: "the reader raises the minimum",
    ChangeType.EXCLUSIVE_MAXIMUM_ADDED: "the reader adds an exclusive maximum",
    ChangeType.EXCLUSIVE_MAXIMUM_DECREASED: "the reader lowers the exclusive maximum",
    ChangeType.EXCLUSIVE_MINIMUM_ADDED: "the reader adds an exclusive minimum",
    ChangeType.EXCLUSIVE_MINIMUM_INCREASED: "the reader raises the exclusive minimum",
    ChangeType.MULTIPLE_OF_ADDED: "the reader adds a multipleOf",
    ChangeType.MULTIPLE_OF_EXPANDED: "the reader's multipleOf is a multiple of the writer's",
    ChangeType.MULTIPLE_OF_CHANGED: "the reader's multipleOf does not divide the writer's",
    ChangeType.REQUIRED_ATTRIBUTE_ADDED: "the reader requires a property the writer did not",
    ChangeType.MAX_PROPERTIES_ADDED: "the reader adds a maximum number of properties",
    ChangeType.MAX_PROPERTIES_DECREASED: "the reader lowers the maximum number of properties",
    ChangeType.MIN_PROPERTIES_ADDED: "the reader adds a minimum number of properties",
    ChangeType.MIN_PROPERTIES_INCREASED: "the reader raises the minimum number of properties",
    ChangeType.ADDITIONAL_PROPERTIES_REMOVED: "the reader closes the content model the writer left open",
    ChangeType.ADDITIONAL_PROPERTIES_NARROWED: "the reader constrains additional properties the writer left open",
    ChangeType.UNEVALUATED_PROPERTIES_REMOVED: "the reader forbids unevaluated properties the writer allowed",
    ChangeType.UNEVALUATED_PROPERTIES_NARROWED: "the reader constrains unevaluated properties the writer left open",
    ChangeType.DEPENDENCY_ARRAY_ADDED: "the reader adds a property dependency",
    ChangeType.DEPENDENCY_ARRAY_EXTENDED: "the reader's property dependency requires more properties",
    ChangeType.DEPENDENCY_ARRAY_CHANGED: "the reader's property dependency requires different properties",
    ChangeType.DEPENDENCY_SCHEMA_ADDED: "the reader adds a schema dependency",
    ChangeType.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL: "the reader constrains a property the open writer allowed",
    ChangeType.REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL: "the reader requires a property the writer lacked",
    ChangeType.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL: "the reader's closed model drops a property the writer had",
    ChangeType.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: (
        "the reader drops a property its partially open content model does not cover"
    ),
    ChangeType.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: (
        "the reader adds a property the writer's partially open content model allowed differently"
    ),
    ChangeType.MAX_ITEMS_ADDED: "the reader adds a maximum number of items",
    ChangeType.MAX_ITEMS_DECREASED: "the reader lowers the maximum number of items",
    ChangeType.MIN_ITEMS_ADDED: "the reader adds a minimum number of items",
    ChangeType.MIN_ITEMS_INCREASED: "the reader raises the minimum number of items",
    ChangeType.MAX_CONTAINS_ADDED: "the reader adds maxContains",
    ChangeType.MAX_CONTAINS_DECREASED: "the reader lowers maxContains",
    ChangeType.MIN_CONTAINS_INCREASED: "the reader raises minContains",
    ChangeType.UNIQUE_ITEMS_ADDED: "the reader requires unique items",
    ChangeType.ADDITIONAL_ITEMS_REMOVED: "the reader forbids items beyond the tuple that the writer allowed",
    ChangeType.ADDITIONAL_ITEMS_NARROWED: "the reader constrains items beyond the tuple that the writer left open",
    ChangeType.UNEVALUATED_ITEMS_REMOVED: "the reader forbids unevaluated items the writer allowed",
    ChangeType.UNEVALUATED_ITEMS_NARROWED: "the reader constrains unevaluated items the writer left open",
    ChangeType.ITEM_ADDED_TO_OPEN_CONTENT_MODEL: "the reader constrains a tuple item the writer's open model allowed",
    ChangeType.ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL: "the reader's closed tuple drops an item the writer had",
    ChangeType.ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: (
        "the reader drops a tuple item its additional items schema does not cover"
    ),
    ChangeType.ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: (
        "the reader adds a tuple item the writer's additional items schema allowed differently"
    ),
    ChangeType.ENUM_ARRAY_NARROWED: "the reader allows fewer values",
    ChangeType.ENUM_ARRAY_CHANGED: "the reader allows different values",
    ChangeType.COMBINED_TYPE_CHANGED: "the reader combines its subschemas differently",
    ChangeType.PRODUCT_TYPE_EXTENDED: "the reader's allOf adds constraints",
    ChangeType.SUM_TYPE_NARROWED: "the reader accepts fewer alternatives",
    ChangeType.COMBINED_TYPE_SUBSCHEMAS_CHANGED: "the reader's subschemas do not accept the writer's",
    ChangeType.NOT_TYPE_EXTENDED: "the reader's 'not' excludes more values",
}


def violation_message(diff: Change) -> str:
    """What the change means for data, where it is, and the detail the comparison noted."""
    explanation = _EXPLANATIONS.get(diff.type, diff.type.lower().replace("_", " "))
    detail = f" ({diff.detail})" if diff.detail else ""
    return (
        f"{explanation} at '{format_path(diff.path)}'{detail}: "
        "data valid under the writer schema can be rejected by the reader schema"
    )
