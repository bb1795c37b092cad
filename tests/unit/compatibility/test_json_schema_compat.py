"""JSON Schema compatibility rules (Confluent's change types, STRICT and LENIENT sets).

Every case is a pair (old, new) with the violation types expected in four checks:
BACKWARD is ``backward_violations(old, new)`` and FORWARD ``backward_violations(new, old)``,
each under the STRICT and the LENIENT policy.  An empty tuple means compatible.  LENIENT
expectations default to the STRICT ones and are spelled out only where the policies differ.
"""

from __future__ import annotations

import copy
import functools
import json
import time
from dataclasses import dataclass

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.compatibility.json_schema import (
    COMPATIBLE_CHANGES_LENIENT,
    COMPATIBLE_CHANGES_STRICT,
    Difference,
    backward_violations,
    differences,
)
from registry.domain.model import CompatibilityPolicy, Violation

D4 = "http://json-schema.org/draft-04/schema#"
D7 = "http://json-schema.org/draft-07/schema#"
D2019 = "https://json-schema.org/draft/2019-09/schema"
D2020 = "https://json-schema.org/draft/2020-12/schema"

S = {"type": "string"}
N = {"type": "number"}
I = {"type": "integer"}  # noqa: E741 - reads like the type it stands for
B = {"type": "boolean"}
NULL = {"type": "null"}

# Violation type names, shortened for the table.
TYPE_CHANGED = "TYPE_CHANGED"
TYPE_NARROWED = "TYPE_NARROWED"
SUM_NARROWED = "SUM_TYPE_NARROWED"
OPEN_ADDED = "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
CLOSED_REMOVED = "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"
REQUIRED_ADDED = "REQUIRED_ATTRIBUTE_ADDED"
SUBSCHEMAS_CHANGED = "COMBINED_TYPE_SUBSCHEMAS_CHANGED"


def obj(properties: dict | None = None, **keywords: object) -> dict:
    """An object schema; keyword arguments are added as they are (additionalProperties=False...)."""
    schema: dict = {"type": "object", "properties": properties or {}}
    schema.update(keywords)
    return schema


def arr(**keywords: object) -> dict:
    return {"type": "array", **keywords}


@dataclass(frozen=True)
class Case:
    id: str
    old: object
    new: object
    backward: tuple[str, ...]
    forward: tuple[str, ...]
    backward_lenient: tuple[str, ...] | None = None
    forward_lenient: tuple[str, ...] | None = None


def case(
    id: str,
    old: object,
    new: object,
    backward: tuple[str, ...] = (),
    forward: tuple[str, ...] = (),
    *,
    backward_lenient: tuple[str, ...] | None = None,
    forward_lenient: tuple[str, ...] | None = None,
) -> Case:
    return Case(id, old, new, backward, forward, backward_lenient, forward_lenient)


REC_NODE = {
    "$defs": {"node": obj({"value": I, "next": {"$ref": "#/$defs/node"}})},
    "$ref": "#/$defs/node",
}
REC_NODE_WIDER = {
    "$defs": {"node": obj({"value": N, "next": {"$ref": "#/$defs/node"}})},
    "$ref": "#/$defs/node",
}
REC_NODE_WITH_ID = {
    "$defs": {"node": obj({"value": I, "id": S, "next": {"$ref": "#/$defs/node"}}, required=["id"])},
    "$ref": "#/$defs/node",
}
MUTUAL = {
    "$defs": {
        "a": obj({"b": {"$ref": "#/$defs/b"}}),
        "b": obj({"a": {"$ref": "#/$defs/a"}, "n": I}),
    },
    "$ref": "#/$defs/a",
}
MUTUAL_NARROWER = {
    "$defs": {
        "a": obj({"b": {"$ref": "#/$defs/b"}}),
        "b": obj({"a": {"$ref": "#/$defs/a"}, "n": {"type": "integer", "minimum": 0}}),
    },
    "$ref": "#/$defs/a",
}
KIND_A = obj({"kind": {"const": "a"}, "x": S}, required=["kind"])
KIND_B = obj({"kind": {"const": "b"}, "y": N}, required=["kind"])
KIND_B_STRICTER = obj({"kind": {"const": "b"}, "y": N}, required=["kind", "y"])

