"""The Avro format: schema checks, identity, annotations, loading and document validation."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import avro.errors
import avro.schema
import pytest

from registry.domain.errors import InvalidRequest, InvalidSchema, SchemaTooLarge
from registry.domain.formats import avro as avro_format
from registry.domain.formats.avro import AvroHandler, AvroJsonEncoding, AvroSchema, Limits
from registry.domain.model import SchemaFormat, ValidationIssue, ValidationOptions

HANDLER = AvroHandler()

# The specification makes invalid logical types mean their base type; the library warns.
pytestmark = pytest.mark.filterwarnings("ignore::avro.errors.IgnoredLogicalType")

ADDRESS = {
    "type": "record",
    "name": "Address",
    "fields": [
        {"name": "street", "type": "string"},
        {"name": "zip", "type": "int"},
    ],
}
PERSON = {
    "type": "record",
    "name": "Person",
    "namespace": "com.example",
    "doc": "someone",
    "fields": [
        {"name": "name", "type": "string", "default": "anonymous"},
        {"name": "age", "type": ["null", "int"], "default": None},
        {"name": "address", "type": ["null", ADDRESS], "default": None},
        {"name": "home", "type": "Address", "default": {"street": "", "zip": 0}},
        {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["HUMAN", "ROBOT"]}, "default": "HUMAN"},
        {"name": "id", "type": {"type": "fixed", "name": "Id", "size": 4}, "default": "\u0000\u0000\u0000\u0000"},
        {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
        {"name": "scores", "type": {"type": "map", "values": "long"}, "default": {}},
        {"name": "born", "type": {"type": "long", "logicalType": "timestamp-millis"}, "default": 0},
        {"name": "ratio", "type": "float", "default": 0.5},
        {"name": "blob", "type": "bytes", "default": "\u00ff"},
    ],
}


def problems_of(schema: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidSchema) as caught:
        HANDLER.parse(schema if isinstance(schema, str) else json.dumps(schema))
    assert caught.value.problems, "InvalidSchema must say where"
    return [(problem.location, problem.message) for problem in caught.value.problems]


def locations_of(schema: Any) -> list[str]:
    return [location for location, _ in problems_of(schema)]


def issues(schema: Any, instance: object, encoding: str = "json", max_errors: int = 100) -> list[ValidationIssue]:
    document = HANDLER.parse(json.dumps(schema)).document
    validator = HANDLER.compile_validator(document, ValidationOptions(encoding=encoding))
    return validator.validate(instance, max_errors=max_errors)


def where(found: list[ValidationIssue]) -> list[tuple[str, str]]:
    return [(issue.path, issue.keyword) for issue in found]


def record(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields), **extra}


# --------------------------------------------------------------------------------------
# parse: accepted schemas
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schema",
    [
        '"string"',
        '{"type": "int"}',
        '["null", "string"]',
        "[]",
        json.dumps(PERSON),
        json.dumps(record("Node", {"name": "next", "type": ["null", "Node"], "default": None})),
        json.dumps({"type": "fixed", "name": "Empty", "size": 0}),
        # Invalid logical types are ignored, per the specification, not errors.
        json.dumps({"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 5}),
        json.dumps({"type": "string", "logicalType": "no-such-type"}),
        # Avro 1.12: a union default may match any branch, not only the first.
        json.dumps(record("R", {"name": "a", "type": ["null", "int"], "default": 5})),
        json.dumps(record("R", {"name": "d", "type": {"type": "double"}, "default": 1})),
        json.dumps({"type": "enum", "name": "E", "symbols": ["A", "B"], "default": "B", "aliases": ["Old"]}),
        json.dumps({"type": "record", "name": "a.b.R", "namespace": "ignored", "fields": [], "x-owner": "team"}),
    ],
)
def test_valid_schemas_are_accepted(schema: str) -> None:
    parsed = HANDLER.parse(schema)
    assert parsed.format is SchemaFormat.AVRO
    assert parsed.content == schema
    assert isinstance(parsed.document, AvroSchema)
    assert parsed.document.schema_json == json.loads(schema)


def test_names_resolve_in_the_enclosing_namespace() -> None:
    schema = {
        "type": "record",
        "name": "Outer",
        "namespace": "com.example",
        "fields": [
            {"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["X"]}},
            {"name": "b", "type": "E"},
            {"name": "c", "type": "com.example.E"},
            {"name": "d", "type": {"type": "fixed", "name": "F", "namespace": "org.other", "size": 1}},
            {"name": "e", "type": "org.other.F"},
        ],
    }
    root = HANDLER.parse(json.dumps(schema)).document.root
    assert isinstance(root, avro_format.RecordType)
    assert root.fullname == "com.example.Outer"
    types = [field.type for field in root.fields]
    assert types[0] is types[1] is types[2]
    assert types[3] is types[4] and types[3].fullname == "org.other.F"  # type: ignore[attr-defined]


def test_parsed_json_is_accepted_and_stored_compactly() -> None:
    parsed = HANDLER.parse({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
    assert parsed.content == '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}'
    # A str is always schema text: the primitive type string is the JSON text '"string"'.
    assert HANDLER.parse('"string"').document.root.kind == "string"
    assert HANDLER.parse(["null", "int"]).content == '["null","int"]'


# --------------------------------------------------------------------------------------
# parse: refused schemas, with where and why
# --------------------------------------------------------------------------------------


def test_text_that_is_not_json_says_where() -> None:
    assert problems_of('{"type": "string"') == [("char 17", "unexpected end of data")]


def test_a_bare_primitive_name_gets_a_hint() -> None:
    with pytest.raises(InvalidSchema, match='JSON string "string", with quotes'):
        HANDLER.parse("string")


@pytest.mark.parametrize("schema", [5, None, True, 1.5])
def test_a_schema_is_a_string_object_or_array(schema: object) -> None:
    with pytest.raises(InvalidSchema) as caught:
        HANDLER.parse(schema)
    assert [problem.location for problem in caught.value.problems] == [""]


INVALID: list[tuple[str, Any, str, str]] = [
    ("unknown primitive", '"strin"', "", "unknown type 'strin'"),
    ("no type", {"name": "x"}, "", '"type"'),
    ("unknown type", {"type": "foo"}, "/type", "unknown type 'foo'"),
    ("type is not a name", {"type": {"type": "string"}}, "/type", "type name"),
    ("error type", record("E") | {"type": "error"}, "/type", "protocol"),
    ("complex type by bare name", record("R", {"name": "a", "type": "array"}), "/fields/0/type", "object"),
    ("named type in object form", record("R", {"name": "a", "type": {"type": "R"}}), "/fields/0/type/type", "alone"),
    ("duplicate union branch", ["int", "int"], "/1", "already has an int"),
    ("duplicate named union branch", [record("A"), "A"], "/1", "'A'"),
    ("union in a union", ["int", ["string"]], "/1", "another union"),
    ("record without name", {"type": "record", "fields": []}, "", "needs a name"),
    ("invalid record name", record("1R"), "/name", "not a valid name"),
    ("invalid namespace", record("R", namespace="a..b"), "/namespace", "not a valid namespace"),
    ("namespace not a string", record("R", namespace=5), "/namespace", "string"),
    ("primitive name", record("int"), "/name", "primitive type name"),
    ("primitive name in a namespace", record("ns.long"), "/name", "primitive type name"),
    (
        "redefined name",
        record("R", {"name": "a", "type": {"type": "fixed", "name": "R", "size": 1}}),
        "/fields/0/type/name",
        "already defined (at the root)",
    ),
    ("undefined name", record("R", {"name": "a", "type": "Nope"}), "/fields/0/type", "unknown type 'Nope'"),
    (
        "used before defined",
        record("R", {"name": "a", "type": "E"}, {"name": "b", "type": {"type": "enum", "name": "E", "symbols": ["A"]}}),
        "/fields/0/type",
        "before this point",
    ),
    (
        "no null-namespace fallback",
        record("R", {"name": "a", "type": record("S", namespace="")}, {"name": "b", "type": "S"}, namespace="n"),
        "/fields/1/type",
        "looked up as 'n.S'",
    ),
    ("record without fields", {"type": "record", "name": "R"}, "", '"fields"'),
    ("fields not an array", record("R") | {"fields": {}}, "/fields", '"fields"'),
    ("field not an object", record("R") | {"fields": ["int"]}, "/fields/0", "object"),
    ("field without name", record("R", {"type": "int"}), "/fields/0", "valid name"),
    ("invalid field name", record("R", {"name": "a-b", "type": "int"}), "/fields/0/name", "valid name"),
    (
        "duplicate field",
        record("R", {"name": "a", "type": "int"}, {"name": "a", "type": "long"}),
        "/fields/1/name",
        "duplicate field name 'a'",
    ),
    ("field without type", record("R", {"name": "a"}), "/fields/0", '"type"'),
    ("invalid order", record("R", {"name": "a", "type": "int", "order": "up"}), "/fields/0/order", "ascending"),
    (
        "field aliases not an array",
        record("R", {"name": "a", "type": "int", "aliases": "b"}),
        "/fields/0/aliases",
        "array",
    ),
    (
        "invalid field alias",
        record("R", {"name": "a", "type": "int", "aliases": ["b.c"]}),
        "/fields/0/aliases/0",
        "field name",
    ),
    ("type aliases not an array", record("R", aliases="Old"), "/aliases", "array"),
    ("invalid type alias", record("R", aliases=["1Old"]), "/aliases/0", "valid name"),
    ("doc not a string", record("R", doc=["x"]), "/doc", "string"),
    ("field doc not a string", record("R", {"name": "a", "type": "int", "doc": 1}), "/fields/0/doc", "string"),
    ("enum without symbols", {"type": "enum", "name": "E"}, "", '"symbols"'),
    ("invalid symbol", {"type": "enum", "name": "E", "symbols": ["A", "b-c"]}, "/symbols/1", "valid symbol"),
    ("duplicate symbol", {"type": "enum", "name": "E", "symbols": ["A", "A"]}, "/symbols/1", "duplicate"),
    (
        "enum default not a symbol",
        {"type": "enum", "name": "E", "symbols": ["A"], "default": "B"},
        "/default",
        "one of its symbols",
    ),
    ("fixed without size", {"type": "fixed", "name": "F"}, "", '"size"'),
    ("negative size", {"type": "fixed", "name": "F", "size": -1}, "/size", "non-negative"),
    ("size not an integer", {"type": "fixed", "name": "F", "size": 2.0}, "/size", "non-negative integer"),
    ("array without items", {"type": "array"}, "", '"items"'),
    ("map without values", {"type": "map"}, "", '"values"'),
    (
        "default of wrong type",
        record("R", {"name": "a", "type": "int", "default": "x"}),
        "/fields/0/default",
        "expected int, got string",
    ),
    (
        "int default out of range",
        record("R", {"name": "a", "type": "int", "default": 2**31}),
        "/fields/0/default",
        "32-bit",
    ),
    (
        "null default for non-null first",
        record("R", {"name": "a", "type": ["int", "string"], "default": None}),
        "/fields/0/default",
        "union",
    ),
    (
        "bytes default beyond U+00FF",
        record("R", {"name": "a", "type": "bytes", "default": "\u0100"}),
        "/fields/0/default",
        "U+0100",
    ),
    (
        "fixed default of wrong length",
        record("R", {"name": "a", "type": {"type": "fixed", "name": "F", "size": 2}, "default": "abc"}),
        "/fields/0/default",
        "exactly 2 bytes",
    ),
    (
        "enum field default not a symbol",
        record("R", {"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["A"]}, "default": "B"}),
        "/fields/0/default",
        "not one of A",
    ),
    (
        "record default missing a field",
        record("R", {"name": "a", "type": record("S", {"name": "x", "type": "int"}), "default": {}}),
        "/fields/0/default",
        "missing field 'x'",
    ),
    (
        "nested default error",
        record("R", {"name": "a", "type": {"type": "array", "items": "int"}, "default": [1, "x"]}),
        "/fields/0/default/1",
        "expected int",
    ),
    (
        "recursive default error",
        record(
            "L",
            {"name": "v", "type": "int"},
            {"name": "next", "type": ["null", "L"], "default": {"v": 1, "next": {"v": "x", "next": None}}},
        ),
        "/fields/1/default/next/v",
        "expected int",
    ),
]


@pytest.mark.parametrize(
    ("schema", "location", "message"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_invalid_schemas_are_refused_with_a_location(schema: Any, location: str, message: str) -> None:
    found = problems_of(schema)
    assert found[0][0] == location, found
    assert message in found[0][1], found


def test_every_problem_is_reported_at_once() -> None:
    schema = record(
        "R",
        {"name": "a-b", "type": "int"},
        {"name": "c", "type": "Nope"},
        {"name": "d", "type": {"type": "enum", "name": "E", "symbols": ["X", "X"]}},
    )
    assert locations_of(schema) == ["/fields/0/name", "/fields/1/type", "/fields/2/type/symbols/1"]


def test_the_avro_library_must_accept_the_schema_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> None:
        raise avro.errors.SchemaParseException("the library says no " + "x" * 1000)

    monkeypatch.setattr(avro.schema, "parse", refuse)
    found = problems_of('"int"')
    assert found[0][0] == "" and found[0][1].startswith("SchemaParseException: the library says no")
    assert len(found[0][1]) <= 500


def test_schema_too_deep() -> None:
    handler = AvroHandler(Limits(max_depth=3))
    deep = {"type": "array", "items": {"type": "array", "items": {"type": "array", "items": "int"}}}
    with pytest.raises(SchemaTooLarge) as caught:
        handler.parse(json.dumps(deep))
    assert caught.value.problems[0].location == "/items/items/items"
    handler.parse(json.dumps({"type": "array", "items": {"type": "array", "items": "int"}}))


def test_schema_with_too_many_values() -> None:
    handler = AvroHandler(Limits(max_nodes=50))
    fields = [{"name": f"f{index}", "type": "int"} for index in range(20)]
    with pytest.raises(SchemaTooLarge):
        handler.parse(json.dumps(record("R", *fields)))


def test_default_limits_accept_forty_nested_records() -> None:
    schema: Any = "int"
    for index in reversed(range(40)):
        schema = record(f"R{index}", {"name": "inner", "type": schema})
    HANDLER.parse(json.dumps(schema))


@pytest.mark.parametrize(
    ("schema", "location"),
    [
        ({"type": "record", "name": "R", "fields": [], "x": float("nan")}, "/x"),
        ({"type": "record", "name": "R", "fields": [], "x": (1, 2)}, "/x"),
        ({"type": "record", "name": "R", "fields": [], 1: "x"}, ""),
        ({"type": "record", "name": "R", "fields": [], "x": 2**70}, "/x"),
    ],
)
def test_parsed_input_must_be_json_data(schema: Any, location: str) -> None:
    with pytest.raises(InvalidSchema) as caught:
        HANDLER.parse(schema)
    assert caught.value.problems[0].location == location


# Avro's Java library reads "size" as a Java int and refuses a fixed longer than the longest
# byte array a JVM allocates, 2^31 - 9 (SystemLimitException.checkMaxBytesLength); a schema
# registered here must load there too (issue 12, item 9).
@pytest.mark.parametrize("size", [2**31 - 8, 2**31 - 1, 2**31, 2**63, 2**64 - 1])
def test_fixed_sizes_past_what_java_reads_are_refused(size: int) -> None:
    schema = record("R", {"name": "f", "type": {"type": "fixed", "name": "F", "size": size}})
    with pytest.raises(InvalidSchema) as caught:
        HANDLER.parse(schema)
    problems = [(problem.location, problem.message) for problem in caught.value.problems]
    assert len(problems) == 1 and problems[0][0] == "/fields/0/type/size"
    assert "2147483639" in problems[0][1]


def test_the_largest_fixed_java_reads_is_accepted() -> None:
    HANDLER.parse({"type": "fixed", "name": "F", "size": 2**31 - 9})


# A decimal whose precision or scale is not an integer, out of order or out of its fixed is an
# invalid logical type: Avro's Java library (LogicalTypes.fromSchemaIgnoreInvalid, used by
# Schema.Parser) ignores it and reads the underlying type, as the specification says, and so does
# the Python library. The registry does the same: such a schema is accepted and means its bytes or
# fixed. An integer beyond a Java int is refused instead (below): Java could only ignore it.
@pytest.mark.parametrize(
    "attributes",
    [
        {"precision": 0},
        {"precision": 5.0},
        {"precision": "5"},
        {"precision": 5, "scale": -1},
        {"precision": 5, "scale": 6},
        {"precision": 5, "scale": 1.0},
        {},
    ],
)
@pytest.mark.parametrize("base", [{"type": "bytes"}, {"type": "fixed", "name": "F", "size": 16}])
def test_invalid_decimals_mean_their_underlying_type(base: dict[str, Any], attributes: dict[str, Any]) -> None:
    schema = {**base, "logicalType": "decimal", **attributes}
    parsed = HANDLER.parse(schema)
    assert parsed.document.schema_json == schema
    assert issues(schema, "\u0001" * (16 if base["type"] == "fixed" else 3)) == []


@pytest.mark.parametrize(
    ("attributes", "location"),
    [
        ({"precision": 2**31}, "/precision"),
        ({"precision": 2**63}, "/precision"),
        ({"precision": -(2**31) - 1}, "/precision"),
        ({"precision": 5, "scale": 2**31}, "/scale"),
        ({"precision": 5, "scale": -(2**63)}, "/scale"),
    ],
)
@pytest.mark.parametrize("base", [{"type": "bytes"}, {"type": "fixed", "name": "F", "size": 16}])
def test_decimal_integers_beyond_a_java_int_are_refused(
    base: dict[str, Any], attributes: dict[str, Any], location: str
) -> None:
    with pytest.raises(InvalidSchema) as caught:
        HANDLER.parse({**base, "logicalType": "decimal", **attributes})
    assert [problem.location for problem in caught.value.problems] == [location]
    assert "32-bit int" in caught.value.problems[0].message


def test_the_widest_decimal_integers_a_java_int_holds_are_accepted() -> None:
    HANDLER.parse({"type": "bytes", "logicalType": "decimal", "precision": 2**31 - 1, "scale": 2**31 - 1})


def test_decimal_numbers_beyond_json_are_refused_naming_them() -> None:
    with pytest.raises(InvalidSchema) as caught:
        HANDLER.parse({"type": "bytes", "logicalType": "decimal", "precision": 2**64})
    assert [problem.location for problem in caught.value.problems] == ["/precision"]


# --------------------------------------------------------------------------------------
# Identity: the content hash
# --------------------------------------------------------------------------------------


def test_hash_ignores_key_order_and_whitespace() -> None:
    compact = HANDLER.parse(json.dumps(PERSON, separators=(",", ":")))
    reordered = json.dumps(_reversed_keys(PERSON), indent=4)
    spaced = HANDLER.parse(reordered)
    assert compact.content != spaced.content
    assert compact.content_hash == spaced.content_hash == HANDLER.parse(PERSON).content_hash


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(item) for item in value]
    return value


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["fields"][0].update(default="someone"),
        lambda s: s.update(doc="somebody"),
        lambda s: s["fields"][1].update(doc="years"),
        lambda s: s.update(aliases=["Human"]),
        lambda s: s["fields"][2].update(order="descending"),
        lambda s: s.update({"x-owner": "team"}),
    ],
    ids=["default", "doc", "field doc", "aliases", "order", "custom attribute"],
)
def test_hash_differs_when_anything_but_layout_changes(change: Any) -> None:
    changed = json.loads(json.dumps(PERSON))
    change(changed)
    assert HANDLER.parse(changed).content_hash != HANDLER.parse(PERSON).content_hash


def test_hash_is_not_the_parsing_canonical_form() -> None:
    with_doc = HANDLER.parse(record("R", {"name": "a", "type": "int"}, doc="x"))
    without = HANDLER.parse(record("R", {"name": "a", "type": "int"}))
    canonical = avro.schema.parse(json.dumps(with_doc.document.schema_json)).canonical_form
    assert canonical == avro.schema.parse(json.dumps(without.document.schema_json)).canonical_form
    assert with_doc.content_hash != without.content_hash


# --------------------------------------------------------------------------------------
# load and the cache
# --------------------------------------------------------------------------------------


def test_load_gives_the_parsed_document_and_caches_it() -> None:
    handler = AvroHandler(cache_entries=2)
    parsed = handler.parse(json.dumps(PERSON))
    loaded = handler.load(parsed.content)
    assert loaded.schema_json == parsed.document.schema_json
    assert handler.load(parsed.content) is loaded
    handler.load('"int"')
    handler.load('"long"')
    assert handler.load(parsed.content) is not loaded  # evicted: least recently used


def test_documents_are_usable_after_load() -> None:
    content = HANDLER.parse(json.dumps(PERSON)).content
    validator = HANDLER.compile_validator(HANDLER.load(content))
    assert validator.validate({"age": "x"})[0].path == "/age"


# --------------------------------------------------------------------------------------
# only_annotations_differ
# --------------------------------------------------------------------------------------


def _variant(change: Any) -> Any:
    changed = json.loads(json.dumps(PERSON))
    change(changed)
    return HANDLER.parse(changed).document


BASE = HANDLER.parse(PERSON).document


@pytest.mark.parametrize(
    ("change", "annotation_only"),
    [
        (lambda s: s.update(doc="another"), True),
        (lambda s: s.pop("doc"), True),
        (lambda s: s["fields"][0].update(doc="the name"), True),
        (lambda s: s["fields"][2]["type"][1].update(doc="where"), True),
        (lambda s: s["fields"][4]["type"].update(doc="what"), True),
        (lambda s: s["fields"][9].update(type={"type": "float", "doc": "a ratio"}), True),
        (lambda s: s["fields"][6]["type"].update(items={"type": "string"}), True),
        (lambda s: s.update(aliases=["Human"]), False),
        (lambda s: s["fields"][0].update(aliases=["fullName"]), False),
        (lambda s: s["fields"][0].update(default="x"), False),
        (lambda s: s["fields"][3].update(default={"street": "", "zip": 1}), False),
        (lambda s: s["fields"][8]["type"].update(logicalType="timestamp-micros"), False),
        (lambda s: s.update({"x-owner": "team"}), False),
        (lambda s: s["fields"].append({"name": "extra", "type": "int", "default": 0}), False),
    ],
)
def test_only_annotations_differ(change: Any, annotation_only: bool) -> None:
    assert HANDLER.only_annotations_differ(BASE, _variant(change)) is annotation_only
    assert HANDLER.only_annotations_differ(_variant(change), BASE) is annotation_only


def test_a_doc_key_inside_a_default_value_is_data() -> None:
    schema = record("R", {"name": "m", "type": {"type": "map", "values": "string"}, "default": {"doc": "a"}})
    changed = record("R", {"name": "m", "type": {"type": "map", "values": "string"}, "default": {"doc": "b"}})
    assert not HANDLER.only_annotations_differ(HANDLER.parse(schema).document, HANDLER.parse(changed).document)


def test_identical_schemas_differ_in_nothing_but_annotations() -> None:
    assert HANDLER.only_annotations_differ(BASE, HANDLER.parse(PERSON).document)


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def test_a_conforming_document_has_no_issues() -> None:
    document = {
        "name": "Ada",
        "age": 36,
        "address": {"street": "Main", "zip": 12345},
        "home": {"street": "Side", "zip": 1},
        "kind": "ROBOT",
        "id": "\u00ff\u0000ab",
        "tags": ["a", "b"],
        "scores": {"x": 2**40},
        "born": 1_700_000_000_000,
        "ratio": 1,
        "blob": "any latin-1: \u00e9",
    }
    assert issues(PERSON, document) == []
    assert issues(PERSON, {}) == []  # every field has a default


def test_union_values_are_bare_in_plain_json() -> None:
    assert issues(PERSON, {"name": "x", "age": None}) == []
    assert issues(PERSON, {"age": 5}) == []
    assert where(issues(PERSON, {"age": {"int": 5}})) == [("/age", "union")]
    assert where(issues(PERSON, {"age": "5"})) == [("/age", "union")]


def test_union_values_are_wrapped_in_avro_json() -> None:
    assert issues(PERSON, {"age": {"int": 5}}, "avro-json") == []
    assert issues(PERSON, {"age": None}, "avro-json") == []
    assert where(issues(PERSON, {"age": 5}, "avro-json")) == [("/age", "union")]
    assert where(issues(PERSON, {"age": {"long": 5}}, "avro-json")) == [("/age", "union")]
    assert where(issues(PERSON, {"age": {"int": 5, "null": None}}, "avro-json")) == [("/age", "union")]
    assert where(issues(PERSON, {"age": {"int": "5"}}, "avro-json")) == [("/age/int", "type")]


def test_avro_json_names_record_branches_by_full_name() -> None:
    address = {"street": "s", "zip": "x"}
    assert where(issues(PERSON, {"address": {"com.example.Address": address}}, "avro-json")) == [
        ("/address/com.example.Address/zip", "type")
    ]
    [issue] = issues(PERSON, {"address": {"Address": address}}, "avro-json")
    assert issue.keyword == "union" and "'com.example.Address'" in issue.message


def test_encoding_names_and_unknown_encoding() -> None:
    document = HANDLER.parse(PERSON).document
    wrapped = ValidationOptions(encoding=AvroJsonEncoding.AVRO_JSON)
    assert HANDLER.compile_validator(document, wrapped).validate({"age": 1}) != []
    with pytest.raises(InvalidRequest) as caught:
        HANDLER.compile_validator(document, ValidationOptions(encoding="xml"))
    assert caught.value.field == "encoding"


def test_issue_paths_and_schema_paths() -> None:
    [issue] = issues(PERSON, {"address": {"street": "s", "zip": "12345"}})
    assert issue == ValidationIssue(
        path="/address/zip",
        message="expected int, got string",
        keyword="type",
        schema_path="/fields/2/type/1/fields/1/type",
    )
    # A named type used again is checked at its definition.
    [issue] = issues(PERSON, {"home": {"street": 5, "zip": 1}})
    assert (issue.path, issue.schema_path) == ("/home/street", "/fields/2/type/1/fields/0/type")


def test_missing_fields_without_default_are_required() -> None:
    schema = record("R", {"name": "a", "type": "int"}, {"name": "b", "type": ["null", "int"]})
    found = issues(schema, {"c": 1})
    assert where(found) == [("", "required"), ("", "required")]
    assert "'a'" in found[0].message and found[0].schema_path == "/fields/0"
    assert found[1].schema_path == "/fields/1"


def test_fields_the_schema_does_not_declare_are_ignored() -> None:
    assert issues(record("R", {"name": "a", "type": "int"}), {"a": 1, "extra": [1, 2]}) == []


@pytest.mark.parametrize(
    ("type_", "value", "keyword"),
    [
        ("null", None, None),
        ("null", 0, "type"),
        ("boolean", True, None),
        ("boolean", 1, "type"),
        ("int", 2**31 - 1, None),
        ("int", -(2**31), None),
        ("int", 2**31, "range"),
        ("int", True, "type"),
        ("int", 5.0, "type"),
        ("long", 2**63 - 1, None),
        ("long", -(2**63) - 1, "range"),
        ("float", 1, None),
        ("float", 3.5e38, "range"),
        ("float", float("inf"), None),
        ("float", float("nan"), None),
        ("double", 1e308, None),
        ("double", 10**400, "range"),
        ("double", "1.5", "type"),
        ("string", "", None),
        ("string", b"x", "type"),
        ("bytes", "\u00ff\u0000", None),
        ("bytes", "\u20ac", "bytes"),
        ({"type": "fixed", "name": "F", "size": 2}, "ab", None),
        ({"type": "fixed", "name": "F", "size": 2}, "abc", "fixed-size"),
        ({"type": "fixed", "name": "F", "size": 2}, "\u20ac!", "bytes"),
        ({"type": "enum", "name": "E", "symbols": ["A"]}, "A", None),
        ({"type": "enum", "name": "E", "symbols": ["A"], "default": "A"}, "B", "enum"),
        ({"type": "enum", "name": "E", "symbols": ["A"]}, 1, "type"),
        ({"type": "array", "items": "int"}, (1, 2), "type"),
        ({"type": "map", "values": "int"}, [], "type"),
        ({"type": "int", "logicalType": "date"}, 19000, None),
        ({"type": "int", "logicalType": "date"}, "2024-01-01", "type"),
        ({"type": "string", "logicalType": "uuid"}, "not-checked-as-a-uuid", None),
        ({"type": "bytes", "logicalType": "decimal", "precision": 4}, "\u0001\u00ff", None),
    ],
)
def test_values(type_: Any, value: object, keyword: str | None) -> None:
    found = issues(record("R", {"name": "v", "type": type_}), {"v": value})
    assert [issue.keyword for issue in found] == ([keyword] if keyword else [])
    assert all(issue.path == "/v" for issue in found)


def test_arrays_and_maps_report_each_element() -> None:
    schema = record(
        "R",
        {"name": "list", "type": {"type": "array", "items": "int"}},
        {"name": "map", "type": {"type": "map", "values": "int"}},
    )
    found = issues(schema, {"list": [1, "a", 3, None], "map": {"ok": 1, "a/b": "x", "m~n": 2.5}})
    assert where(found) == [("/list/1", "type"), ("/list/3", "type"), ("/map/a~1b", "type"), ("/map/m~0n", "type")]


def test_every_error_up_to_max_errors() -> None:
    schema = {"type": "array", "items": "int"}
    assert len(issues(schema, ["x"] * 10)) == 10
    assert len(issues(schema, ["x"] * 10, max_errors=3)) == 3
    assert issues(schema, ["x"] * 10, max_errors=0) == []


def test_unions_of_records_pick_the_closest_branch() -> None:
    cat = record("Cat", {"name": "lives", "type": "int"}, {"name": "name", "type": "string"})
    dog = record("Dog", {"name": "bark", "type": "string"}, {"name": "size", "type": "int"})
    schema = {"type": "array", "items": [cat, dog]}
    assert issues(schema, [{"lives": 9, "name": "Tom"}, {"bark": "woof", "size": 3}]) == []
    # Closer to a Dog (one problem) than to a Cat (two missing fields).
    found = issues(schema, [{"bark": "woof", "size": "big"}])
    assert where(found) == [("/0/size", "type")]


def test_ambiguous_recursive_unions_are_not_exponential() -> None:
    """Both branches accept any object, so every level is tried twice; without the
    memo a 40-level document would take 2**40 steps."""
    right = record("Right", {"name": "child", "type": ["null", "Left", "Right"], "default": None})
    left = record(
        "Left",
        {"name": "child", "type": ["null", "Left", right], "default": None},
        {"name": "x", "type": "int", "default": 0},
    )
    schema = record("Root", {"name": "child", "type": [left, "Right"]})
    document: dict[str, Any] = {"child": "leaf"}
    for _ in range(40):
        document = {"child": document}
    started = time.perf_counter()
    found = issues(schema, {"child": document})
    assert time.perf_counter() - started < 2
    assert [issue.keyword for issue in found] == ["union"]


LINKED = record("Node", {"name": "value", "type": "int"}, {"name": "next", "type": ["null", "Node"]})


def _linked(depth: int, last_value: object = 0) -> dict[str, Any]:
    node: dict[str, Any] = {"value": last_value, "next": None}
    for index in range(depth):
        node = {"value": index, "next": node}
    return node


def test_recursive_schemas_validate_nested_documents() -> None:
    assert issues(LINKED, _linked(100)) == []
    [issue] = issues(LINKED, _linked(3, last_value="x"))
    assert issue.path == "/next/next/next/value" and issue.schema_path == "/fields/0/type"


def test_deep_documents_are_reported_not_raised() -> None:
    [issue] = issues(LINKED, _linked(50_000))
    assert issue.keyword == "nesting"


def test_wrapped_recursive_unions() -> None:
    document = {"value": 1, "next": {"Node": {"value": 2, "next": {"Node": {"value": "x", "next": None}}}}}
    assert where(issues(LINKED, document, "avro-json")) == [("/next/Node/next/Node/value", "type")]


def test_a_validator_is_shared_safely_between_threads() -> None:
    validator = HANDLER.compile_validator(HANDLER.parse(LINKED).document)
    good, bad = _linked(30), _linked(30, last_value="x")

    def check(index: int) -> int:
        return len(validator.validate(good if index % 2 else bad))

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(check, range(200)))
    assert counts == [0 if index % 2 else 1 for index in range(200)]


def test_documents_validated_as_json_text_payloads() -> None:
    # What the HTTP layer hands over: parsed JSON; a str is a JSON string value.
    assert issues("string", "text") == []
    assert where(issues("string", 5)) == [("", "type")]
    assert where(issues(["null", "string"], 5)) == [("", "union")]


SPELLINGS_OF_ONE_SCHEMA = [
    {
        "type": "record",
        "name": "acme.Order",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "item", "type": {"type": "record", "name": "Item", "fields": [{"name": "sku", "type": "string"}]}},
            {"name": "spare", "type": ["null", "Item"], "default": None},
        ],
    },
    {
        "type": "record",
        "namespace": "acme",
        "name": "Order",
        "fields": [
            {"name": "id", "type": {"type": "string"}},
            {
                "name": "item",
                "type": {
                    "type": "record",
                    "name": "acme.Item",
                    "fields": [{"name": "sku", "type": {"type": "string"}}],
                },
            },
            {"name": "spare", "type": ["null", "Item"], "default": None},
        ],
    },
    {
        "fields": [
            {"type": "string", "name": "id"},
            {
                "type": {
                    "fields": [{"type": "string", "name": "sku"}],
                    "name": "Item",
                    "namespace": "acme",
                    "type": "record",
                },
                "name": "item",
            },
            {"default": None, "type": ["null", "acme.Item"], "name": "spare"},
        ],
        "name": "Order",
        "namespace": "acme",
        "type": "record",
    },
]


def test_spellings_of_one_schema_share_a_content_hash() -> None:
    handler = AvroHandler()
    hashes = {handler.parse(json.dumps(schema)).content_hash for schema in SPELLINGS_OF_ONE_SCHEMA}
    assert len(hashes) == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"type": "record", "name": "acme.Order", "doc": "orders", "fields": [{"name": "id", "type": "string"}]},
        {"type": "record", "name": "other.Order", "fields": [{"name": "id", "type": "string"}]},
        {"type": "record", "name": "acme.Order", "aliases": ["Old"], "fields": [{"name": "id", "type": "string"}]},
        {"type": "record", "name": "acme.Order", "fields": [{"name": "id", "type": "string", "default": ""}]},
        {
            "type": "record",
            "name": "acme.Order",
            "fields": [{"name": "id", "type": {"type": "string", "logicalType": "uuid"}}],
        },
    ],
)
def test_what_changes_meaning_or_annotations_changes_the_hash(changed: dict[str, Any]) -> None:
    handler = AvroHandler()
    plain = {"type": "record", "name": "acme.Order", "fields": [{"name": "id", "type": "string"}]}
    assert handler.parse(json.dumps(changed)).content_hash != handler.parse(json.dumps(plain)).content_hash
