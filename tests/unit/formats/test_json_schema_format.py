"""The JSON Schema format module: schema checks, normalisation and document validation."""

from __future__ import annotations

import copy
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from registry.domain.errors import InvalidSchema, SchemaTooLarge
from registry.domain.formats.json_schema import (
    ANNOTATION_KEYWORDS,
    JsonSchemaHandler,
    Limits,
    canonical_text,
    compile_validator,
    dialects,
    ecma_regex,
    parse_schema,
    parsing,
    strip_annotations,
    translate_ecma_regex,
)
from registry.domain.model import ValidationIssue

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT6 = "http://json-schema.org/draft-06/schema#"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2019 = "https://json-schema.org/draft/2019-09/schema"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"

# Fails in about PATTERN_MATCH_TIMEOUT_SECONDS in the regex engine (exponential backtracking).
CATASTROPHIC_PATTERN = "^(a|aa)+$"
CATASTROPHIC_VALUE = "a" * 5000 + "!"


def problems_of(document: object) -> list[tuple[str, str]]:
    with pytest.raises(InvalidSchema) as caught:
        parse_schema(document)
    assert caught.value.problems, "InvalidSchema must say where"
    return [(problem.location, problem.message) for problem in caught.value.problems]


def locations_of(document: object) -> list[str]:
    return [location for location, _ in problems_of(document)]


def issues(schema: object, instance: object, max_errors: int = 100) -> list[ValidationIssue]:
    return compile_validator(parse_schema(schema)).validate(instance, max_errors=max_errors)


def is_valid(schema: object, instance: object) -> bool:
    return issues(schema, instance) == []


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network must never be used")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# --------------------------------------------------------------------------------------
# parse_schema: accepted documents and dialects
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("document", [True, False, {}, {"type": "string"}])
def test_parse_returns_the_document_itself(document: object) -> None:
    assert parse_schema(document) is document


@pytest.mark.parametrize("document", [None, 1, "string", [], [{"type": "string"}]])
def test_a_schema_must_be_an_object_or_boolean(document: object) -> None:
    assert locations_of(document) == [""]


@pytest.mark.parametrize(
    "path",
    [
        "json-schema.org/draft-04/schema",
        "json-schema.org/draft-06/schema",
        "json-schema.org/draft-07/schema",
        "json-schema.org/draft/2019-09/schema",
        "json-schema.org/draft/2020-12/schema",
    ],
)
@pytest.mark.parametrize("scheme", ["http://", "https://"])
@pytest.mark.parametrize("fragment", ["", "#"])
def test_known_dialects_in_every_spelling(path: str, scheme: str, fragment: str) -> None:
    document = {"$schema": scheme + path + fragment, "type": "object"}
    assert parse_schema(document) is document


@pytest.mark.parametrize(
    "uri",
    ["http://json-schema.org/draft-03/schema#", "https://example.com/my-dialect", "draft-07", "", 7],
)
def test_unknown_schema_uri_is_rejected(uri: object) -> None:
    assert locations_of({"$schema": uri}) == ["/$schema"]


def test_dialect_defaults_to_2020_12() -> None:
    # prefixItems is only a keyword in 2020-12, so only there must it hold schemas.
    assert locations_of({"prefixItems": {}}) == ["/prefixItems"]
    parse_schema({"$schema": DRAFT7, "prefixItems": {}})


# --------------------------------------------------------------------------------------
# parse_schema: metaschema violations, per draft, with their pointer
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "document", "location"),
    [
        (DRAFT4, {"properties": {"age": {"type": "integer1"}}}, "/properties/age/type"),
        (
            DRAFT4,
            {"properties": {"age": {"maximum": 5, "exclusiveMaximum": 3}}},
            "/properties/age/exclusiveMaximum",
        ),
        (DRAFT4, {"items": [{"type": "string"}, 1]}, "/items"),
        (DRAFT6, {"properties": {"age": {"exclusiveMaximum": True}}}, "/properties/age/exclusiveMaximum"),
        (DRAFT6, {"contains": 3}, "/contains"),
        (DRAFT7, {"required": "name"}, "/required"),
        (DRAFT7, {"if": "yes"}, "/if"),
        (DRAFT7, {"definitions": {"a": {"minLength": -1}}}, "/definitions/a/minLength"),
        (DRAFT2019, {"minLength": 1.5}, "/minLength"),
        (DRAFT2019, {"dependentRequired": {"a": "b"}}, "/dependentRequired/a"),
        (DRAFT2020, {"prefixItems": {}}, "/prefixItems"),
        (DRAFT2020, {"$defs": {"a": {"type": ["string", "string"]}}}, "/$defs/a/type"),
        (DRAFT2020, {"properties": {"a/b": {"minimum": "0"}}}, "/properties/a~1b/minimum"),
        (DRAFT2020, {"properties": {"m~n": {"enum": 1}}}, "/properties/m~0n/enum"),
    ],
)
def test_metaschema_violation_points_at_the_keyword(dialect: str, document: dict, location: str) -> None:
    assert location in locations_of({"$schema": dialect, **document})


def test_metaschema_message_names_the_allowed_values() -> None:
    [(location, message)] = problems_of({"properties": {"age": {"type": "integer1"}}})
    assert location == "/properties/age/type"
    assert "'integer1'" in message and "'integer'" in message


def test_all_metaschema_violations_are_reported_once_each() -> None:
    locations = locations_of({"minLength": -1, "properties": {"a": {"type": "nope"}, "b": {"required": 3}}})
    assert sorted(locations) == ["/minLength", "/properties/a/type", "/properties/b/required"]