CASES: list[Case] = [
    # --- type ------------------------------------------------------------------------------
    case("type-string-to-integer", S, I, (TYPE_CHANGED,), (TYPE_CHANGED,)),
    case("type-object-to-array", {"type": "object"}, {"type": "array"}, (TYPE_CHANGED,), (TYPE_CHANGED,)),
    case("type-boolean-to-null", B, NULL, (TYPE_CHANGED,), (TYPE_CHANGED,)),
    case("type-integer-to-number", I, N, (), (TYPE_NARROWED,)),
    case("type-string-to-string-or-null", S, {"type": ["string", "null"]}, (), (SUM_NARROWED,)),
    case("type-list-reordered", {"type": ["string", "null"]}, {"type": ["null", "string"]}),
    case(
        "type-list-member-swapped",
        {"type": ["string", "null"]},
        {"type": ["number", "null"]},
        (TYPE_CHANGED,),
        (TYPE_CHANGED,),
    ),
    case(
        "type-list-integer-widened",
        {"type": ["integer", "null"]},
        {"type": ["number", "null"]},
        (),
        (TYPE_NARROWED,),
    ),
    case("type-list-with-redundant-integer", {"type": ["number", "integer"]}, N),
    case("type-keyword-removed", S, {}, (), (TYPE_NARROWED,)),
    case(
        "type-added-to-untyped-keywords",
        {"maxLength": 5},
        {"type": "string", "maxLength": 5},
        (TYPE_NARROWED,),
        (),
    ),
    case("type-object-added-beside-properties", {"properties": {"a": S}}, obj({"a": S}), (TYPE_NARROWED,), ()),
    # --- boolean schemas ---------------------------------------------------------------------
    case("bool-true-to-false", True, False, (TYPE_CHANGED,), ()),
    case("bool-empty-object-is-true", {}, True),
    case("bool-true-to-string", True, S, (TYPE_NARROWED,), ()),
    case("bool-false-to-string", False, S, (), (TYPE_CHANGED,)),
    case("bool-annotations-only-is-true", {"title": "anything"}, True),
    # --- strings -----------------------------------------------------------------------------
    case(
        "string-maxLength-decreased",
        {"type": "string", "maxLength": 12},
        {"type": "string", "maxLength": 10},
        ("MAX_LENGTH_DECREASED",),
        (),
    ),
    case("string-maxLength-added", S, {"type": "string", "maxLength": 10}, ("MAX_LENGTH_ADDED",), ()),
    case("string-maxLength-removed", {"type": "string", "maxLength": 3}, S, (), ("MAX_LENGTH_ADDED",)),
    case(
        "string-minLength-increased",
        {"type": "string", "minLength": 1},
        {"type": "string", "minLength": 2},
        ("MIN_LENGTH_INCREASED",),
        (),
    ),
    case("string-minLength-added", S, {"type": "string", "minLength": 1}, ("MIN_LENGTH_ADDED",), ()),
    case("string-minLength-zero-is-no-limit", S, {"type": "string", "minLength": 0}),
    case("string-pattern-added", S, {"type": "string", "pattern": "^[a-z]+$"}, ("PATTERN_ADDED",), ()),
    case(
        "string-pattern-changed",
        {"type": "string", "pattern": "^a"},
        {"type": "string", "pattern": "^b"},
        ("PATTERN_CHANGED",),
        ("PATTERN_CHANGED",),
    ),
    case(
        "string-pattern-same-title-changed",
        {"type": "string", "pattern": "^a", "title": "x"},
        {"type": "string", "pattern": "^a", "title": "y"},
    ),
    case("string-format-added", S, {"type": "string", "format": "email"}, ("FORMAT_ADDED",), ()),
    case(
        "string-format-changed",
        {"type": "string", "format": "email"},
        {"type": "string", "format": "uri"},
        ("FORMAT_CHANGED",),
        ("FORMAT_CHANGED",),
    ),
    case("string-keywords-ignored-for-numbers", N, {"type": "number", "maxLength": 3}),
    case("string-limits-on-untyped-schema", {"maxLength": 5}, {"maxLength": 4}, ("MAX_LENGTH_DECREASED",), ()),
    # --- numbers -----------------------------------------------------------------------------
    case(
        "number-maximum-decreased",
        {"type": "number", "maximum": 10},
        {"type": "number", "maximum": 5},
        ("MAXIMUM_DECREASED",),
        (),
    ),
    case("number-maximum-added", N, {"type": "number", "maximum": 10}, ("MAXIMUM_ADDED",), ()),
    case(
        "number-minimum-increased",
        {"type": "number", "minimum": 0},
        {"type": "number", "minimum": 1},
        ("MINIMUM_INCREASED",),
        (),
    ),
    case("number-minimum-removed", {"type": "number", "minimum": 0}, N, (), ("MINIMUM_ADDED",)),
    case(
        "number-exclusiveMaximum-decreased",
        {"type": "number", "exclusiveMaximum": 10},
        {"type": "number", "exclusiveMaximum": 9},
        ("EXCLUSIVE_MAXIMUM_DECREASED",),
        (),
    ),
    case(
        "number-exclusiveMinimum-added",
        N,
        {"type": "number", "exclusiveMinimum": 0},
        ("EXCLUSIVE_MINIMUM_ADDED",),
        (),
    ),
    case(
        "number-exclusiveMinimum-increased",
        {"type": "number", "exclusiveMinimum": 0},
        {"type": "number", "exclusiveMinimum": 1},
        ("EXCLUSIVE_MINIMUM_INCREASED",),
        (),
    ),
    case(
        "number-exclusiveMaximum-removed",
        {"type": "number", "exclusiveMaximum": 5},
        N,
        (),
        ("EXCLUSIVE_MAXIMUM_ADDED",),
    ),
    case(
        "number-maximum-made-exclusive",
        {"type": "number", "maximum": 10},
        {"type": "number", "exclusiveMaximum": 10},
        ("EXCLUSIVE_MAXIMUM_DECREASED",),
        (),
    ),
    case(
        "number-maximum-to-larger-exclusive",
        {"type": "number", "maximum": 10},
        {"type": "number", "exclusiveMaximum": 11},
        (),
        ("MAXIMUM_DECREASED",),
    ),
    case(
        "number-exclusiveMinimum-to-inclusive",
        {"type": "number", "exclusiveMinimum": 0},
        {"type": "number", "minimum": 0},
        (),
        ("EXCLUSIVE_MINIMUM_INCREASED",),
    ),
    case(
        "number-draft4-exclusive-equals-draft6",
        {"$schema": D4, "type": "number", "maximum": 10, "exclusiveMaximum": True},
        {"$schema": D7, "type": "number", "exclusiveMaximum": 10},
    ),
    case(
        "number-draft4-exclusive-flag-added",
        {"$schema": D4, "type": "number", "minimum": 0},
        {"$schema": D4, "type": "number", "minimum": 0, "exclusiveMinimum": True},
        ("EXCLUSIVE_MINIMUM_INCREASED",),
        (),
    ),
    case(
        "number-multipleOf-reduced",
        {"type": "number", "multipleOf": 10},
        {"type": "number", "multipleOf": 2},
        (),
        ("MULTIPLE_OF_EXPANDED",),
    ),
    case(
        "number-multipleOf-changed",
        {"type": "number", "multipleOf": 10},
        {"type": "number", "multipleOf": 3},
        ("MULTIPLE_OF_CHANGED",),
        ("MULTIPLE_OF_CHANGED",),
    ),
    case("number-multipleOf-added", I, {"type": "integer", "multipleOf": 5}, ("MULTIPLE_OF_ADDED",), ()),
    case(
        "number-multipleOf-fraction-reduced",
        {"type": "number", "multipleOf": 0.5},
        {"type": "number", "multipleOf": 0.25},
        (),
        ("MULTIPLE_OF_EXPANDED",),
    ),
    case(
        "number-to-integer-keeps-limits",
        {"type": "number", "minimum": 0},
        {"type": "integer", "minimum": 0},
        (TYPE_NARROWED,),
        (),
    ),
    case(
        "integer-maximum-increased",
        {"type": "integer", "maximum": 5},
        {"type": "integer", "maximum": 50},
        (),
        ("MAXIMUM_DECREASED",),
    ),
    case("number-limits-ignored-for-strings", S, {"type": "string", "minimum": 3}),
    # --- enum and const ----------------------------------------------------------------------
    case("enum-extended", {"enum": ["a", "b"]}, {"enum": ["a", "b", "c"]}, (), ("ENUM_ARRAY_NARROWED",)),
    case(
        "enum-changed",
        {"enum": ["a", "b"]},
        {"enum": ["a", "c"]},
        ("ENUM_ARRAY_CHANGED",),
        ("ENUM_ARRAY_CHANGED",),
    ),
    case("enum-added-to-string", S, {"type": "string", "enum": ["a"]}, ("ENUM_ARRAY_NARROWED",), ()),
    case("enum-reordered", {"enum": ["a", "b", 1]}, {"enum": [1, "b", "a"]}),
    case("enum-integer-equals-float", {"enum": [1, 2]}, {"enum": [1.0, 2]}),
    case("enum-true-is-not-one", {"enum": [1]}, {"enum": [True]}, (TYPE_CHANGED,), (TYPE_CHANGED,)),
    case("enum-untyped-to-type", {"enum": ["a", "b"]}, S, (), ("ENUM_ARRAY_NARROWED",)),
    case(
        "enum-mixed-types-narrowed",
        {"enum": ["a", 1]},
        {"enum": ["a"]},
        (SUM_NARROWED, "ENUM_ARRAY_NARROWED"),
        (),
    ),
    case(
        "enum-on-integer-extended",
        {"type": "integer", "enum": [1, 2]},
        {"type": "integer", "enum": [1, 2, 3]},
        (),
        ("ENUM_ARRAY_NARROWED",),
    ),
    case("const-changed", {"const": "a"}, {"const": "b"}, ("ENUM_ARRAY_CHANGED",), ("ENUM_ARRAY_CHANGED",)),
    case("const-to-enum-containing-it", {"const": "a"}, {"enum": ["a", "b"]}, (), ("ENUM_ARRAY_NARROWED",)),
    case("const-added", S, {"type": "string", "const": "x"}, ("ENUM_ARRAY_NARROWED",), ()),
    case(
        "const-object-value-changed",
        {"const": {"a": 1}},
        {"const": {"a": 2}},
        ("ENUM_ARRAY_CHANGED",),
        ("ENUM_ARRAY_CHANGED",),
    ),
    # --- objects: open content model ---------------------------------------------------------
    case("open-property-added", obj({"a": S}), obj({"a": S, "b": N}), (OPEN_ADDED,), (), backward_lenient=()),
    case("open-property-removed", obj({"a": S, "b": N}), obj({"a": S}), (), (OPEN_ADDED,), forward_lenient=()),
    case(
        "open-explicit-true-property-added",
        obj({"a": S}, additionalProperties=True),
        obj({"a": S, "b": N}, additionalProperties=True),
        (OPEN_ADDED,),
        (),
        backward_lenient=(),
    ),
    case("open-empty-schema-property-added", obj({"a": S}), obj({"a": S, "b": {}})),
    case("open-true-property-added", obj({"a": S}), obj({"a": S, "b": True})),
    case(
        "open-false-property-added",
        obj({"a": S}),
        obj({"a": S, "b": False}),
        (OPEN_ADDED,),
        (),
        backward_lenient=(),
    ),
    case(
        "open-required-property-added",
        obj({"a": S}),
        obj({"a": S, "b": S}, required=["b"]),
        (OPEN_ADDED, REQUIRED_ADDED),
        (),
        backward_lenient=(REQUIRED_ADDED,),
    ),
    case("open-property-type-changed", obj({"a": S}), obj({"a": N}), (TYPE_CHANGED,), (TYPE_CHANGED,)),
    case(
        "open-property-renamed",
        obj({"a": S}),
        obj({"b": S}),
        (OPEN_ADDED,),
        (OPEN_ADDED,),
        backward_lenient=(),
        forward_lenient=(),
    ),
    case(
        "open-to-closed",
        obj({"a": S}),
        obj({"a": S}, additionalProperties=False),
        ("ADDITIONAL_PROPERTIES_REMOVED",),
        (),
        backward_lenient=(),
    ),
    case(
        "open-to-additional-schema",
        obj({"a": S}),
        obj({"a": S}, additionalProperties=S),
        ("ADDITIONAL_PROPERTIES_NARROWED",),
        (),
        backward_lenient=(),
    ),
    case(
        "additional-schema-changed",
        obj(additionalProperties=S),
        obj(additionalProperties=I),
        (TYPE_CHANGED,),
        (TYPE_CHANGED,),
    ),
    case(
        "additional-schema-widened",
        obj(additionalProperties=I),
        obj(additionalProperties=N),
        (),
        (TYPE_NARROWED,),
    ),
    case("additional-empty-schema-is-open", obj({"a": S}), obj({"a": S}, additionalProperties={})),
    case(
        "nested-open-property-added",
        obj({"o": obj({"a": S})}),
        obj({"o": obj({"a": S, "b": I})}),
        (OPEN_ADDED,),
        (),
        backward_lenient=(),
    ),
    # --- objects: closed content model -------------------------------------------------------
    case(
        "closed-optional-property-added",
        obj({"a": S}, additionalProperties=False),
        obj({"a": S, "b": N}, additionalProperties=False),
        (),
        (CLOSED_REMOVED,),
    ),
    case(
        "closed-required-property-added",
        obj({"a": S}, additionalProperties=False),
        obj({"a": S, "b": N}, required=["b"], additionalProperties=False),
        ("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",),
        (CLOSED_REMOVED,),
    ),
    case(
        "closed-required-property-with-default-added",
        obj({"a": S}, additionalProperties=False),
        obj({"a": S, "b": {"type": "number", "default": 0}}, required=["b"], additionalProperties=False),
        (),
        (CLOSED_REMOVED,),
    ),
    case(
        "closed-false-property-removed",
        obj({"a": S, "b": False}, additionalProperties=False),
        obj({"a": S}, additionalProperties=False),
    ),
    case(
        "closed-property-removed-and-opened",
        obj({"a": S, "b": S}, additionalProperties=False),
        obj({"a": S}),
        (),
        (OPEN_ADDED, "ADDITIONAL_PROPERTIES_REMOVED"),
        forward_lenient=(),
    ),
    case(
        "nested-closed-property-removed",
        obj({"o": obj({"a": S, "b": S}, additionalProperties=False)}),
        obj({"o": obj({"a": S}, additionalProperties=False)}),
        (CLOSED_REMOVED,),
        (),
    ),
    # --- objects: required -------------------------------------------------------------------
    case(
        "required-added-to-declared-property",
        obj({"a": S}),
        obj({"a": S}, required=["a"]),
        (REQUIRED_ADDED,),
        (),
    ),
    case(
        "required-with-default-added",
        obj({"a": S}),
        obj({"a": {"type": "string", "default": "x"}}, required=["a"]),
        (),
        (),
    ),
    case(
        "required-added-for-undeclared-name",
        {"type": "object"},
        {"type": "object", "required": ["id"]},
        (REQUIRED_ADDED,),
        (),
    ),
    case(
        "required-reordered",
        obj({"a": S, "b": S}, required=["a", "b"]),
        obj({"a": S, "b": S}, required=["b", "a"]),
    ),
    case(
        "required-swapped",
        obj({"a": S, "b": S}, required=["a"]),
        obj({"a": S, "b": S}, required=["b"]),
        (REQUIRED_ADDED,),
        (REQUIRED_ADDED,),
    ),
    # --- objects: partially open content model ------------------------------------------------
    case(
        "partial-additional-covers-added-property",
        obj({"a": S}, additionalProperties=S),
        obj({"a": S, "b": S}, additionalProperties=S),
    ),
    case(
        "partial-additional-does-not-cover-added-property",
        obj({"a": S}, additionalProperties=S),
        obj({"a": S, "b": N}, additionalProperties=S),
        (TYPE_CHANGED, "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
        (TYPE_CHANGED, "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
        backward_lenient=(TYPE_CHANGED,),
        forward_lenient=(TYPE_CHANGED,),
    ),
    case(
        "partial-additional-required-property-added",
        obj({"a": S}, additionalProperties=S),
        obj({"a": S, "b": S}, required=["b"], additionalProperties=S),
        ("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",),
        (),
    ),
    case(
        "partial-pattern-covers-added-property",
        obj({"a": S}, additionalProperties=False, patternProperties={"^S_": S, "^I_": I}),
        obj({"a": S, "I_1": N}, additionalProperties=False, patternProperties={"^S_": S, "^I_": I}),
    ),
    case(
        "partial-removed-property-covered-by-pattern",
        obj({"a": S, "I_1": I}, additionalProperties=False),
        obj({"a": S}, additionalProperties=False, patternProperties={"^S_": S, "^I_": N}),
        (),
        (CLOSED_REMOVED, TYPE_NARROWED, "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
        forward_lenient=(CLOSED_REMOVED, TYPE_NARROWED),
    ),
    case(
        "partial-removed-property-to-additional-schema",
        obj({"a": S, "b": S}, additionalProperties=False),
        obj({"a": S}, additionalProperties=S),
        (),
        ("ADDITIONAL_PROPERTIES_REMOVED",),
        forward_lenient=(),
    ),
    case(
        "partial-removed-property-not-covered",
        obj({"a": S, "b": N}, additionalProperties=False),
        obj({"a": S}, additionalProperties=S),
        (TYPE_CHANGED, "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
        (
            TYPE_CHANGED,
            "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
            "ADDITIONAL_PROPERTIES_REMOVED",
        ),
        backward_lenient=(TYPE_CHANGED,),
        forward_lenient=(TYPE_CHANGED,),
    ),
    case(
        "pattern-added-to-open-model",
        {"type": "object"},
        {"type": "object", "patternProperties": {"^x_": I}},
        (OPEN_ADDED,),
        (),
        backward_lenient=(),
    ),
    case(
        "pattern-schema-narrowed",
        obj(patternProperties={"^x_": N}),
        obj(patternProperties={"^x_": I}),
        (TYPE_NARROWED,),
        (),
    ),
    case(
        "pattern-now-constrains-declared-property",
        obj({"x_1": {}}),
        obj({"x_1": {}}, patternProperties={"^x_": I}),
        (TYPE_NARROWED, OPEN_ADDED),
        (),
        backward_lenient=(TYPE_NARROWED,),
    ),
    case(
        "pattern-removed-from-closed-model",
        obj(additionalProperties=False, patternProperties={"^x_": I}),
        obj(additionalProperties=False),
        (CLOSED_REMOVED,),
        (),
    ),
    # --- objects: property counts, dependencies, property names -----------------------------------
    case(
        "maxProperties-decreased",
        obj(maxProperties=5),
        obj(maxProperties=4),
        ("MAX_PROPERTIES_DECREASED",),
        (),
    ),
    case("maxProperties-added", obj(), obj(maxProperties=4), ("MAX_PROPERTIES_ADDED",), ()),
    case(
        "minProperties-increased",
        obj(minProperties=1),
        obj(minProperties=2),
        ("MIN_PROPERTIES_INCREASED",),
        (),
    ),
    case("minProperties-removed", obj(minProperties=1), obj(), (), ("MIN_PROPERTIES_ADDED",)),
    case(
        "dependencies-array-added",
        obj({"a": S, "b": S}),
        obj({"a": S, "b": S}, dependencies={"a": ["b"]}),
        ("DEPENDENCY_ARRAY_ADDED",),
        (),
    ),
    case(
        "dependencies-array-extended",
        obj(dependencies={"a": ["b"]}),
        obj(dependencies={"a": ["b", "c"]}),
        ("DEPENDENCY_ARRAY_EXTENDED",),
        (),
    ),
    case(
        "dependencies-array-changed",
        obj(dependencies={"a": ["b"]}),
        obj(dependencies={"a": ["c"]}),
        ("DEPENDENCY_ARRAY_CHANGED",),
        ("DEPENDENCY_ARRAY_CHANGED",),
    ),
    case("dependentRequired-added", obj(), obj(dependentRequired={"a": ["b"]}), ("DEPENDENCY_ARRAY_ADDED",), ()),
    case(
        "dependencies-to-dependentRequired",
        obj(dependencies={"a": ["b"]}),
        obj(dependentRequired={"a": ["b"]}),
    ),
    case(
        "dependencies-schema-added",
        obj(),
        obj(dependencies={"a": {"required": ["b"]}}),
        ("DEPENDENCY_SCHEMA_ADDED",),
        (),
    ),
    case(
        "dependentSchemas-narrowed",
        obj(dependentSchemas={"a": {"required": ["b"]}}),
        obj(dependentSchemas={"a": {"required": ["b", "c"]}}),
        (REQUIRED_ADDED,),
        (),
    ),
    case(
        "dependencies-schema-type-changed",
        obj(dependencies={"a": obj({"b": S})}),
        obj(dependencies={"a": obj({"b": N})}),
        (TYPE_CHANGED,),
        (TYPE_CHANGED,),
    ),
    case("propertyNames-added", obj(), obj(propertyNames={"maxLength": 3}), ("SCHEMA_ADDED",), ()),
    case(
        "propertyNames-narrowed",
        obj(propertyNames={"maxLength": 5}),
        obj(propertyNames={"maxLength": 3}),
        ("MAX_LENGTH_DECREASED",),
        (),
    ),
    case(
        "unevaluatedProperties-false-added",
        obj({"a": S}),
        obj({"a": S}, unevaluatedProperties=False),
        ("UNEVALUATED_PROPERTIES_REMOVED",),
        (),
        backward_lenient=(),
    ),
    # --- arrays ------------------------------------------------------------------------------
    case("items-added", arr(), arr(items=S), ("SCHEMA_ADDED",), ()),
    case("items-type-changed", arr(items=S), arr(items=N), (TYPE_CHANGED,), (TYPE_CHANGED,)),
    case("items-widened", arr(items=I), arr(items=N), (), (TYPE_NARROWED,)),
    case("items-true-is-no-constraint", arr(), arr(items=True)),
    case("items-false-added", arr(), arr(items=False), ("SCHEMA_ADDED",), ()),
    case(
        "items-object-property-added",
        arr(items=obj({"a": S})),
        arr(items=obj({"a": S, "b": S})),
        (OPEN_ADDED,),
        (),
        backward_lenient=(),
    ),
    case("maxItems-decreased", arr(maxItems=3), arr(maxItems=2), ("MAX_ITEMS_DECREASED",), ()),
    case("maxItems-added", arr(), arr(maxItems=2), ("MAX_ITEMS_ADDED",), ()),
    case("minItems-increased", arr(minItems=1), arr(minItems=2), ("MIN_ITEMS_INCREASED",), ()),
    case("minItems-zero-is-no-limit", arr(), arr(minItems=0)),
    case("uniqueItems-added", arr(), arr(uniqueItems=True), ("UNIQUE_ITEMS_ADDED",), ()),
    case("uniqueItems-false-is-no-constraint", arr(), arr(uniqueItems=False)),
    case("contains-added", arr(), arr(contains=S), ("SCHEMA_ADDED",), ()),
    case("contains-true-added", arr(), arr(contains=True), ("SCHEMA_ADDED",), ()),
    case("contains-narrowed", arr(contains=N), arr(contains=I), (TYPE_NARROWED,), ()),
    case(
        "minContains-increased",
        arr(contains=S, minContains=1),
        arr(contains=S, minContains=2),
        ("MIN_CONTAINS_INCREASED",),
        (),
    ),
    case("maxContains-added", arr(contains=S), arr(contains=S, maxContains=2), ("MAX_CONTAINS_ADDED",), ()),
    case(
        "unevaluatedItems-false-added",
        arr(prefixItems=[S]),
        arr(prefixItems=[S], unevaluatedItems=False),
        ("UNEVALUATED_ITEMS_REMOVED",),
        (),
    ),
    # --- tuples, draft 4 to 2019-09 (items array + additionalItems) ---------------------------
    case(
        "tuple-item-added-to-open",
        {"$schema": D7, **arr(items=[S])},
        {"$schema": D7, **arr(items=[S, N])},
        ("ITEM_ADDED_TO_OPEN_CONTENT_MODEL",),
        (),
    ),
    case(
        "tuple-item-added-to-closed",
        {"$schema": D7, **arr(items=[S], additionalItems=False)},
        {"$schema": D7, **arr(items=[S, N], additionalItems=False)},
        (),
        ("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",),
    ),
    case(
        "tuple-item-type-changed",
        {"$schema": D7, **arr(items=[S, N])},
        {"$schema": D7, **arr(items=[S, S])},
        (TYPE_CHANGED,),
        (TYPE_CHANGED,),
    ),
    case(
        "tuple-additionalItems-false-added",
        {"$schema": D7, **arr(items=[S])},
        {"$schema": D7, **arr(items=[S], additionalItems=False)},
        ("ADDITIONAL_ITEMS_REMOVED",),
        (),
    ),
    case(
        "tuple-additionalItems-schema-added",
        {"$schema": D7, **arr(items=[S])},
        {"$schema": D7, **arr(items=[S], additionalItems=S)},
        ("ADDITIONAL_ITEMS_NARROWED",),
        (),
    ),
    case(
        "tuple-item-added-covered-by-additionalItems",
        {"$schema": D7, **arr(items=[S], additionalItems=S)},
        {"$schema": D7, **arr(items=[S, S], additionalItems=S)},
    ),
    case(
        "tuple-item-added-not-covered",
        {"$schema": D7, **arr(items=[S], additionalItems=S)},
        {"$schema": D7, **arr(items=[S, N], additionalItems=S)},
        (TYPE_CHANGED, "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
        (TYPE_CHANGED, "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"),
    ),
    case(
        "tuple-empty-item-added-to-open",
        {"$schema": D7, **arr(items=[S])},
        {"$schema": D7, **arr(items=[S, {}])},
    ),
    case(
        "tuple-false-item-removed-from-closed",
        {"$schema": D7, **arr(items=[S, False], additionalItems=False)},
        {"$schema": D7, **arr(items=[S], additionalItems=False)},
    ),
    case(
        "tuple-to-list-form",
        {"$schema": D7, **arr(items=[S, S])},
        {"$schema": D7, **arr(items=S)},
        ("ADDITIONAL_ITEMS_NARROWED",),
        (),
    ),
    case(
        "additionalItems-ignored-without-tuple",
        {"$schema": D7, **arr(items=S)},
        {"$schema": D7, **arr(items=S, additionalItems=False)},
    ),
    # --- tuples, 2020-12 (prefixItems + items) --------------------------------------------------
    case(
        "prefixItems-item-added-to-open",
        {"$schema": D2020, **arr(prefixItems=[S])},
        {"$schema": D2020, **arr(prefixItems=[S, N])},
        ("ITEM_ADDED_TO_OPEN_CONTENT_MODEL",),
        (),
    ),
    case(
        "prefixItems-item-added-to-closed",
        {"$schema": D2020, **arr(prefixItems=[S], items=False)},
        {"$schema": D2020, **arr(prefixItems=[S, N], items=False)},
        (),
        ("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",),
    ),
    case(
        "prefixItems-rest-narrowed",
        {"$schema": D2020, **arr(prefixItems=[S])},
        {"$schema": D2020, **arr(prefixItems=[S], items=S)},
        ("ADDITIONAL_ITEMS_NARROWED",),
        (),
    ),
    case(
        "prefixItems-rest-closed",
        {"$schema": D2020, **arr(prefixItems=[S], items=S)},
        {"$schema": D2020, **arr(prefixItems=[S], items=False)},
        ("ADDITIONAL_ITEMS_REMOVED",),
        (),
    ),
    case(
        "prefixItems-equal-to-draft7-tuple",
        {"$schema": D7, **arr(items=[S, N], additionalItems=False)},
        {"$schema": D2020, **arr(prefixItems=[S, N], items=False)},
    ),
    case(
        "prefixItems-item-narrowed",
        {"$schema": D2020, **arr(prefixItems=[N, S])},
        {"$schema": D2020, **arr(prefixItems=[I, S])},
        (TYPE_NARROWED,),
        (),
    ),
    # --- $ref and definitions -------------------------------------------------------------------
    case(
        "ref-target-type-changed",
        {"$defs": {"A": S}, **obj({"a": {"$ref": "#/$defs/A"}})},
        {"$defs": {"A": N}, **obj({"a": {"$ref": "#/$defs/A"}})},
        (TYPE_CHANGED,),
        (TYPE_CHANGED,),
    ),
    case("ref-inline-to-ref", obj({"a": S}), {"$defs": {"A": S}, **obj({"a": {"$ref": "#/$defs/A"}})}),
    case(
        "ref-definitions-to-defs",
        {"definitions": {"A": S}, "$ref": "#/definitions/A"},
        {"$defs": {"B": S}, "$ref": "#/$defs/B"},
    ),
    case(
        "ref-target-maxLength-decreased",
        {"$defs": {"A": {"type": "string", "maxLength": 5}}, **obj({"a": {"$ref": "#/$defs/A"}})},
        {"$defs": {"A": {"type": "string", "maxLength": 4}}, **obj({"a": {"$ref": "#/$defs/A"}})},
        ("MAX_LENGTH_DECREASED",),
        (),
    ),
    case("ref-recursive-unchanged", REC_NODE, copy.deepcopy(REC_NODE)),
    case("ref-recursive-field-widened", REC_NODE, REC_NODE_WIDER, (), (TYPE_NARROWED,)),
    case(
        "ref-recursive-required-field-added",
        REC_NODE,
        REC_NODE_WITH_ID,
        (OPEN_ADDED, REQUIRED_ADDED),
        (),
        backward_lenient=(REQUIRED_ADDED,),
    ),
    case("ref-mutual-recursion-unchanged", MUTUAL, copy.deepcopy(MUTUAL)),
    case("ref-mutual-recursion-narrowed", MUTUAL, MUTUAL_NARROWER, ("MINIMUM_ADDED",), ()),
    case(
        "ref-with-siblings-2020",
        {"$schema": D2020, "$defs": {"S": S}, "$ref": "#/$defs/S", "maxLength": 5},
        {"$schema": D2020, "$defs": {"S": S}, "$ref": "#/$defs/S", "maxLength": 3},
        ("MAX_LENGTH_DECREASED",),
        (),
    ),
    case(
        "ref-siblings-ignored-draft7",
        {"$schema": D7, "definitions": {"S": S}, "$ref": "#/definitions/S", "maxLength": 5},
        {"$schema": D7, "definitions": {"S": S}, "$ref": "#/definitions/S", "maxLength": 3},
    ),
    case(
        "ref-to-anchor",
        {"$defs": {"A": {"$anchor": "thing", "type": "string"}}, "$ref": "#thing"},
        I,
        (TYPE_CHANGED,),
        (TYPE_CHANGED,),
    ),
    case(
        "ref-embedded-id",
        {
            "$defs": {"A": {"$id": "https://example.com/a.json", "type": "integer"}},
            "$ref": "https://example.com/a.json",
        },
        N,
        (),
        (TYPE_NARROWED,),
    ),
    case(
        "ref-unresolvable-same",
        {"$ref": "https://example.com/other.json"},
        {"$ref": "https://example.com/other.json"},
    ),
    case(
        "ref-unresolvable-changed",
        {"$ref": "https://example.com/a.json"},
        {"$ref": "https://example.com/b.json"},
        (TYPE_CHANGED,),
        (TYPE_CHANGED,),
    ),
    # --- combined types ------------------------------------------------------------------------
    case("oneOf-alternative-added", {"oneOf": [S]}, {"oneOf": [N, S]}, (), (SUM_NARROWED,)),
    case(
        "anyOf-alternative-replaced",
        {"anyOf": [S]},
        {"anyOf": [N]},
        (SUBSCHEMAS_CHANGED,),
        (SUBSCHEMAS_CHANGED,),
    ),
    case("anyOf-reordered", {"anyOf": [S, N]}, {"anyOf": [N, S]}),
    case("anyOf-duplicates-collapse", {"anyOf": [S, S]}, {"anyOf": [S]}),
    case("oneOf-to-anyOf", {"oneOf": [S, N]}, {"anyOf": [S, N]}, (), ("COMBINED_TYPE_CHANGED",)),
    case("allOf-singleton-to-anyOf-singleton", {"allOf": [S]}, {"anyOf": [S]}),
    case("anyOf-to-smaller-oneOf", {"anyOf": [N, S]}, {"oneOf": [S]}, ("COMBINED_TYPE_CHANGED",), ()),
    case(
        "allOf-member-dropped",
        {"allOf": [{"enum": ["a", "b"]}, S]},
        {"allOf": [S]},
        (),
        ("PRODUCT_TYPE_EXTENDED",),
    ),
    case(
        "allOf-member-narrowed",
        {"allOf": [obj({"a": N}), {"required": ["a"]}]},
        {"allOf": [obj({"a": I}), {"required": ["a"]}]},
        (SUBSCHEMAS_CHANGED,),
        (),
    ),
    case("type-to-oneOf-containing-it", S, {"oneOf": [N, S]}, (), (SUM_NARROWED,)),
    case("type-to-anyOf-without-it", S, {"anyOf": [N, B]}, (TYPE_CHANGED,), (TYPE_CHANGED,)),
    case("type-to-allOf-singleton", S, {"allOf": [S]}),
    case("type-to-allOf-pair", S, {"allOf": [N, S]}, (TYPE_CHANGED,), ()),
    case("type-list-to-anyOf", {"type": ["string", "null"]}, {"anyOf": [S, NULL]}),
    case(
        "oneOf-alternative-gains-required",
        {"oneOf": [KIND_A, KIND_B]},
        {"oneOf": [KIND_A, KIND_B_STRICTER]},
        (SUBSCHEMAS_CHANGED,),
        (),
    ),
    case(
        "property-anyOf-alternative-added",
        obj({"v": {"anyOf": [S, N]}}),
        obj({"v": {"anyOf": [S, N, NULL]}}),
        (),
        (SUM_NARROWED,),
    ),
    case(
        "allOf-with-ref-composition",
        obj({"a": S}),
        {"$defs": {"base": obj({"a": S})}, "allOf": [{"$ref": "#/$defs/base"}]},
    ),
    case(
        "allOf-extension-adds-property",
        {"$defs": {"base": obj({"a": S})}, "allOf": [{"$ref": "#/$defs/base"}]},
        {"$defs": {"base": obj({"a": S})}, "allOf": [{"$ref": "#/$defs/base"}, obj({"b": S})]},
        ("PRODUCT_TYPE_EXTENDED",),
        (),
        backward_lenient=(),
    ),
    # --- not, if/then/else ----------------------------------------------------------------------
    case("not-narrowed", {"not": N}, {"not": I}, (), ("NOT_TYPE_EXTENDED",)),
    case("not-added", S, {"type": "string", "not": {"enum": ["x"]}}, ("NOT_TYPE_EXTENDED",), ()),
    case(
        "then-narrowed",
        {"if": obj({"k": {"const": "a"}}), "then": {"required": ["x"]}},
        {"if": obj({"k": {"const": "a"}}), "then": {"required": ["x", "y"]}},
        (REQUIRED_ADDED,),
        (),
    ),
    case(
        "if-added",
        obj({"k": S}),
        {**obj({"k": S}), "if": obj({"k": {"const": "a"}}), "then": {"required": ["x"]}},
        ("SCHEMA_ADDED",),
        (),
    ),
    # --- keywords the declared draft does not know are ignored ------------------------------
    case("draft7-ignores-prefixItems", {"$schema": D7, **arr()}, {"$schema": D7, **arr(prefixItems=[S])}),
    case("draft4-ignores-const", {"$schema": D4, **S}, {"$schema": D4, **S, "const": "a"}),
    case(
        "draft2020-ignores-dependencies",
        {"$schema": D2020, **obj()},
        {"$schema": D2020, **obj(dependencies={"a": ["b"]})},
    ),
    case(
        "draft7-dependencies-to-2020-dependentRequired",
        {"$schema": D7, **obj(dependencies={"a": ["b"]})},
        {"$schema": D2020, **obj(dependentRequired={"a": ["b"]})},
    ),
    case(
        "draft7-to-2020-prefixItems-starts-to-apply",
        {"$schema": D7, **arr(prefixItems=[S])},
        {"$schema": D2020, **arr(prefixItems=[S])},
        ("ITEM_ADDED_TO_OPEN_CONTENT_MODEL",),
        (),
    ),
    # --- annotations and unknown keywords --------------------------------------------------------
    case(
        "annotations-changed",
        {"type": "string", "title": "a", "description": "b", "default": "c", "$id": "x"},
        {"type": "string", "title": "z", "description": "y", "default": "w", "$id": "v"},
    ),
    case(
        "unknown-keywords-ignored",
        {"type": "string", "x-owner": "a", "examples": ["a"]},
        {"type": "string", "x-owner": "b", "examples": ["b"], "$comment": "c"},
    ),
    case(
        "draft4-id-changed",
        {"$schema": D4, "id": "http://a/x.json", "type": "string"},
        {"$schema": D4, "id": "http://a/y.json", "type": "string"},
    ),
    case(
        "draft2019-schema-same-content",
        {"$schema": D2019, **obj({"a": S})},
        {"$schema": D2020, **obj({"a": S})},
    ),
]


POLICY_LABEL = {CompatibilityPolicy.STRICT: "STRICT", CompatibilityPolicy.LENIENT: "LENIENT"}


def _expected(item: Case, direction: str, policy: CompatibilityPolicy) -> tuple[str, ...]:
    if direction == "BACKWARD":
        lenient = item.backward_lenient
        strict = item.backward
    else:
        lenient = item.forward_lenient
        strict = item.forward
    if policy == CompatibilityPolicy.LENIENT and lenient is not None:
        return lenient
    return strict


CHECKS = [
    pytest.param(item, direction, policy, id=f"{item.id}-{direction}-{POLICY_LABEL[policy]}")
    for item in CASES
    for direction in ("BACKWARD", "FORWARD")
    for policy in (CompatibilityPolicy.STRICT, CompatibilityPolicy.LENIENT)
]


def test_the_table_is_large_and_its_ids_unique() -> None:
    assert len(CASES) >= 160
    assert len({item.id for item in CASES}) == len(CASES)


@pytest.mark.parametrize(("item", "direction", "policy"), CHECKS)
def test_compatibility_table(item: Case, direction: str, policy: CompatibilityPolicy) -> None:
    old, new = (item.old, item.new) if direction == "BACKWARD" else (item.new, item.old)

    violations = backward_violations(old, new, policy)

    assert {violation.type for violation in violations} == set(_expected(item, direction, policy)), [
        (violation.type, violation.path) for violation in violations
    ]


@pytest.mark.parametrize("item", [pytest.param(item, id=item.id) for item in CASES])
def test_a_schema_has_no_differences_with_itself(item: Case) -> None:
    assert differences(item.old, copy.deepcopy(item.old)) == []
    assert differences(item.new, item.new) == []


@pytest.mark.parametrize("item", [pytest.param(item, id=item.id) for item in CASES])
def test_inputs_are_not_modified(item: Case) -> None:
    old, new = copy.deepcopy(item.old), copy.deepcopy(item.new)
    backward_violations(old, new)
    differences(new, old, CompatibilityPolicy.LENIENT)
    assert (old, new) == (item.old, item.new)


# --- paths, messages and the shape of the results --------------------------------------------


def test_violation_carries_confluent_type_pointer_path_and_message() -> None:
    old = obj({"address": obj({"street": {"type": "string", "maxLength": 80}})})
    new = obj({"address": obj({"street": {"type": "string", "maxLength": 40}})})

    [violation] = backward_violations(old, new)

    assert isinstance(violation, Violation)
    assert violation.type == "MAX_LENGTH_DECREASED"
    assert violation.path == "#/properties/address/properties/street/maxLength"
    assert "#/properties/address/properties/street/maxLength" in violation.message
    assert "80 -> 40" in violation.message
    assert violation.version is None
    assert violation.to_dict() == {
        "type": violation.type,
        "path": violation.path,
        "message": violation.message,
    }


def test_root_changes_are_reported_at_the_root() -> None:
    [violation] = backward_violations(S, I)
    assert violation.path == "#/"


def test_required_paths_name_the_property() -> None:
    [violation] = backward_violations(obj({"a": S}), obj({"a": S}, required=["a"]))
    assert (violation.type, violation.path) == ("REQUIRED_ATTRIBUTE_ADDED", "#/required/a")


def test_path_segments_are_escaped_as_json_pointer() -> None:
    old = obj({"a/b~c": S}, additionalProperties=False)
    new = obj({}, additionalProperties=False)
    [violation] = backward_violations(old, new)
    assert violation.path == "#/properties/a~1b~0c"


def test_paths_follow_tuple_keywords_as_the_reader_spells_them() -> None:
    old = {"$schema": D2020, **arr(prefixItems=[S], items=S)}
    new = {"$schema": D2020, **arr(prefixItems=[S, N], items=S)}
    paths = {(v.type, v.path) for v in backward_violations(old, new)}
    assert paths == {
        ("TYPE_CHANGED", "#/prefixItems/1"),
        ("ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "#/prefixItems/1"),
    }


def test_combined_subschema_changes_are_addressed_by_the_writer_index() -> None:
    old = obj({"v": {"oneOf": [{"type": "string", "maxLength": 5}]}})
    new = obj({"v": {"oneOf": [B, N, {"type": "string", "maxLength": 8, "title": "text"}]}})
    found = {(d.type, d.path) for d in differences(old, new)}
    assert found == {
        ("SUM_TYPE_EXTENDED", "#/properties/v"),
        ("TITLE_CHANGED", "#/properties/v/oneOf/0"),
        ("MAX_LENGTH_INCREASED", "#/properties/v/oneOf/0/maxLength"),
    }


def test_differences_include_compatible_changes() -> None:
    assert differences(I, N) == [Difference(type="TYPE_EXTENDED", path="#/")]
    assert differences(obj({"a": S}), obj({"a": S, "b": S}), CompatibilityPolicy.LENIENT) == [
        Difference(type="PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", path="#/properties/b")
    ]


def test_a_change_inside_a_reference_is_reported_where_it_is_used() -> None:
    old = {"$defs": {"A": S}, **arr(items={"$ref": "#/$defs/A"})}
    new = {"$defs": {"A": N}, **arr(items={"$ref": "#/$defs/A"})}
    assert [(v.type, v.path) for v in backward_violations(old, new)] == [("TYPE_CHANGED", "#/items")]


def test_lenient_is_a_superset_of_strict() -> None:
    assert COMPATIBLE_CHANGES_STRICT < COMPATIBLE_CHANGES_LENIENT
    # Confluent's STRICT set already holds PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL.
    assert "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL" in COMPATIBLE_CHANGES_STRICT
    assert COMPATIBLE_CHANGES_LENIENT - COMPATIBLE_CHANGES_STRICT >= {
        "ADDITIONAL_PROPERTIES_NARROWED",
        "ADDITIONAL_PROPERTIES_REMOVED",
        "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    }


# --- robustness and performance ----------------------------------------------------------------

ODD_BUT_HARMLESS = [
    {"type": "strnig"},
    {"type": []},
    {"properties": 5},
    {"required": "a"},
    {"items": 3},
    {"enum": "x"},
    {"$ref": 5},
    {"$ref": "#/does/not/exist"},
    {"$ref": "#"},
    {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
    {"patternProperties": {"[unclosed": S, "\\p{L}": S}, "properties": {"[": S}},
    {"multipleOf": 0, "maximum": "ten", "minLength": -1},
    {"dependencies": {"a": 5, "b": ["c", 1]}, "dependentSchemas": {"x": True}},
    {"allOf": [], "anyOf": [], "oneOf": "no"},
    {"x-custom": {"type": "string"}},
    [],
    None,
]


@pytest.mark.parametrize("odd", ODD_BUT_HARMLESS, ids=lambda odd: repr(odd)[:40])
def test_odd_input_never_raises(odd: object) -> None:
    for other in (S, obj({"a": S}), odd, True, False):
        for policy in CompatibilityPolicy:
            backward_violations(odd, other, policy)
            backward_violations(other, odd, policy)
            differences(odd, other, policy)


def test_a_pure_reference_cycle_constrains_nothing() -> None:
    cycle = {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}
    assert backward_violations(S, cycle) == []


def test_deep_nesting_is_compared() -> None:
    def nested(depth: int, leaf: dict) -> dict:
        schema = leaf
        for _ in range(depth):
            schema = obj({"child": schema})
        return schema

    [violation] = backward_violations(nested(60, N), nested(60, I))
    assert violation.type == "TYPE_NARROWED"
    assert violation.path == "#/" + "/".join(["properties/child"] * 60)


def test_shared_definitions_are_compared_once() -> None:
    # Each level refers to the next one twice: unshared, the walk would take 2**40 steps.
    def chain(leaf: dict) -> dict:
        defs = {
            f"d{level}": obj({"l": {"$ref": f"#/$defs/d{level + 1}"}, "r": {"$ref": f"#/$defs/d{level + 1}"}})
            for level in range(40)
        }
        defs["d40"] = leaf
        return {"$defs": defs, "$ref": "#/$defs/d0"}

    started = time.perf_counter()
    violations = backward_violations(chain(N), chain(I))
    assert time.perf_counter() - started < 1.0
    assert {v.type for v in violations} == {"TYPE_NARROWED"}


def test_large_schemas_compare_quickly() -> None:
    old = obj({f"p{i}": {"type": "string", "maxLength": 10} for i in range(2000)}, additionalProperties=False)
    new = obj({f"p{i}": {"type": "string", "maxLength": 10} for i in range(2001)}, additionalProperties=False)
    started = time.perf_counter()
    for _ in range(10):
        assert backward_violations(old, new) == []
    assert time.perf_counter() - started < 2.0


# --- property-based soundness ------------------------------------------------------------------
#
# Whatever the engine calls BACKWARD compatible under STRICT must be: every document the old
# schema accepts, the new one accepts too.  (Two Confluent rules are deliberately unsound and
# kept out of the generator: a required property "with a default" counts as compatible, and
# oneOf's exclusivity is not analysed.)

NAMES = ["a", "b", "x_1", "S_2"]
SCALARS = [None, True, False, -3, 0, 1, 2, 5, 10, 2.5, 7.0, 100, "", "a", "abc", "abcdefgh", "S_", "x"]
SAMPLE_VALUES = [
    *SCALARS,
    [],
    ["a"],
    [1, 2],
    ["abc", "abc"],
    [1, "a"],
    {},
    {"a": 1},
    {"b": "x"},
    {"a": "abc", "b": 2},
]

scalar_values = st.sampled_from(SCALARS)
leaf_schemas = st.one_of(
    st.sampled_from([{"type": kind} for kind in ("string", "integer", "number", "boolean", "null", "array", "object")]),
    st.builds(lambda n: {"type": "string", "maxLength": n}, st.integers(0, 5)),
    st.builds(lambda n: {"type": "string", "minLength": n}, st.integers(0, 5)),
    st.builds(lambda n: {"maxLength": n}, st.integers(0, 5)),
    st.sampled_from([{"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "c$"}]),
    st.builds(lambda n: {"type": "integer", "minimum": n}, scalar_values.filter(lambda v: type(v) in (int, float))),
    st.builds(lambda n: {"type": "number", "maximum": n}, st.sampled_from([0, 2, 2.5, 10])),
    st.builds(lambda n: {"type": "number", "exclusiveMinimum": n}, st.sampled_from([0, 2, 2.5, 10])),
    st.builds(lambda n: {"type": "number", "multipleOf": n}, st.sampled_from([0.5, 1, 2, 5])),
    st.builds(lambda values: {"enum": values}, st.lists(scalar_values, min_size=1, max_size=3)),
    st.builds(lambda value: {"const": value}, scalar_values),
    st.sampled_from([{"type": ["string", "null"]}, {"type": ["integer", "string"]}, {}, True, False]),
)
sub_schemas = st.recursive(
    leaf_schemas,
    lambda inner: st.one_of(
        st.builds(lambda a, b: {"anyOf": [a, b]}, inner, inner),
        st.builds(lambda a, b: {"allOf": [a, b]}, inner, inner),
        st.builds(lambda a: {"not": a}, inner),
        st.builds(lambda items, limit: arr(items=items, **limit), inner, st.sampled_from([{}, {"maxItems": 1}])),
        st.builds(
            lambda prefix, rest: arr(prefixItems=prefix, **rest),
            st.lists(inner, max_size=2),
            st.sampled_from([{}, {"items": False}, {"items": S}]),
        ),
        st.builds(lambda contains: arr(contains=contains), inner),
    ),
    max_leaves=4,
)


def object_schemas(properties: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(
        lambda props, required, rest, patterns, typed, extra: {
            **({"type": "object"} if typed else {}),
            "properties": props,
            **({"required": required} if required else {}),
            **rest,
            **patterns,
            **extra,
        },
        st.dictionaries(st.sampled_from(NAMES), properties, max_size=3),
        st.lists(st.sampled_from(NAMES), max_size=2, unique=True),
        st.sampled_from(
            [
                {},
                {"additionalProperties": True},
                {"additionalProperties": False},
                {"additionalProperties": S},
                {"additionalProperties": I},
            ]
        ),
        st.sampled_from([{}, {"patternProperties": {"^x_": I}}, {"patternProperties": {"^x_": N, "^S_": S}}]),
        st.booleans(),
        st.sampled_from(
            [
                {},
                {"minProperties": 1},
                {"maxProperties": 2},
                {"dependentRequired": {"a": ["b"]}},
                {"propertyNames": {"maxLength": 2}},
                {"dependentSchemas": {"a": {"required": ["b"]}}},
            ]
        ),
    )


schemas = object_schemas(st.one_of(sub_schemas, object_schemas(leaf_schemas)))


@st.composite
def schema_pairs(draw: st.DrawFn) -> tuple[dict, dict]:
    """Two schemas; half the time the second is stitched from the first, so many pairs are compatible."""
    old, other = draw(schemas), draw(schemas)
    if draw(st.booleans()):
        return old, other
    new: dict = {}
    for keyword in {*old, *other}:
        if keyword == "properties":
            names = {*old["properties"], *other["properties"]}
            new["properties"] = {}
            for name in sorted(names):
                source = draw(st.sampled_from([old, old, other, None]))
                if source is not None and name in source["properties"]:
                    new["properties"][name] = source["properties"][name]
            continue
        source = draw(st.sampled_from([old, old, other, None]))
        if source is not None and keyword in source:
            new[keyword] = source[keyword]
    return old, new


@functools.cache
def _values_valid_under_json(schema_json: str) -> list[object]:
    validator = jsonschema.Draft202012Validator(json.loads(schema_json))
    return [value for value in SAMPLE_VALUES if validator.is_valid(value)]


def _values_valid_under(schema: object) -> list[object]:
    return _values_valid_under_json(json.dumps(schema, sort_keys=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(schema_pairs(), st.data())
def test_compatible_means_every_old_document_stays_valid(pair: tuple[dict, dict], data: st.DataObject) -> None:
    old, new = pair
    if backward_violations(old, new):
        return
    old_validator = jsonschema.Draft202012Validator(old)
    new_validator = jsonschema.Draft202012Validator(new)
    for _ in range(6):
        # Build documents from values each declared property accepts, so many are valid.
        document = {}
        for name, sub in old["properties"].items():
            choices = _values_valid_under(sub)
            if choices and data.draw(st.booleans()):
                document[name] = data.draw(st.sampled_from(choices))
        for name in data.draw(st.lists(st.sampled_from(["x_1", "S_2", "zz"]), max_size=2)):
            document[name] = data.draw(st.sampled_from(SAMPLE_VALUES))
        if old_validator.is_valid(document):
            assert new_validator.is_valid(document), document


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.one_of(sub_schemas, schemas), st.one_of(sub_schemas, schemas))
def test_compatible_means_every_sample_value_stays_valid(old: object, new: object) -> None:
    if backward_violations(old, new):
        return
    old_validator = jsonschema.Draft202012Validator(old)
    new_validator = jsonschema.Draft202012Validator(new)
    for value in [
        *SAMPLE_VALUES,
        *([value] for value in SAMPLE_VALUES),
        *({"a": value} for value in SAMPLE_VALUES),
    ]:
        if old_validator.is_valid(value):
            assert new_validator.is_valid(value), value


@settings(max_examples=150, deadline=None, derandomize=True)
@given(schemas)
def test_every_schema_is_compatible_with_itself(schema: dict) -> None:
    for policy in CompatibilityPolicy:
        assert backward_violations(schema, copy.deepcopy(schema), policy) == []
