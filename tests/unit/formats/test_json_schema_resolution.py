"""Schemas the ``referencing`` library trips over while crawling them for ``$id``s and anchors
(issue 12, item 11): valid ones are accepted and work, the others are InvalidSchema naming
where, never an exception of the library."""

from __future__ import annotations

import pytest

from registry.domain.errors import InvalidSchema
from registry.domain.formats.base import Dependency
from registry.domain.formats.json_schema import JsonSchemaHandler, compile_validator, parse_schema

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT6 = "http://json-schema.org/draft-06/schema#"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"

# The shape of SchemaStore's tmlanguage.json: `dependencies` mixing subschemas and lists of
# property names, a subschema first (the library then crawls the lists as subschemas too).
TMLANGUAGE_DEPENDENCIES = {
    "begin": {"anyOf": [{"required": ["end"]}, {"required": ["while"]}]},
    "end": ["begin"],
    "while": ["begin"],
    "contentName": {"anyOf": [{"required": ["begin", "end"]}, {"required": ["begin", "while"]}]},
    "endCaptures": ["begin", "end"],
}


def tmlanguage_like(draft: str) -> dict[str, object]:
    return {
        "$schema": draft,
        "definitions": {
            "pattern": {
                "type": "object",
                "properties": {"begin": {"type": "string"}, "patterns": {"items": {"$ref": "#/definitions/pattern"}}},
                "dependencies": TMLANGUAGE_DEPENDENCIES,
            }
        },
        "$ref": "#/definitions/pattern",
    }


def problems_of(schema: object, dependencies: tuple[Dependency, ...] = ()) -> list[tuple[str, str]]:
    with pytest.raises(InvalidSchema) as caught:
        JsonSchemaHandler().parse(schema, dependencies)
    return [(problem.location, problem.message) for problem in caught.value.problems]


@pytest.mark.parametrize("draft", [DRAFT4, DRAFT6, DRAFT7])
def test_dependencies_mixing_subschemas_and_property_lists_are_accepted_and_validate(draft: str) -> None:
    schema = tmlanguage_like(draft)
    validator = compile_validator(JsonSchemaHandler().parse(schema).document)
    assert validator.validate({"begin": "(", "end": ")", "patterns": [{"begin": "x", "while": "y"}]}) == []
    assert [issue.keyword for issue in validator.validate({"end": ")"})] == ["dependencies"]  # needs begin
    assert [issue.keyword for issue in validator.validate({"begin": "("})] == ["anyOf"]  # needs end or while
    nested = validator.validate({"begin": "(", "end": ")", "patterns": [{"endCaptures": {}}]})
    assert [issue.path for issue in nested] == ["/patterns/0", "/patterns/0"]  # needs begin and end


@pytest.mark.parametrize("draft", [DRAFT6, DRAFT7])
def test_an_id_in_dependencies_after_a_property_list_is_found(draft: str) -> None:
    """The library skips every subschema of ``dependencies`` when its first value is a list."""
    schema = {
        "$schema": draft,
        "dependencies": {"a": ["b"], "b": {"$id": "http://example.com/b.json", "type": "object"}},
        "properties": {"c": {"$ref": "http://example.com/b.json"}},
    }
    validator = compile_validator(parse_schema(schema))
    assert validator.validate({"c": {}}) == []
    assert [issue.path for issue in validator.validate({"c": 1})] == ["/c"]


@pytest.mark.parametrize(
    ("schema", "location"),
    [
        ({"$schema": DRAFT7, "$id": "http://[::1"}, ""),
        ({"$id": "http://[::1"}, ""),
        ({"$schema": DRAFT4, "id": "http://[::1"}, ""),
        (
            {"$schema": DRAFT7, "properties": {"a": {"$id": "http://[::1", "properties": {"b": {"$id": "c"}}}}},
            "/properties/a",
        ),
        ({"properties": {"a": {"$id": "http://[::1", "items": {"$id": "c"}}}}, "/properties/a"),
        ({"$schema": DRAFT7, "$defs": {"a": {"$id": "http://[::1"}}}, "/$defs/a"),  # not crawled in draft-07
    ],
)
def test_an_identifier_that_is_no_uri_reference_is_invalid_where_it_is(schema: object, location: str) -> None:
    [(where, message)] = problems_of(schema)
    assert where == location
    assert "'http://[::1'" in message and "URI" in message


def test_a_referenced_schema_read_in_another_dialect_is_invalid_not_a_crash() -> None:
    """Referenced schemas were checked in their own dialect (here 2020-12, where ``id`` and
    ``dependencies`` mean nothing); read in the referencing schema's, the library trips."""
    for draft, referenced in [
        (DRAFT4, '{"properties": {"a": {"id": 5}}}'),
        (DRAFT7, '{"dependencies": {"a": {}, "b": "x"}}'),
        (DRAFT7, '{"properties": {"a": {"$id": 5}}}'),
    ]:
        problems = problems_of({"$schema": draft, "$ref": "other.json"}, (Dependency("other.json", referenced),))
        assert problems and all(location.startswith("other.json#") for location, _ in problems), problems


def test_an_identifier_of_the_wrong_type_next_to_references_is_invalid_not_a_crash() -> None:
    problems = problems_of({"$schema": DRAFT7, "$id": 5}, (Dependency("other.json", "{}"),))
    assert ("/$id", "5 is not of type 'string'") in problems


def test_a_reference_name_urllib_cannot_parse_is_no_crash() -> None:
    schema = {"$id": "http://example.com/a.json", "$ref": "other.json"}
    problems = problems_of(schema, (Dependency("http://[::1", "{}"),))
    assert [location for location, _ in problems] == ["/$ref"]


def test_a_ref_that_is_no_string_is_invalid_in_draft_04() -> None:
    """Draft-04's metaschema says nothing of ``$ref``; validation would crash on a number."""
    assert problems_of({"$schema": DRAFT4, "properties": {"a": {"$ref": 5}}}) == [
        ("/properties/a/$ref", "$ref must be a string")
    ]