# --------------------------------------------------------------------------------------
# parse_schema: limits and plain JSON data
# --------------------------------------------------------------------------------------


def nested_properties(levels: int) -> dict:
    schema: dict = {"type": "string"}
    for _ in range(levels):
        schema = {"properties": {"a": schema}}
    return schema


def test_depth_limit_raises_schema_too_large() -> None:
    parse_schema(nested_properties(5), Limits(max_depth=11))
    with pytest.raises(SchemaTooLarge) as caught:
        parse_schema(nested_properties(6), Limits(max_depth=11))
    assert caught.value.problems[0].location.startswith("/properties/a/properties/a")


@pytest.mark.parametrize(
    ("innermost", "deepest"),
    [({}, "/not" * 11), ({"type": "string"}, "/not" * 11), ({"default": [[]]}, "/not" * 11 + "/default/0")],
)
def test_depth_limit_counts_empty_containers_too(innermost: object, deepest: str) -> None:
    document: object = innermost
    for _ in range(11):
        document = {"not": document}
    depth = deepest.count("/") + 1
    parse_schema(document, Limits(max_depth=depth))
    with pytest.raises(SchemaTooLarge) as caught:
        parse_schema(document, Limits(max_depth=depth - 1))
    assert caught.value.problems[0].location == deepest


def test_default_depth_limit_rejects_a_deep_document_without_recursion_error() -> None:
    document: dict = {}
    for _ in range(5000):
        document = {"not": document}
    with pytest.raises(SchemaTooLarge):
        parse_schema(document)


@pytest.mark.parametrize("levels", [254, 300, 1000])
def test_the_handler_names_the_depth_limit_for_a_schema_deeper_than_orjson_writes(levels: int) -> None:
    """orjson writes at most 254 levels; the parsed document must not reach it unchecked."""
    document: dict = {}
    for _ in range(levels):
        document = {"not": document}
    for given in (document, '{"not":' * levels + "{}" + "}" * levels):
        with pytest.raises(SchemaTooLarge, match="nested more than 64 levels"):
            JsonSchemaHandler().parse(given)


def test_node_limit_raises_schema_too_large() -> None:
    document = {"enum": list(range(20))}
    parse_schema(document, Limits(max_nodes=22))
    with pytest.raises(SchemaTooLarge) as caught:
        parse_schema(document, Limits(max_nodes=21))
    assert isinstance(caught.value, InvalidSchema)  # callers catching InvalidSchema still see it


@pytest.mark.parametrize(
    ("document", "location"),
    [
        ({"minimum": float("nan")}, "/minimum"),
        ({"maximum": float("inf")}, "/maximum"),
        ({"maximum": 2**70}, "/maximum"),
        ({"enum": [(1, 2)]}, "/enum/0"),
        ({"properties": {1: {}}}, "/properties"),
        ({"properties": {"a/b": {"enum": [1, [2, {"x": 2**64}]]}}}, "/properties/a~1b/enum/1/1/x"),
        ({"$defs": {"a": {"const": [None, "s", True, 1.5, float("-inf")]}}}, "/$defs/a/const/4"),
    ],
)
def test_values_json_cannot_carry_are_rejected(document: dict, location: str) -> None:
    assert locations_of(document) == [location]


# --------------------------------------------------------------------------------------
# parse_schema: $ref
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    [
        "https://example.com/person.json",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "other.json",
        "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
        "//example.com/x",
    ],
)
def test_remote_refs_are_refused_without_fetching(ref: str, no_network: None) -> None:
    [(location, message)] = problems_of({"properties": {"a": {"$ref": ref}}})
    assert location == "/properties/a/$ref"
    assert "remote" in message


def test_remote_ref_in_an_unchecked_schema_is_an_issue_not_a_fetch(no_network: None) -> None:
    validator = compile_validator({"properties": {"a": {"$ref": "https://example.com/x.json"}}})
    [issue] = validator.validate({"a": 1})
    assert issue.keyword == "$ref"


@pytest.mark.parametrize(
    ("document", "location"),
    [
        ({"properties": {"a": {"$ref": "#/$defs/missing"}}, "$defs": {}}, "/properties/a/$ref"),
        (
            {"items": {"$ref": "#/definitions/a/type/nope"}, "definitions": {"a": {"type": "string"}}},
            "/items/$ref",
        ),
        ({"$ref": "#no-such-anchor"}, "/$ref"),
        ({"$schema": DRAFT7, "definitions": {"x": {"$ref": "#/definitions/y"}}}, "/definitions/x/$ref"),
        ({"$schema": DRAFT2020, "$dynamicRef": "#missing"}, "/$dynamicRef"),
    ],
)
def test_local_refs_must_resolve(document: dict, location: str) -> None:
    assert locations_of(document) == [location]


