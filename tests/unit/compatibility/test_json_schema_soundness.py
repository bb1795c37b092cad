"""An independent check of the JSON Schema engine: whenever it calls a change BACKWARD
compatible under the STRICT policy, every document valid under the old schema must be
valid under the new one. Documents come from hypothesis-jsonschema, pairs from
mutating base schemas, so neither depends on our reading of Confluent's tables.

(LENIENT deliberately accepts some unsound changes, such as adding a property to an
open content model, so only STRICT is held to this.)
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from registry.domain.compatibility.json_schema import backward_violations
from registry.domain.model import CompatibilityPolicy

BASES: list[dict[str, Any]] = [
    {"type": "object", "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}, "required": ["id"]},
    {"type": "object", "properties": {"id": {"type": "string", "maxLength": 8}}, "additionalProperties": False},
    {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3}}},
    {
        "type": "object",
        "properties": {"kind": {"enum": ["a", "b"]}, "score": {"type": "number", "minimum": 0}},
        "required": ["kind"],
    },
    {"type": "array", "items": {"type": "integer", "maximum": 100}},
    {"type": ["string", "null"], "minLength": 1},
    {"type": "object", "properties": {"p": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
    {"anyOf": [{"type": "string"}, {"type": "integer"}]},
]

Mutation = Callable[[dict[str, Any]], None]


def _props(schema: dict[str, Any]) -> dict[str, Any]:
    return schema.setdefault("properties", {})


MUTATIONS: dict[str, Mutation] = {
    "add-required": lambda s: s.__setitem__("required", sorted({*s.get("required", []), "id"})),
    "drop-required": lambda s: s.pop("required", None),
    "add-optional-property": lambda s: _props(s).__setitem__("extra", {"type": "boolean"}),
    "close-model": lambda s: s.__setitem__("additionalProperties", False),
    "open-model": lambda s: s.pop("additionalProperties", None),
    "widen-type": lambda s: (
        s.__setitem__("type", ["string", "integer", "array", "object", "null", "number"]) if "type" in s else None
    ),
    "narrow-type": lambda s: s.__setitem__("type", "object") if "type" in s else None,
    "integer-to-number": lambda s: (
        s.get("items", {}).__setitem__("type", "number") if isinstance(s.get("items"), dict) else None
    ),
    "number-to-integer": lambda s: _props(s).get("score", {}).__setitem__("type", "integer"),
    "grow-enum": lambda s: _props(s).get("kind", {}).__setitem__("enum", ["a", "b", "c"]),
    "shrink-enum": lambda s: _props(s).get("kind", {}).__setitem__("enum", ["a"]),
    "tighten-max-length": lambda s: _props(s).get("id", {}).__setitem__("maxLength", 2),
    "relax-max-length": lambda s: _props(s).get("id", {}).pop("maxLength", None),
    "add-min-length": lambda s: s.__setitem__("minLength", 3) if s.get("type") == ["string", "null"] else None,
    "raise-minimum": lambda s: _props(s).get("score", {}).__setitem__("minimum", 10),
    "lower-maximum": lambda s: (
        s.get("items", {}).__setitem__("maximum", 5) if isinstance(s.get("items"), dict) else None
    ),
    "drop-max-items": lambda s: _props(s).get("tags", {}).pop("maxItems", None),
    "lower-max-items": lambda s: _props(s).get("tags", {}).__setitem__("maxItems", 1),
    "property-type-change": lambda s: _props(s).__setitem__("id", {"type": "integer"}) if "id" in _props(s) else None,
    "remove-property": lambda s: _props(s).pop("n", None),
    "additional-schema-narrowed": lambda s: (
        s.__setitem__("additionalProperties", {"type": "integer", "maximum": 1})
        if isinstance(s.get("additionalProperties"), dict)
        else None
    ),
    "anyof-branch-added": lambda s: s["anyOf"].append({"type": "null"}) if "anyOf" in s else None,
    "anyof-branch-removed": lambda s: s["anyOf"].pop() if "anyOf" in s else None,
    "add-pattern": lambda s: _props(s).get("id", {}).__setitem__("pattern", "^x"),
}


@st.composite
def schema_pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    old = copy.deepcopy(draw(st.sampled_from(BASES)))
    new = copy.deepcopy(old)
    names = draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3, unique=True))
    for name in names:
        MUTATIONS[name](new)
    return old, new, names


@pytest.mark.slow  # 300 generated pairs: 9 s to 27 s here
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pair=schema_pairs(), data=st.data())
def test_backward_compatible_means_old_documents_still_validate(pair, data):
    old, new, mutations = pair
    assume(not backward_violations(old, new, CompatibilityPolicy.STRICT))
    reader = jsonschema.Draft202012Validator(new)
    for _ in range(5):
        document = data.draw(from_schema(old), label="document valid under the old schema")
        assert reader.is_valid(document), (
            f"engine said compatible after {mutations}, but the new schema rejects {document!r}"
        )


def test_the_generator_produces_both_verdicts():
    """Guard against a vacuous property: the mutations must yield compatible and incompatible pairs."""
    verdicts = set()
    for base in BASES:
        for mutation in MUTATIONS.values():
            new = copy.deepcopy(base)
            mutation(new)
            verdicts.add(not backward_violations(base, new, CompatibilityPolicy.STRICT))
    assert verdicts == {True, False}
