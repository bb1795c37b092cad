"""The compiled metaschema check gives jsonschema's verdicts, and invalid schemas get the
problems jsonschema's full metaschema validation reports (issue 12, item 2)."""

from __future__ import annotations

from typing import Any

import hypothesis
import jsonschema.validators
import pytest
from hypothesis import strategies as st

from registry.domain.formats.json_schema import parsing
from registry.domain.formats.json_schema.dialects import Dialect, lookup_dialect
from registry.domain.formats.json_schema.metaschema import MetaschemaRules, compile_metaschema
from registry.domain.formats.json_schema.reporting import json_pointer
from registry.domain.model import SchemaProblem

STOCK: dict[str, type[Any]] = {
    "http://json-schema.org/draft-04/schema#": jsonschema.validators.Draft4Validator,
    "http://json-schema.org/draft-06/schema#": jsonschema.validators.Draft6Validator,
    "http://json-schema.org/draft-07/schema#": jsonschema.validators.Draft7Validator,
    "https://json-schema.org/draft/2019-09/schema": jsonschema.validators.Draft201909Validator,
    "https://json-schema.org/draft/2020-12/schema": jsonschema.validators.Draft202012Validator,
}


def dialect(uri: str) -> Dialect:
    found = lookup_dialect(uri)
    assert found is not None
    return found


def reference_problems(document: object, uri: str) -> list[SchemaProblem]:
    """What parse_schema reported before the compiled check: jsonschema's stock metaschema
    validation of the whole document, worded and deduplicated the same way."""
    problems: list[SchemaProblem] = []
    seen: set[tuple[str, str]] = set()
    for error in STOCK[uri](STOCK[uri].META_SCHEMA).iter_errors(document):
        problem = (json_pointer(error.absolute_path), parsing._readable_metaschema_error(error))
        if problem not in seen:
            seen.add(problem)
            problems.append(SchemaProblem(location=problem[0], message=problem[1]))
    return problems[:100]


TYPE_NAMES = ["array", "boolean", "integer", "null", "number", "object", "string"]
KEYWORDS = sorted(
    {
        name
        for stock in STOCK.values()
        for schema in [stock.META_SCHEMA]
        for name in [*stock.VALIDATORS, *schema.get("properties", {})]
    }
    | {
        "$anchor",
        "$dynamicAnchor",
        "$recursiveAnchor",
        "$vocabulary",
        "$defs",
        "definitions",
        "contentSchema",
        "dependentSchemas",
        "dependentRequired",
        "unevaluatedItems",
        "unevaluatedProperties",
        "deprecated",
        "id",
    }
    - {"$schema"}
)
names = st.sampled_from([*KEYWORDS, "a", "b", "x-vendor"])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=3),
    st.sampled_from([0.5, 1.0, -1.5, 2.0]),
    st.sampled_from([*TYPE_NAMES, "", "a", "^a+$", "#foo", "foo", "http://x/y#", "a b", "meta", "#"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(names, children, max_size=4),
        st.lists(st.sampled_from([*TYPE_NAMES, "a"]), max_size=3),  # type and string arrays, with duplicates
    ),
    max_leaves=14,
)