@pytest.mark.parametrize(
    "document",
    [
        {"properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {"type": "string"}}},
        {"properties": {"a": {"$ref": "#/definitions/a"}}, "definitions": {"a": {"type": "string"}}},
        {"properties": {"a": {"$ref": "#name"}}, "$defs": {"a": {"$anchor": "name"}}},
        {
            "$id": "https://example.com/root.json",
            "$ref": "https://example.com/root.json#/$defs/a",
            "$defs": {"a": {"type": "string"}},
        },
        {
            "$id": "https://example.com/root.json",
            "$ref": "item.json#/$defs/x",
            "$defs": {"item": {"$id": "item.json", "$defs": {"x": {"type": "integer"}}}},
        },
        {"$schema": DRAFT7, "$ref": "#foo", "definitions": {"a": {"$id": "#foo", "type": "string"}}},
        {"$schema": DRAFT4, "$ref": "#/definitions/a", "definitions": {"a": {"id": "#a", "type": "string"}}},
        {"$schema": DRAFT2019, "$recursiveAnchor": True, "properties": {"c": {"$recursiveRef": "#"}}},
        {"$schema": DRAFT2020, "$dynamicAnchor": "node", "properties": {"c": {"$dynamicRef": "#node"}}},
        {"properties": {"child": {"$ref": "#"}}},
        {"$ref": "https://json-schema.org/draft/2020-12/schema"},  # bundled, never fetched
        {"$defs": {"a/b": {"type": "string"}}, "$ref": "#/$defs/a~1b"},
    ],
)
def test_local_refs_that_resolve_are_accepted(document: dict, no_network: None) -> None:
    assert parse_schema(document) is document


@pytest.mark.parametrize(
    "document",
    [
        {"$ref": "#"},
        {"allOf": [{"$ref": "#"}]},
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/a"}]}}},
        {"$schema": DRAFT7, "definitions": {"a": {"not": {"$ref": "#/definitions/a"}}}},
    ],
)
def test_reference_cycles_that_never_descend_are_rejected(document: dict) -> None:
    [(_, message)] = problems_of(document)
    assert "cycle" in message


def test_ref_targets_outside_keyword_positions_get_the_same_checks() -> None:
    # OpenAPI-style containers are not keywords, yet a $ref makes them schemas.
    assert locations_of(
        {"components": {"schemas": {"Pet": {"pattern": "(("}}}, "$ref": "#/components/schemas/Pet"}
    ) == ["/components/schemas/Pet/pattern"]
    schema = {
        "components": {"schemas": {"Pet": {"pattern": "^\\p{L}+$"}}},
        "$ref": "#/components/schemas/Pet",
    }
    assert is_valid(schema, "Zoë") and not is_valid(schema, "Zoë1")


def test_embedded_schemas_may_only_name_the_documents_dialect() -> None:
    other = {"$defs": {"a": {"$id": "a.json", "$schema": DRAFT7}}}
    assert locations_of(other) == ["/$defs/a/$schema"]
    assert locations_of({"x": {"$schema": DRAFT7}, "$ref": "#/x"}) == ["/x/$schema"]
    same = {"$schema": DRAFT7, "definitions": {"a": {"$schema": DRAFT7.rstrip("#"), "pattern": "^\\p{L}$"}}}
    assert parse_schema(same) is same


def test_a_ref_to_a_root_naming_its_dialect_keeps_ecma_patterns_and_time_limits() -> None:
    # jsonschema evaluates any schema carrying "$schema" with its stock class, which uses
    # Python's re: \p{L} would crash and a catastrophic pattern would hang.
    schema = {"$schema": DRAFT7, "x": {"$schema": DRAFT7, "pattern": CATASTROPHIC_PATTERN}, "$ref": "#/x"}
    started = time.perf_counter()
    [issue] = issues(schema, CATASTROPHIC_VALUE)
    assert time.perf_counter() - started < 2
    assert issue.keyword == "pattern" and "in time" in issue.message


def test_recursion_through_a_child_value_is_fine() -> None:
    tree = {
        "$defs": {"node": {"type": "object", "properties": {"children": {"items": {"$ref": "#/$defs/node"}}}}},
        "$ref": "#/$defs/node",
    }
    assert is_valid(tree, {"children": [{"children": []}]})
    assert not is_valid(tree, {"children": [1]})


# --------------------------------------------------------------------------------------
# parse_schema: patterns
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        "((",
        "[",
        "\\",
        "(?i)abc",
        "(?P<n>a)",
        "(?>a)",
        "a++",
        "\\A",
        "\\Z",
        "\\e",
        "\\012",
        "a{2,1}",
        "(*FAIL)",
        "\\p{NotAProperty}",
        "\\k<missing",
        "[\\B]",
        "(a{1000}){1000}",  # the regex compiler would unroll a million copies
    ],
)
def test_invalid_ecma_patterns_are_rejected(pattern: str) -> None:
    assert locations_of({"properties": {"a": {"pattern": pattern}}}) == ["/properties/a/pattern"]


def test_total_pattern_compile_time_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "PATTERN_COMPILE_BUDGET_SECONDS", 0.0)
    with pytest.raises(SchemaTooLarge):
        parse_schema({"properties": {f"p{index}": {"pattern": f"^p{index}$"} for index in range(3)}})


def test_a_validator_keeps_its_own_compiled_patterns() -> None:
    # More patterns than the shared cache holds must not be recompiled on every call.
    schema = {"properties": {f"p{index}": {"pattern": f"^v{index}$"} for index in range(1100)}}
    validator = compile_validator(parse_schema(schema))
    ecma_regex.compile_ecma.cache_clear()
    assert validator.validate({"p0": "v0", "p1099": "nope"})[0].path == "/p1099"
    assert ecma_regex.compile_ecma.cache_info().currsize == 0


def test_invalid_pattern_properties_key_is_rejected_at_its_pointer() -> None:
    assert locations_of({"patternProperties": {"^ok$": {}, "a/[": {}}}) == ["/patternProperties/a~1["]


def test_invalid_patterns_everywhere_are_all_reported() -> None:
    document = {
        "$defs": {"a": {"pattern": "("}},
        "items": {"propertyNames": {"pattern": "["}},
        "allOf": [{"pattern": "(?i)x"}],
    }
    assert locations_of(document) == ["/$defs/a/pattern", "/allOf/0/pattern", "/items/propertyNames/pattern"]


