"""Resolving references without crawling documents that declare no ids or anchors below
their root (issue 12, item 2: crawling cost a few µs per schema object, twice per schema)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from registry.domain.formats.json_schema import compile_validator, parse_schema
from registry.domain.formats.json_schema.dialects import dialect_of, resolver_for
from tests.support.work import function_calls_at_most

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2019 = "https://json-schema.org/draft/2019-09/schema"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"


def large(dialect: str, more_properties: dict[str, Any] | None = None, **root: Any) -> dict[str, Any]:
    properties = {f"p{number}": {"type": "string"} for number in range(20_000)} | (more_properties or {})
    schema = {"$schema": dialect, **root, "properties": properties, "$defs": {"d": {"type": "integer"}}}
    parsed: dict[str, Any] = orjson.loads(orjson.dumps(schema))
    return parsed


@pytest.mark.parametrize(
    "schema",
    [
        large(DRAFT2020),
        large(DRAFT2020, **{"$id": "https://example.com/s", "$anchor": "top", "$dynamicAnchor": "meta"}),
        large(DRAFT2019, **{"$id": "https://example.com/s", "$anchor": "top"}),
        large(DRAFT7, **{"$id": "https://example.com/s"}),
        large(DRAFT4, id="https://example.com/s"),
        # A property named like an identifier keyword declares nothing.
        large(DRAFT4, {"id": {"type": "string"}, "$id": {}, "$anchor": {}}),
        large(DRAFT2020, {"id": {"type": "string"}, "$id": {}, "$anchor": {}}),
    ],
)
def test_a_document_without_identifiers_below_its_root_is_not_crawled(schema: dict[str, Any]) -> None:
    with function_calls_at_most(2_000):
        resolver = resolver_for(schema, dialect_of(schema))
    assert resolver.lookup("#/$defs/d").contents is schema["$defs"]["d"]
    assert resolver.lookup("#/properties/p7").contents is schema["properties"]["p7"]
    for keyword, value in schema.items():
        if keyword in ("$id", "id"):
            assert resolver.lookup(value).contents is schema
        if keyword == "$anchor":
            assert resolver.lookup(f"#{value}").contents is schema


@pytest.mark.parametrize(
    ("schema", "instance", "valid"),
    [
        # Identifiers below the root: the document is crawled, and references reach them.
        ({"$defs": {"a": {"$anchor": "name", "type": "string"}}, "$ref": "#name"}, 1, False),
        ({"$defs": {"a": {"$anchor": "name", "type": "string"}}, "$ref": "#name"}, "x", True),
        (
            {"$defs": {"a": {"$id": "https://example.com/a", "type": "string"}}, "$ref": "https://example.com/a"},
            1,
            False,
        ),
        ({"$schema": DRAFT4, "definitions": {"a": {"id": "#name", "type": "string"}}, "$ref": "#name"}, 1, False),
        (
            {
                "$schema": DRAFT7,
                "definitions": {"a": {"$id": "http://example.com/a.json", "type": "string"}},
                "properties": {"x": {"$ref": "http://example.com/a.json"}},
            },
            {"x": 1},
            False,
        ),
        # 2020-12 dynamic anchors at the root only: read without a crawl.
        (
            {
                "$dynamicAnchor": "node",
                "type": "object",
                "properties": {"child": {"$dynamicRef": "#node"}},
                "required": ["v"],
            },
            {"v": 1, "child": {"child": {}}},
            False,
        ),
    ],
)
def test_references_to_identifiers_resolve_as_before(schema: dict[str, Any], instance: object, valid: bool) -> None:
    assert (compile_validator(parse_schema(schema)).validate(instance) == []) is valid