def well_formed(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Schema objects whose keywords mostly hold what the drafts expect; a few ``children``
    are arbitrary values (``json_values``), so problems sit at every depth."""
    child = st.one_of(children, children, children, json_values)
    some = st.lists(child, min_size=1, max_size=2)
    map_of = st.dictionaries(st.sampled_from("abc"), child, max_size=3)
    type_names = st.sampled_from(TYPE_NAMES)
    return st.fixed_dictionaries(
        {},
        optional={
            "type": type_names | st.lists(type_names, min_size=1, max_size=3, unique=True),
            "properties": map_of,
            "patternProperties": map_of,
            "additionalProperties": child,
            "items": child | some,
            "prefixItems": some,
            "additionalItems": child,
            "contains": child,
            "allOf": some,
            "anyOf": some,
            "oneOf": some,
            "not": child,
            "if": child,
            "then": child,
            "else": child,
            "$defs": map_of,
            "definitions": map_of,
            "dependencies": st.dictionaries(st.sampled_from("abc"), child | st.lists(st.sampled_from("ab"))),
            "dependentSchemas": map_of,
            "propertyNames": child,
            "unevaluatedProperties": child,
            "required": st.lists(st.sampled_from("abc"), unique=True, max_size=3),
            "enum": st.lists(scalars, min_size=1, max_size=4, unique_by=lambda value: (type(value), value)),
            "const": json_values,
            "minimum": st.integers(-3, 3) | st.floats(-2, 2, allow_nan=False),
            "exclusiveMinimum": st.booleans() | st.integers(-1, 1),
            "minLength": st.integers(0, 3),
            "multipleOf": st.sampled_from([0.5, 2, 1.0]),
            "pattern": st.sampled_from(["^a", "b+", "[0-9]{2}"]),
            "format": st.sampled_from(["date", "email", "x"]),
            "$id": st.sampled_from(["http://example.com/a", "#frag", "b.json"]),
            "$anchor": st.sampled_from(["a1", "1a", "_x"]),
            "$comment": st.just("c"),
            "title": st.just("t"),
            "default": json_values,
        },
    )


schema_like = st.one_of(
    st.booleans(),
    st.dictionaries(names, json_values, max_size=6),
    st.recursive(st.booleans() | st.just({}), well_formed, max_leaves=10),
)


def sorting_blind_spot(value: object) -> bool:
    """An array holding arrays or objects with booleans in them: jsonschema's ``uniqueItems``
    sorts such items (Python orders True like 1) and can miss equal ones ([[1], [True], [1.0]]),
    where the compiled check follows JSON Schema's equality."""
    if isinstance(value, dict):
        return any(sorting_blind_spot(member) for member in value.values())
    if isinstance(value, list):
        nested = [item for item in value if isinstance(item, list | dict)]
        return any(holds_boolean(item) for item in nested) or any(sorting_blind_spot(item) for item in value)
    return False


def holds_boolean(value: object) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, dict):
        return any(holds_boolean(member) for member in value.values())
    if isinstance(value, list):
        return any(holds_boolean(item) for item in value)
    return False


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(document=schema_like)
def test_the_compiled_check_gives_jsonschemas_verdict(document: Any) -> None:
    hypothesis.assume(not sorting_blind_spot(document))
    for uri, stock in STOCK.items():
        assert dialect(uri).metaschema_check(document, None) == stock(stock.META_SCHEMA).is_valid(document), uri


@hypothesis.settings(max_examples=100, deadline=None)
@hypothesis.given(document=schema_like)
def test_invalid_schemas_get_the_problems_of_a_full_validation(document: Any) -> None:
    hypothesis.assume(not sorting_blind_spot(document))
    for uri in STOCK:
        assert parsing._metaschema_problems(document, dialect(uri)) == reference_problems(document, uri), uri


VALID_EXAMPLES = [
    {"type": "object", "properties": {"a": {"type": ["string", "null"]}}, "required": ["a"]},
    {"items": [{"type": "string"}, {}], "additionalItems": False},
    {"allOf": [{"minimum": 0}], "anyOf": [True], "oneOf": [{}], "not": {"enum": [1, "1"]}},
    {"dependencies": {"a": ["b"], "c": {"required": ["d"]}}, "patternProperties": {"^x-": {}}},
    {"multipleOf": 0.5, "maxLength": 3, "minLength": 1.0, "exclusiveMinimum": 0},
    {"$defs": {"a": {"$anchor": "a1", "$dynamicAnchor": "b"}}, "$ref": "#/$defs/a", "prefixItems": [{}]},
]


@pytest.mark.parametrize("uri", STOCK)
@pytest.mark.parametrize("document", VALID_EXAMPLES)
def test_hand_picked_schemas_get_jsonschemas_verdict(uri: str, document: dict[str, Any]) -> None:
    stock = STOCK[uri](STOCK[uri].META_SCHEMA)
    assert dialect(uri).metaschema_check(document, None) == stock.is_valid(document)
    assert parsing._metaschema_problems(document, dialect(uri)) == reference_problems(document, uri)


def test_compiling_refuses_a_metaschema_keyword_it_does_not_implement() -> None:
    stock = jsonschema.validators.Draft7Validator
    rules = MetaschemaRules(
        keywords=frozenset(stock.VALIDATORS),
        ref_overrides_siblings=True,
        integral_floats_are_integers=True,
        boolean_exclusive_minimum=False,
        root_reference=("$ref", "#"),
    )
    resolver = jsonschema.validators.Draft7Validator({}).evolve(schema={})._resolver
    with pytest.raises(ValueError, match="maxLength"):
        compile_metaschema({"properties": {"a": {"maxLength": 3}}}, resolver, rules)