@pytest.mark.parametrize(
    "document",
    [
        {"properties": {"pattern": {"type": "string"}}},  # a property named "pattern"
        {"enum": [{"pattern": "(("}]},  # data, not a schema
        {"const": {"patternProperties": {"[": 1}}},
        {"pattern": "^\\p{L}[\\p{L}\\p{Mn} '-]*$"},
        {"patternProperties": {"^\\p{Lu}": {}, "^x-": {}}},
        {"pattern": "^(?<year>\\d{4})-\\k<year>$"},
    ],
)
def test_valid_or_non_schema_patterns_are_accepted(document: dict) -> None:
    assert parse_schema(document) is document


# --------------------------------------------------------------------------------------
# ECMA-262 semantics of pattern
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("^\\p{L}+$", "Zoë", True),
        ("^\\p{L}+$", "Zoë1", False),
        ("^\\p{Script=Greek}+$", "αβγ", True),
        ("^\\d+$", "123", True),
        ("^\\d+$", "١٢٣", False),  # ECMA \d is ASCII only
        ("^\\w+$", "héllo", False),  # so is \w
        ("^[\\w-]+$", "a-b_c", True),
        ("^\\s$", "\u00a0", True),  # ECMA whitespace includes NBSP...
        ("^\\s$", "\x1c", False),  # ...but not the file separators Python includes
        ("^abc$", "abc\n", False),  # Python's $ would match before a final newline
        ("^a.b$", "a\rb", False),  # . excludes every line terminator
        ("^a.b$", "a-b", True),
        ("x\\bé", "xé", True),  # \b uses ASCII word characters, so é is not one
        ("^\\bé", "é", False),
        ("^\\cJ$", "\n", True),
        ("^\\u{1F600}$", "😀", True),
        ("^\\uD83D\\uDE00$", "😀", True),
        ("^\\u00e9$", "é", True),
        ("^(?<y>a)\\k<y>$", "aa", True),
        ("^a{,2}$", "a{,2}", True),  # not a quantifier in ECMA
        ("^x{$", "x{", True),
        ("[]", "anything", False),
        ("^[^]$", "\n", True),
        ("^[[:a]+$", "[:a", True),
        ("^\\/\\@$", "/@", True),
        ("abc", "xxabcxx", True),  # unanchored search, as in ECMA
    ],
)
def test_patterns_follow_ecma_262(pattern: str, text: str, matches: bool) -> None:
    assert is_valid({"pattern": pattern}, text) is matches


def test_translation_is_visible_for_debugging() -> None:
    assert translate_ecma_regex("^\\d+$") == "^[0-9]+\\Z"


def test_catastrophic_pattern_returns_quickly_with_a_pattern_issue() -> None:
    validator = compile_validator(parse_schema({"properties": {"name": {"pattern": CATASTROPHIC_PATTERN}}}))
    started = time.perf_counter()
    [issue] = validator.validate({"name": CATASTROPHIC_VALUE})
    assert time.perf_counter() - started < 2
    assert (issue.path, issue.keyword, issue.schema_path) == ("/name", "pattern", "/properties/name/pattern")
    assert "in time" in issue.message


def test_nested_quantifier_example_from_the_brief_returns_quickly() -> None:
    started = time.perf_counter()
    [issue] = issues({"pattern": "^(a+)+$"}, "a" * 35 + "!")
    assert time.perf_counter() - started < 2
    assert issue.keyword == "pattern"


def test_many_catastrophic_values_share_one_time_budget() -> None:
    validator = compile_validator({"items": {"pattern": CATASTROPHIC_PATTERN}})
    started = time.perf_counter()
    found = validator.validate([CATASTROPHIC_VALUE] * 60)
    assert time.perf_counter() - started < 2
    assert len(found) == 60 and {issue.keyword for issue in found} == {"pattern"}


def test_pattern_properties_use_ecma_patterns() -> None:
    schema = {"patternProperties": {"^\\p{Lu}": {"type": "integer"}}, "additionalProperties": False}
    found = issues(schema, {"Émile": "x", "lower": 1})
    assert [(issue.path, issue.keyword) for issue in found] == [
        ("/Émile", "type"),
        ("", "additionalProperties"),
    ]
    assert found[0].schema_path == "/patternProperties/^\\p{Lu}/type"


def test_unevaluated_properties_use_ecma_patterns() -> None:
    for dialect in (DRAFT2019, DRAFT2020):
        schema = {"$schema": dialect, "patternProperties": {"^\\p{Lu}": True}, "unevaluatedProperties": False}
        found = issues(schema, {"Émile": 1, "lower": 1})
        assert [(issue.keyword, issue.path) for issue in found] == [("unevaluatedProperties", "")]
        assert "'lower'" in found[0].message


def test_ecma_patterns_still_apply_after_a_ref_to_a_root_that_names_its_dialect() -> None:
    schema = {
        "$schema": DRAFT7,
        "properties": {"name": {"pattern": "^\\p{L}+$"}, "child": {"$ref": "#"}},
    }
    found = issues(schema, {"name": "Zoë", "child": {"name": "Zoë", "child": {"name": "Zoë1"}}})
    assert [issue.path for issue in found] == ["/child/child/name"]


# --------------------------------------------------------------------------------------
# canonical_text
# --------------------------------------------------------------------------------------


def test_canonical_text_ignores_key_order_and_whitespace() -> None:
    first = {
        "type": "object",
        "properties": {"b": {"type": "string"}, "a": {"minimum": 1, "type": "integer"}},
    }
    second = {
        "properties": {"a": {"type": "integer", "minimum": 1}, "b": {"type": "string"}},
        "type": "object",
    }
    assert canonical_text(first) == canonical_text(second)
    assert canonical_text(first) == (
        '{"properties":{"a":{"minimum":1,"type":"integer"},"b":{"type":"string"}},"type":"object"}'
    )


def test_canonical_text_keeps_array_order_and_differences() -> None:
    assert canonical_text({"enum": [1, 2]}) != canonical_text({"enum": [2, 1]})
    assert canonical_text({"type": "string"}) != canonical_text({"type": "integer"})
    assert canonical_text(True) == "true"


def test_canonical_text_does_not_escape_unicode() -> None:
    assert canonical_text({"title": "é"}) == '{"title":"é"}'


# --------------------------------------------------------------------------------------
# strip_annotations
# --------------------------------------------------------------------------------------


def test_annotation_keywords_are_the_metadata_vocabulary() -> None:
    assert ANNOTATION_KEYWORDS == {
        "title",
        "description",
        "default",
        "examples",
        "$comment",
        "deprecated",
        "readOnly",
        "writeOnly",
    }


def test_strip_annotations_at_every_depth() -> None:
    document = {
        "$schema": DRAFT2020,
        "title": "Person",
        "$comment": "internal",
        "type": "object",
        "properties": {
            "age": {
                "type": "integer",
                "description": "years",
                "default": 0,
                "examples": [1],
                "readOnly": True,
            },
            "tags": {"type": "array", "items": {"type": "string", "title": "tag", "deprecated": True}},
        },
        "$defs": {"x": {"allOf": [{"writeOnly": True, "minimum": 1}]}},
    }
    assert strip_annotations(document) == {
        "$schema": DRAFT2020,
        "type": "object",
        "properties": {"age": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}},
        "$defs": {"x": {"allOf": [{"minimum": 1}]}},
    }


def test_property_names_that_look_like_annotations_are_kept() -> None:
    document = {
        "properties": {"title": {"type": "string", "title": "The title"}, "default": {"type": "boolean"}},
        "patternProperties": {"description": {"type": "string"}},
        "$defs": {"examples": {"type": "array"}},
        "definitions": {"title": {"type": "string"}},
        "dependentSchemas": {"title": {"required": ["description"]}},
        "required": ["title", "description"],
    }
    stripped = strip_annotations(document)
    assert stripped["properties"] == {"title": {"type": "string"}, "default": {"type": "boolean"}}
    assert stripped["patternProperties"] == {"description": {"type": "string"}}
    assert stripped["$defs"] == {"examples": {"type": "array"}}
    assert stripped["definitions"] == {"title": {"type": "string"}}
    assert stripped["dependentSchemas"] == {"title": {"required": ["description"]}}
    assert stripped["required"] == ["title", "description"]


def test_enum_const_and_extension_values_are_data() -> None:
    document = {
        "enum": [{"title": "a"}, "description"],
        "const": {"default": 1},
        "x-ui": {"title": "Shown"},
        "properties": {"a": {"const": {"title": 1}}},
    }
    assert strip_annotations(document) == document


def test_strip_annotations_does_not_modify_its_input() -> None:
    document = {"title": "t", "properties": {"a": {"description": "d", "type": "string"}}}
    snapshot = copy.deepcopy(document)
    strip_annotations(document)
    assert document == snapshot


def test_strip_annotations_follows_each_drafts_keywords() -> None:
    draft7 = {
        "$schema": DRAFT7,
        "items": [{"title": "first"}, {"type": "string", "description": "second"}],
        "dependencies": {"a": ["b"], "c": {"title": "t", "required": ["d"]}},
        "if": {"title": "x"},
        "then": {"title": "y"},
        "else": {"title": "z"},
    }
    assert strip_annotations(draft7) == {
        "$schema": DRAFT7,
        "items": [{}, {"type": "string"}],
        "dependencies": {"a": ["b"], "c": {"required": ["d"]}},
        "if": {},
        "then": {},
        "else": {},
    }
    # In 2020-12 "dependencies" is not a keyword: its content is unknown data.
    draft2020 = {"dependencies": {"c": {"title": "t"}}, "prefixItems": [{"title": "p"}]}
    assert strip_annotations(draft2020) == {"dependencies": {"c": {"title": "t"}}, "prefixItems": [{}]}


def test_annotation_only_changes_are_recognisable() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string", "title": "A"}}}
    retitled = {
        "properties": {"a": {"title": "Renamed", "type": "string", "description": "new"}},
        "type": "object",
    }
    retyped = {"type": "object", "properties": {"a": {"type": "integer", "title": "A"}}}
    assert canonical_text(strip_annotations(old)) == canonical_text(strip_annotations(retitled))
    assert canonical_text(strip_annotations(old)) != canonical_text(strip_annotations(retyped))


@pytest.mark.parametrize("document", [True, False])
def test_boolean_schemas_have_no_annotations(document: bool) -> None:
    assert strip_annotations(document) is document


# --------------------------------------------------------------------------------------
# Validation issues
# --------------------------------------------------------------------------------------

PERSON = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "address": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}},
        "home": {"$ref": "#/$defs/address"},
    },
    "$defs": {"address": {"properties": {"zip": {"type": "string", "pattern": "^\\d{5}$"}}}},
}


def test_valid_document_has_no_issues() -> None:
    assert issues(PERSON, {"name": "Ada", "age": 36, "address": {"city": "London"}}) == []


def test_issue_fields() -> None:
    [issue] = issues(PERSON, {"name": "Ada", "age": -1})
    assert issue == ValidationIssue(
        path="/age",
        message="-1 is less than the minimum of 0",
        keyword="minimum",
        schema_path="/properties/age/minimum",
    )


def test_missing_required_property_points_at_the_object_and_names_the_property() -> None:
    found = issues(PERSON, {"address": {}})
    assert [(issue.path, issue.keyword, issue.schema_path) for issue in found] == [
        ("", "required", "/required"),
        ("/address", "required", "/properties/address/required"),
    ]
    assert "'name'" in found[0].message and "'city'" in found[1].message


def test_paths_are_escaped_json_pointers() -> None:
    schema = {"properties": {"a/b": {"properties": {"m~n": {"type": "integer"}}}}}
    [issue] = issues(schema, {"a/b": {"m~n": "x"}})
    assert issue.path == "/a~1b/m~0n"
    assert issue.schema_path == "/properties/a~1b/properties/m~0n/type"


def test_schema_path_goes_through_ref() -> None:
    [issue] = issues(PERSON, {"name": "Ada", "home": {"zip": "123"}})
    assert (issue.path, issue.keyword) == ("/home/zip", "pattern")
    assert issue.schema_path == "/properties/home/$ref/properties/zip/pattern"


def test_nested_arrays() -> None:
    schema = {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}
    found = issues(schema, [[1, 2], [3, "x"], "y"])
    assert [(issue.path, issue.schema_path) for issue in found] == [
        ("/1/1", "/items/items/type"),
        ("/2", "/items/type"),
    ]


def test_all_errors_are_returned_in_a_deterministic_order() -> None:
    schema = {"type": "array", "items": {"type": "integer", "minimum": 10}}
    instance = ["a", 1, 5, "b"]
    found = issues(schema, instance)
    assert [(issue.path, issue.keyword) for issue in found] == [
        ("/0", "type"),
        ("/1", "minimum"),
        ("/2", "minimum"),
        ("/3", "type"),
    ]
    assert issues(schema, instance) == found


def test_max_errors_is_respected() -> None:
    validator = compile_validator({"items": {"type": "string"}})
    assert len(validator.validate(list(range(500)), max_errors=10)) == 10
    assert len(validator.validate(list(range(500)))) == 100
    assert validator.validate(list(range(500)), max_errors=0) == []


def test_validation_stops_once_max_errors_is_reached() -> None:
    # Every item costs a full match timeout; collecting them all would take the whole budget.
    validator = compile_validator({"items": {"pattern": CATASTROPHIC_PATTERN}})
    started = time.perf_counter()
    assert len(validator.validate([CATASTROPHIC_VALUE] * 8, max_errors=1)) == 1
    assert time.perf_counter() - started < 0.6


def test_any_of_reports_the_combinator_with_its_closest_branch() -> None:
    schema = {"properties": {"v": {"anyOf": [{"type": "string"}, {"type": "object", "required": ["x"]}]}}}
    [issue] = issues(schema, {"v": {}})
    assert (issue.path, issue.keyword, issue.schema_path) == ("/v", "anyOf", "/properties/v/anyOf")
    assert "'x' is a required property" in issue.message


def test_one_of_matching_twice() -> None:
    [issue] = issues({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 3)
    assert issue.keyword == "oneOf"


@pytest.mark.parametrize(
    ("schema", "instance", "path", "schema_path"),
    [
        ({"properties": {"gone": False}}, {"gone": 1}, "/gone", "/properties/gone"),
        ({"patternProperties": {"^x-": False}}, {"x-a": 1}, "/x-a", "/patternProperties/^x-"),
        ({"allOf": [True, False]}, 1, "", "/allOf/1"),
        (
            {"$defs": {"no": False}, "properties": {"a": {"$ref": "#/$defs/no"}}},
            {"a": 1},
            "/a",
            "/properties/a/$ref",
        ),
        ({"prefixItems": [{}, False]}, [1, 2], "/1", "/prefixItems/1"),
        ({"if": True, "then": False}, 1, "", "/then"),
        ({"$schema": DRAFT7, "items": [True, False]}, [1, 2], "/1", "/items/1"),
        ({"$schema": DRAFT7, "dependencies": {"a": False}}, {"a": 1}, "", "/dependencies/a"),
        (False, 1, "", ""),
    ],
)
def test_false_schema_is_reported_where_it_is(schema: object, instance: object, path: str, schema_path: str) -> None:
    [issue] = issues(schema, instance)
    assert (issue.path, issue.keyword, issue.schema_path) == (path, "false", schema_path)
    assert issue.message.startswith("False schema does not allow")


def test_keywords_that_take_false_themselves_keep_their_messages() -> None:
    [issue] = issues({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2})
    assert (issue.keyword, issue.schema_path) == ("additionalProperties", "/additionalProperties")
    assert "'b'" in issue.message


def test_a_literal_not_keeps_its_keyword() -> None:
    [issue] = issues({"not": {}}, 1)
    assert (issue.keyword, issue.schema_path) == ("not", "/not")


def test_long_values_are_abbreviated_in_messages() -> None:
    [issue] = issues({"type": "string"}, list(range(10_000)))
    assert issue.keyword == "type" and len(issue.message) <= 500


def test_deeply_nested_document_is_an_issue_not_a_crash() -> None:
    schema = {"properties": {"c": {"$ref": "#"}}}
    instance: dict = {}
    for _ in range(3000):
        instance = {"c": instance}
    found = issues(schema, instance)
    assert [issue.keyword for issue in found] == ["nesting"]


# --------------------------------------------------------------------------------------
# Drafts
# --------------------------------------------------------------------------------------


def test_draft4_boolean_exclusive_maximum() -> None:
    schema = {"$schema": DRAFT4, "maximum": 5, "exclusiveMaximum": True}
    assert is_valid(schema, 4)
    [issue] = issues(schema, 5)
    assert (issue.keyword, issue.schema_path) == ("maximum", "/maximum")


def test_draft4_id_scoped_ref() -> None:
    schema = {
        "$schema": DRAFT4,
        "id": "http://example.com/root.json",
        "properties": {"a": {"$ref": "#/definitions/a"}},
        "definitions": {"a": {"type": "integer"}},
    }
    assert not is_valid(schema, {"a": "x"})


def test_draft6_numeric_exclusive_maximum_and_contains() -> None:
    schema = {"$schema": DRAFT6, "exclusiveMaximum": 5}
    assert is_valid(schema, 4) and not is_valid(schema, 5)
    assert [issue.keyword for issue in issues({"$schema": DRAFT6, "contains": {"const": 1}}, [2])] == ["contains"]


def test_draft7_if_then_else() -> None:
    schema = {"$schema": DRAFT7, "if": {"minimum": 10}, "then": {"multipleOf": 10}, "else": {"maximum": 5}}
    assert is_valid(schema, 20) and is_valid(schema, 3)
    [issue] = issues(schema, 15)
    assert (issue.keyword, issue.schema_path) == ("multipleOf", "/then/multipleOf")


def test_draft7_ignores_siblings_of_ref() -> None:
    schema = {
        "$schema": DRAFT7,
        "definitions": {"s": {"type": "string"}},
        "$ref": "#/definitions/s",
        "maxLength": 1,
    }
    assert is_valid(schema, "long")


def test_2019_09_dependent_required_and_unevaluated_properties() -> None:
    schema = {
        "$schema": DRAFT2019,
        "dependentRequired": {"card": ["billing"]},
        "allOf": [{"properties": {"card": {}}}],
        "properties": {"billing": {}},
        "unevaluatedProperties": False,
    }
    found = issues(schema, {"card": 1, "extra": 2})
    assert [issue.keyword for issue in found] == ["dependentRequired", "unevaluatedProperties"]


def test_2020_12_prefix_items() -> None:
    schema = {"$schema": DRAFT2020, "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False}
    assert is_valid(schema, ["a", 1])
    found = issues(schema, ["a", "b", 3])
    assert [(issue.path, issue.keyword, issue.schema_path) for issue in found] == [
        ("/1", "type", "/prefixItems/1/type"),
        ("", "items", "/items"),
    ]


def test_2020_12_dynamic_ref() -> None:
    schema = {
        "$schema": DRAFT2020,
        "$dynamicAnchor": "node",
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$dynamicRef": "#node"}}},
    }
    assert is_valid(schema, {"children": [{"children": []}]})
    assert [issue.path for issue in issues(schema, {"children": [3]})] == ["/children/0"]


# --------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date-time", "1998-12-31T23:59:60Z", "2020-13-01T00:00:00Z"),
        ("date-time", "2024-02-29t10:00:00.5+01:00", "2023-02-29T10:00:00Z"),
        ("date", "2024-02-29", "2024-2-29"),
        ("time", "10:00:00-05:30", "10:00:00"),
        ("email", "ada@example.com", "ada at example.com"),
        ("ipv4", "192.168.0.1", "192.168.0.01"),
        ("ipv6", "::1", "::1%eth0"),
        ("regex", "^\\p{L}+$", "(?i)x"),
    ],
)
def test_formats_are_asserted_up_to_draft_07(fmt: str, good: str, bad: str) -> None:
    schema = {"$schema": DRAFT7, "format": fmt}
    assert is_valid(schema, good)
    [issue] = issues(schema, bad)
    assert (issue.keyword, issue.schema_path) == ("format", "/format")


def test_formats_only_apply_to_strings() -> None:
    assert is_valid({"$schema": DRAFT7, "format": "date-time"}, 12)


def test_formats_outside_the_supported_set_remain_annotations() -> None:
    assert is_valid({"$schema": DRAFT7, "format": "uuid"}, "not a uuid")  # a 2019-09 format
    assert is_valid({"$schema": DRAFT7, "format": "x-custom"}, "anything")


# What each draft defines, so what the registry asserts in it (issue 12, item 12): written
# out here rather than read from the code, so a format that stops being checked fails.
ASSERTED_FORMATS = {
    DRAFT4: {"date-time", "email", "hostname", "ipv4", "ipv6", "uri", "regex"},
    DRAFT6: {"date-time", "email", "hostname", "ipv4", "ipv6", "uri", "regex"}
    | {"uri-reference", "uri-template", "json-pointer"},
    DRAFT7: {"date-time", "email", "hostname", "ipv4", "ipv6", "uri", "regex"}
    | {"uri-reference", "uri-template", "json-pointer"}
    | {"date", "time", "idn-email", "idn-hostname", "iri", "iri-reference", "relative-json-pointer"},
    DRAFT2019: set(),
    DRAFT2020: set(),
}
# (values every draft asserting the format accepts, values it rejects)
FORMAT_EXAMPLES: dict[str, tuple[list[str], list[str]]] = {
    "date-time": (["1998-12-31T23:59:60Z", "2024-02-29t10:00:00.5+01:00"], ["2020-13-01T00:00:00Z", "2023-02-29"]),
    "date": (["2024-02-29"], ["2024-2-29", "2023-02-29"]),
    "time": (["10:00:00-05:30", "23:59:60Z"], ["10:00:00", "24:00:00Z"]),
    "email": (["ada@example.com"], ["ada at example.com", "@example.com"]),
    "idn-email": (["실례@실례.테스트"], ["실례 at 실례.테스트"]),
    "ipv4": (["192.168.0.1"], ["192.168.0.01", "256.1.1.1"]),
    "ipv6": (["::1", "2001:db8::8a2e:370:7334"], ["::1%eth0", "12345::"]),
    "regex": (["^\\p{L}+$"], ["(?i)x", "["]),
    "hostname": (
        ["www.example.com", "localhost", "1host", "xn--4gbwdl.xn--wgbh1c", "a" * 63 + ".com"],
        ["not a host!", "-a.example.com", "not_a_host", "a" * 64, "", "a..b", "example.com\n"],
    ),
    "idn-hostname": (["실례.테스트", "bücher.de", "EXAMPLE.com"], ["〮실례.테스트", "-a", "a_b", "a" * 64]),
    "uri": (
        ["http://example.com/a?b#c", "urn:isbn:0451450523", "http://[::1]:80/"],
        ["not a uri", "//example.com", "/abc", "http://[::1", "http://a/%zz", "http://a/ü", "http://a/\n"],
    ),
    "uri-reference": (["../a/b?c", "#frag", "//x.y"], ["\\\\WINDOWS\\share", "http://[::1", "a b", "#a#b"]),
    "iri": (
        ["http://ƒøø.ßår/?∂éœ=πîx#πîüx", "urn:ü", "http://a/?\ue000"],
        ["/abc", "http://[::1", "http://a/\ue000", "http://ü:8ü/", "not an iri"],
    ),
    "iri-reference": (
        ["//ƒøø.ßår/?∂éœ=πîx#πîüx", "#ƒrägmênt", "../ü"],
        ["\\\\WINDOWS\\filëßåré", "#ƒrä#gmênt", "\ufdd0"],
    ),
    "json-pointer": (["/foo/bar~0/~1baz", "", "/"], ["foo", "/foo/bar~", "/~2", "#/a"]),
    "relative-json-pointer": (["1", "0#", "1/0/a", "0/"], ["/foo/bar", "-1/foo", "01/a", "0##", "1#/a", ""]),
    "uri-template": (
        ["http://example.com/dictionary/{term:1}/{term}", "{+path}/here{?x,y*}", "plain", "ü{a.b}"],
        ["http://example.com/dictionary/{term:1}/{term", "{}", "{a,}", "a b", "%zz", "{a:0}", "{a:10000}", "}"],
    ),
}


@pytest.mark.parametrize("draft", list(ASSERTED_FORMATS))
def test_each_draft_asserts_the_formats_it_defines(draft: str) -> None:
    assert set(dialects.lookup_dialect(draft).format_checker.checkers) == ASSERTED_FORMATS[draft]


@pytest.mark.parametrize(
    ("draft", "fmt"), [(draft, fmt) for draft, formats in ASSERTED_FORMATS.items() for fmt in sorted(formats)]
)
def test_every_asserted_format_rejects_bad_values_and_accepts_good_ones(draft: str, fmt: str) -> None:
    good, bad = FORMAT_EXAMPLES[fmt]
    schema = {"$schema": draft, "format": fmt}
    assert [value for value in good if not is_valid(schema, value)] == []
    for value in bad:
        assert [(issue.keyword, issue.schema_path) for issue in issues(schema, value)] == [("format", "/format")], value


@pytest.mark.parametrize("fmt", sorted(ASSERTED_FORMATS[DRAFT7] - {"regex"}))
def test_format_checks_take_linear_time_on_hostile_values(fmt: str) -> None:
    """Values come from documents of up to a megabyte. (``regex`` compiles the pattern: it
    costs more, and is bounded with pattern compilation.)"""
    hostile = [
        "a." * 100_000,
        "http://" + "a:" * 100_000,
        "http://a/" + "ü" * 200_000,
        "{a" + ",a" * 100_000,
        "{" * 200_000,
        "1/" + "~0" * 100_000,
        "http://a@" * 20_000,
    ]
    validator = compile_validator(parse_schema({"$schema": DRAFT7, "format": fmt}))
    started = time.perf_counter()
    for value in hostile:
        validator.validate(value)
    assert time.perf_counter() - started < 2.0


def test_formats_are_annotations_from_2019_09() -> None:
    assert is_valid({"format": "date-time"}, "nope")  # 2020-12 when $schema is absent
    assert is_valid({"$schema": "https://json-schema.org/draft/2019-09/schema", "format": "email"}, "nope")


def test_formats_follow_the_draft_that_defines_them() -> None:
    assert is_valid({"$schema": DRAFT4, "format": "date"}, "nope")  # date arrived in draft-07
    assert not is_valid({"$schema": DRAFT4, "format": "date-time"}, "nope")


# --------------------------------------------------------------------------------------
# Sharing a compiled validator
# --------------------------------------------------------------------------------------


def test_compiled_validator_is_safe_to_share_between_threads() -> None:
    validator = compile_validator(parse_schema(PERSON))
    good = {"name": "Ada", "address": {"city": "London"}, "home": {"zip": "12345"}}
    bad = {"age": "x", "home": {"zip": "1"}}
    expected_bad = validator.validate(bad)
    start = threading.Barrier(8)

    def work(_: int) -> bool:
        start.wait()
        return all(validator.validate(good) == [] and validator.validate(bad) == expected_bad for _ in range(50))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(8)))
    assert len(expected_bad) == 3


def test_compiling_does_not_modify_the_schema() -> None:
    schema = {"$schema": DRAFT7, "properties": {"a": {"$ref": "#"}}}
    snapshot = copy.deepcopy(schema)
    compile_validator(parse_schema(schema)).validate({"a": {"a": 1}})
    assert schema == snapshot
