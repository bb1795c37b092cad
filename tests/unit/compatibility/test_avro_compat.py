"""Avro compatibility: schema resolution rules, and agreement with ``avro.compatibility``.

Each table row is a (writer/old, reader/new) pair written from the rules of the Avro
specification's "Schema Resolution" section. BACKWARD is ``backward_violations(old, new)``
(a reader of ``new`` reads data written with ``old``); FORWARD swaps the roles
(``backward_violations(new, old)``).
"""

from __future__ import annotations

import copy
import itertools
import json
import random
import time
from collections.abc import Callable
from typing import Any

import avro.schema
import pytest
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType, SchemaIncompatibilityType

from registry.domain.compatibility.avro import AvroCompatibility
from registry.domain.compatibility.checker import pair_violations
from registry.domain.compatibility.registry import default_compatibility
from registry.domain.formats.avro import AvroHandler
from registry.domain.model import CompatibilityMode, CompatibilityPolicy, SchemaFormat

HANDLER = AvroHandler()
RULES = AvroCompatibility()
STRICT = CompatibilityPolicy.STRICT

NM = "NAME_MISMATCH"
FSM = "FIXED_SIZE_MISMATCH"
MES = "MISSING_ENUM_SYMBOLS"
RFMDV = "READER_FIELD_MISSING_DEFAULT_VALUE"
TM = "TYPE_MISMATCH"
MUB = "MISSING_UNION_BRANCH"

_NO_DEFAULT = object()


# --------------------------------------------------------------------------------------
# Small builders, so a row reads like the change it tests
# --------------------------------------------------------------------------------------


def field(name: str, type_: Any, default: Any = _NO_DEFAULT, aliases: list[str] | None = None) -> dict[str, Any]:
    built: dict[str, Any] = {"name": name, "type": type_}
    if default is not _NO_DEFAULT:
        built["default"] = default
    if aliases is not None:
        built["aliases"] = aliases
    return built


def record(
    name: str, *fields: dict[str, Any], namespace: str | None = None, aliases: list[str] | None = None
) -> dict[str, Any]:
    built: dict[str, Any] = {"type": "record", "name": name, "fields": list(fields)}
    if namespace is not None:
        built["namespace"] = namespace
    if aliases is not None:
        built["aliases"] = aliases
    return built


def enum(name: str, symbols: list[str], default: str | None = None, aliases: list[str] | None = None) -> dict[str, Any]:
    built: dict[str, Any] = {"type": "enum", "name": name, "symbols": symbols}
    if default is not None:
        built["default"] = default
    if aliases is not None:
        built["aliases"] = aliases
    return built


def fixed(name: str, size: int, aliases: list[str] | None = None) -> dict[str, Any]:
    built: dict[str, Any] = {"type": "fixed", "name": name, "size": size}
    if aliases is not None:
        built["aliases"] = aliases
    return built


def array(items: Any) -> dict[str, Any]:
    return {"type": "array", "items": items}


def map_of(values: Any) -> dict[str, Any]:
    return {"type": "map", "values": values}


def logical(base: str, logical_type: str) -> dict[str, Any]:
    return {"type": base, "logicalType": logical_type}


def wrap(type_: Any, *extra: dict[str, Any]) -> dict[str, Any]:
    """A record R holding ``type_`` in field ``f``: the usual place a type changes."""
    return record("R", field("f", type_), *extra)


def linked_list(value_type: str, *extra: dict[str, Any]) -> dict[str, Any]:
    return record("Node", field("value", value_type), field("next", ["null", "Node"], None), *extra)


def doc(schema: Any) -> Any:
    """The handler's document for a schema given as parsed JSON (a str is schema text)."""
    return HANDLER.parse(json.dumps(schema)).document


def violation_types(old: Any, new: Any) -> list[str]:
    return sorted({violation.type for violation in RULES.backward_violations(doc(old), doc(new), STRICT)})


# --------------------------------------------------------------------------------------
# The table: (id, writer/old, reader/new, BACKWARD types, FORWARD types)
# --------------------------------------------------------------------------------------

A_R = record("R", field("a", "int"))
USER = record("User", field("id", "long"), field("name", "string"))

CASES: list[tuple[str, Any, Any, list[str], list[str]]] = [
    # primitives and promotions
    ("same int", "int", "int", [], []),
    ("int to long", "int", "long", [], [TM]),
    ("int to float", "int", "float", [], [TM]),
    ("int to double", "int", "double", [], [TM]),
    ("long to float", "long", "float", [], [TM]),
    ("long to double", "long", "double", [], [TM]),
    ("float to double", "float", "double", [], [TM]),
    ("string to bytes", "string", "bytes", [], []),
    ("long to int", "long", "int", [TM], []),
    ("double to float", "double", "float", [TM], []),
    ("float to long", "float", "long", [TM], []),
    ("int to string", "int", "string", [TM], [TM]),
    ("boolean to int", "boolean", "int", [TM], [TM]),
    ("null to string", "null", "string", [TM], [TM]),
    ("bytes to int", "bytes", "int", [TM], [TM]),
    ("object spelling of a primitive", "int", {"type": "int"}, [], []),
    ("logical type added on the same base", "long", logical("long", "timestamp-millis"), [], []),
    ("date int to timestamp long", logical("int", "date"), logical("long", "timestamp-millis"), [], [TM]),
    ("uuid string to bytes", logical("string", "uuid"), "bytes", [], []),
    ("decimal bytes to string", logical("bytes", "decimal") | {"precision": 9, "scale": 2}, "string", [], []),
    # record fields and defaults
    ("add field with default", A_R, record("R", field("a", "int"), field("b", "string", "")), [], []),
    ("add field without default", A_R, record("R", field("a", "int"), field("b", "string")), [RFMDV], []),
    ("remove field without default", record("R", field("a", "int"), field("b", "string")), A_R, [], [RFMDV]),
    ("remove field with default", record("R", field("a", "int"), field("b", "string", "x")), A_R, [], []),
    (
        "add optional field defaulting to null",
        A_R,
        record("R", field("a", "int"), field("b", ["null", "string"], None)),
        [],
        [],
    ),
    ("field int to long", wrap("int"), wrap("long"), [], [TM]),
    ("field string to int", wrap("string"), wrap("int"), [TM], [TM]),
    (
        "rename field with reader alias",
        record("R", field("old", "int")),
        record("R", field("new", "int", aliases=["old"])),
        [],
        [RFMDV],
    ),
    (
        "rename field without alias",
        record("R", field("old", "int")),
        record("R", field("new", "int")),
        [RFMDV],
        [RFMDV],
    ),
    (
        "rename field without alias, new name has default",
        record("R", field("old", "int")),
        record("R", field("new", "int", 0)),
        [],
        [RFMDV],
    ),
    (
        "reorder fields",
        record("R", field("a", "int"), field("b", "string")),
        record("R", field("b", "string"), field("a", "int")),
        [],
        [],
    ),
    (
        "reader field name wins over its alias; writer aliases are not used",
        record("R", field("a", "int"), field("b", "string")),
        record("R", field("a", "string", aliases=["b"])),
        [TM],
        [RFMDV, TM],
    ),
    (
        "field alias used when the name is missing, then the types are compared",
        record("R", field("old", "string")),
        record("R", field("new", "int", aliases=["old"])),
        [TM],
        [RFMDV],
    ),
    ("empty record gains fields with defaults", record("R"), record("R", field("a", "int", 1)), [], []),
    (
        "nested record gains field without default",
        record("R", field("inner", record("I", field("x", "int")))),
        record("R", field("inner", record("I", field("x", "int"), field("y", "int")))),
        [RFMDV],
        [],
    ),
    (
        "missing reader field of enum type with only an enum default",
        record("R"),
        record("R", field("e", enum("E", ["A", "B"], default="A"))),
        [RFMDV],
        [],
    ),
    (
        "missing reader field of enum type with a field default",
        record("R"),
        record("R", field("e", enum("E", ["A", "B"]), "A")),
        [],
        [],
    ),
    (
        "every field changes at once",
        USER,
        record("User", field("id", "string"), field("nick", "string")),
        [RFMDV, TM],
        [RFMDV, TM],
    ),
    # names and aliases
    ("record renamed", record("A"), record("B"), [NM], [NM]),
    ("record renamed with alias", record("A"), record("B", aliases=["A"]), [], [NM]),
    ("writer's aliases do not help", record("B", aliases=["A"]), record("A"), [NM], []),
    ("namespace change keeps the simple name", record("R", namespace="a"), record("R", namespace="b"), [], []),
    (
        "fully qualified alias across namespaces",
        record("Old", namespace="x"),
        record("New", namespace="y", aliases=["x.Old"]),
        [],
        [NM],
    ),
    (
        "dotless alias is relative to the reader's namespace",
        record("Old", namespace="n"),
        record("New", namespace="n", aliases=["Old"]),
        [],
        [NM],
    ),
    (
        "dotless alias does not reach another namespace",
        record("Old", namespace="x"),
        record("New", namespace="y", aliases=["Old"]),
        [NM],
        [NM],
    ),
    ("enum renamed", wrap(enum("E1", ["A"])), wrap(enum("E2", ["A"])), [NM], [NM]),
    ("enum renamed with alias", wrap(enum("E1", ["A"])), wrap(enum("E2", ["A"], aliases=["E1"])), [], [NM]),
    ("fixed renamed", wrap(fixed("F1", 4)), wrap(fixed("F2", 4)), [NM], [NM]),
    ("fixed renamed with alias", wrap(fixed("F1", 4)), wrap(fixed("F2", 4, aliases=["F1"])), [], [NM]),
    ("renamed record also gains a field", record("A"), record("B", field("x", "int")), [NM, RFMDV], [NM]),
    # enums
    ("enum symbol added", wrap(enum("E", ["A", "B"])), wrap(enum("E", ["A", "B", "C"])), [], [MES]),
    ("enum symbol removed", wrap(enum("E", ["A", "B", "C"])), wrap(enum("E", ["A", "B"])), [MES], []),
    (
        "enum symbol removed, reader has a default",
        wrap(enum("E", ["A", "B", "C"])),
        wrap(enum("E", ["A", "B"], default="A")),
        [],
        [],
    ),
    (
        "enum symbol added, both have defaults",
        wrap(enum("E", ["A", "B"], default="A")),
        wrap(enum("E", ["A", "B", "C"], default="A")),
        [],
        [],
    ),
    ("enum symbols reordered", wrap(enum("E", ["A", "B"])), wrap(enum("E", ["B", "A"])), [], []),
    ("enum to string", wrap(enum("E", ["A"])), wrap("string"), [TM], [TM]),
    (
        "disjoint enums with defaults on both",
        wrap(enum("E", ["A", "B"], default="A")),
        wrap(enum("E", ["C", "D"], default="C")),
        [],
        [],
    ),
    # fixed
    ("fixed size changed", wrap(fixed("F", 4)), wrap(fixed("F", 8)), [FSM], [FSM]),
    ("fixed to bytes", wrap(fixed("F", 4)), wrap("bytes"), [TM], [TM]),
    ("fixed renamed and resized", wrap(fixed("F1", 4)), wrap(fixed("F2", 8)), [FSM, NM], [FSM, NM]),
    # arrays and maps
    ("array of int to array of long", array("int"), array("long"), [], [TM]),
    ("array of int to array of string", array("int"), array("string"), [TM], [TM]),
    ("map of int to map of long", map_of("int"), map_of("long"), [], [TM]),
    ("map of string to map of bytes", map_of("string"), map_of("bytes"), [], []),
    ("array to map", array("int"), map_of("int"), [TM], [TM]),
    (
        "array of records gains a field without default",
        array(record("I", field("x", "int"))),
        array(record("I", field("x", "int"), field("y", "int"))),
        [RFMDV],
        [],
    ),
    ("array of optional int to array of int", array(["null", "int"]), array("int"), [TM], []),
    ("map of arrays of int to map of arrays of double", map_of(array("int")), map_of(array("double")), [], [TM]),
    # unions
    ("int becomes optional", wrap("int"), wrap(["null", "int"]), [], [TM]),
    ("union gains a branch", wrap(["null", "int"]), wrap(["null", "int", "string"]), [], [MUB]),
    ("union branch replaced", wrap(["null", "string"]), wrap(["null", "int"]), [MUB], [MUB]),
    ("union branches reordered", wrap(["int", "string"]), wrap(["string", "int"]), [], []),
    ("union branch promoted", wrap(["null", "int"]), wrap(["null", "long"]), [], [MUB]),
    ("int to optional long", wrap("int"), wrap(["null", "long"]), [], [TM]),
    ("optional int to long", wrap(["null", "int"]), wrap("long"), [TM], [MUB]),
    (
        "optional record gains a defaulted field",
        ["null", record("R", field("a", "int"))],
        ["null", record("R", field("a", "int"), field("b", "int", 0))],
        [],
        [],
    ),
    ("union of two records loses one", [record("A"), record("B")], [record("A")], [MUB], []),
    (
        "optional record renamed with alias",
        ["null", record("Old")],
        ["null", record("New", aliases=["Old"])],
        [],
        [MUB],
    ),
    ("string to optional bytes", wrap("string"), wrap(["null", "bytes"]), [], [TM]),
    (
        "optional enum gains a symbol",
        wrap(["null", enum("E", ["A"])]),
        wrap(["null", enum("E", ["A", "B"])]),
        [],
        [MUB],
    ),
    ("empty union as writer", wrap([]), wrap("int"), [], [MUB]),
    ("union of string and bytes to string", wrap(["string", "bytes"]), wrap("string"), [], []),
    # recursive types
    ("linked list unchanged", linked_list("int"), linked_list("int"), [], []),
    ("linked list gains a defaulted field", linked_list("int"), linked_list("int", field("tag", "string", "")), [], []),
    (
        "linked list gains a field without default",
        linked_list("int"),
        linked_list("int", field("tag", "string")),
        [RFMDV],
        [],
    ),
    ("linked list value int to long", linked_list("int"), linked_list("long"), [], [TM]),
    (
        "tree value int to long",
        record("Tree", field("value", "int"), field("children", array("Tree"))),
        record("Tree", field("value", "long"), field("children", array("Tree"))),
        [],
        [TM],
    ),
    (
        "recursive next replaced by null",
        linked_list("int"),
        record("Node", field("value", "int"), field("next", "null")),
        [TM],
        [],
    ),
    (
        "mutually recursive records, inner gains a field without default",
        record("A", field("b", ["null", record("B", field("a", ["null", "A"]))])),
        record("A", field("b", ["null", record("B", field("a", ["null", "A"]), field("x", "int"))])),
        [MUB],
        [],
    ),
]


def test_the_table_is_big_enough_and_ids_are_unique() -> None:
    assert len(CASES) >= 70
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("writer", "reader", "backward", "forward"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_resolution_rules(writer: Any, reader: Any, backward: list[str], forward: list[str]) -> None:
    assert violation_types(writer, reader) == backward
    assert violation_types(reader, writer) == forward


def test_the_table_agrees_with_avro_compatibility_except_where_documented() -> None:
    # avro.compatibility compares a dotless alias with the writer's full name as written,
    # ignoring the reader's namespace; the specification resolves it in that namespace.
    differing = {"dotless alias is relative to the reader's namespace"}
    for name, writer, reader, backward, forward in CASES:
        for old, new, expected in ((writer, reader, backward), (reader, writer, forward)):
            verdict = avro_says_compatible(old, new)
            if name in differing and old is writer:
                assert verdict is False and expected == [], name
            else:
                assert verdict == (expected == []), (name, old is writer)


# --------------------------------------------------------------------------------------
# Paths and messages
# --------------------------------------------------------------------------------------


def violations_of(old: Any, new: Any) -> list[tuple[str, str]]:
    return [(violation.type, violation.path) for violation in RULES.backward_violations(doc(old), doc(new), STRICT)]


def test_paths_are_json_pointers_into_the_reader() -> None:
    old = record("R", field("id", "int"), field("tags", array("int")), field("kind", enum("K", ["A", "B"])))
    new = record(
        "R",
        field("id", "int"),
        field("tags", array("string")),
        field("kind", enum("K", ["A"])),
        field("added", "int"),
    )
    assert violations_of(old, new) == [
        (TM, "/fields/1/type/items"),
        (MES, "/fields/2/type/symbols"),
        (RFMDV, "/fields/3"),
    ]


def test_root_and_name_and_size_paths() -> None:
    assert violations_of("int", "string") == [(TM, "")]
    assert violations_of(fixed("F", 1), fixed("G", 2)) == [(NM, "/name"), (FSM, "/size")]
    assert violations_of(wrap(["null", "int"]), wrap(["null", "string"])) == [(MUB, "/fields/0/type")]


def test_paths_inside_a_named_type_point_at_its_definition() -> None:
    point = record("P", field("x", "int"))
    old = record("R", field("a", point), field("b", "P"))
    new = record("R", field("a", record("P", field("x", "int"), field("y", "int"))), field("b", "P"))
    # Both fields use P; the fix goes in one place, so it is reported once.
    assert violations_of(old, new) == [(RFMDV, "/fields/0/type/fields/1")]


def test_messages_say_what_is_wrong() -> None:
    [violation] = RULES.backward_violations(doc(wrap(enum("E", ["A", "B", "C"]))), doc(wrap(enum("E", ["A"]))), STRICT)
    assert "B, C" in violation.message and "no default" in violation.message
    [violation] = RULES.backward_violations(doc(record("A")), doc(record("B")), STRICT)
    assert "'A'" in violation.message and "aliases" in violation.message
    [violation] = RULES.backward_violations(doc(wrap("string")), doc(wrap(["null", "int"])), STRICT)
    assert "string" in violation.message and "union [null, int]" in violation.message


def test_policy_does_not_matter() -> None:
    old, new = doc(A_R), doc(record("R", field("a", "int"), field("b", "int")))
    assert RULES.backward_violations(old, new, CompatibilityPolicy.LENIENT) == RULES.backward_violations(
        old, new, CompatibilityPolicy.STRICT
    )


def test_modes_through_the_shared_checker() -> None:
    old = HANDLER.parse(json.dumps(A_R)).document
    new = HANDLER.parse(json.dumps(record("R", field("a", "int"), field("b", "int")))).document
    assert [v.type for v in pair_violations(RULES, new, old, CompatibilityMode.BACKWARD, STRICT)] == [RFMDV]
    assert pair_violations(RULES, new, old, CompatibilityMode.FORWARD, STRICT) == []
    assert [v.type for v in pair_violations(RULES, new, old, CompatibilityMode.FULL, STRICT)] == [RFMDV]


def test_the_registry_looks_up_these_rules_for_avro() -> None:
    rules = default_compatibility().get(SchemaFormat.AVRO)
    assert isinstance(rules, AvroCompatibility) and rules.format is SchemaFormat.AVRO


def test_documents_from_load_and_from_parse_compare_the_same() -> None:
    old_text = json.dumps(linked_list("int"))
    new_text = json.dumps(linked_list("long"))
    loaded = RULES.backward_violations(HANDLER.load(new_text), HANDLER.load(old_text), STRICT)
    parsed = RULES.backward_violations(HANDLER.parse(new_text).document, HANDLER.parse(old_text).document, STRICT)
    assert loaded == parsed and [v.type for v in loaded] == [TM]


def test_interleaved_recursion_cannot_crash_the_comparison() -> None:
    """Reader and writer cycles of coprime lengths pair up in lcm(37, 38) ways before
    repeating, deeper than Python's recursion limit; the answer must still come."""

    def cycle(length: int) -> dict[str, Any]:
        innermost: Any = "N0"
        for index in reversed(range(length)):
            innermost = record(f"N{index}", field("next", innermost))
        return innermost

    result = RULES.backward_violations(doc(cycle(37)), doc(cycle(38)), STRICT)
    assert result  # incompatible either way (the cycles differ), and no RecursionError


def test_unions_that_try_many_branches_stay_fast() -> None:
    """Many same-named candidates would be slow without the name filter and memo."""
    branches = [record(f"R{index}", field("a", "int"), field("b", array(f"R{index}"))) for index in range(60)]
    old, new = doc(branches), doc(list(reversed(branches)))
    started = time.perf_counter()
    assert RULES.backward_violations(old, new, STRICT) == []
    assert time.perf_counter() - started < 2


# --------------------------------------------------------------------------------------
# Cross-check with avro.compatibility on systematically generated pairs
# --------------------------------------------------------------------------------------


def avro_says_compatible(old: Any, new: Any) -> bool:
    reader, writer = _avro_schema(new), _avro_schema(old)
    result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
    return result.compatibility is SchemaCompatibilityType.compatible


_AVRO_SCHEMAS: dict[str, Any] = {}


def _avro_schema(schema: Any) -> Any:
    text = json.dumps(schema, sort_keys=True)
    if text not in _AVRO_SCHEMAS:
        _AVRO_SCHEMAS[text] = avro.schema.parse(text)
    return _AVRO_SCHEMAS[text]


Mutation = Callable[[dict[str, Any]], None]


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return schema["fields"]


def _field_named(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in _fields(schema) if f["name"] == name)


def _set_type(name: str, type_: Any) -> Mutation:
    def mutate(schema: dict[str, Any]) -> None:
        _field_named(schema, name)["type"] = type_
        _field_named(schema, name).pop("default", None)

    return mutate


def _remove_field(name: str) -> Mutation:
    def mutate(schema: dict[str, Any]) -> None:
        schema["fields"] = [f for f in _fields(schema) if f["name"] != name]

    return mutate


def _add_field(new: dict[str, Any]) -> Mutation:
    def mutate(schema: dict[str, Any]) -> None:
        _fields(schema).append(copy.deepcopy(new))

    return mutate


def _rename_field(old: str, new: str, alias: bool) -> Mutation:
    def mutate(schema: dict[str, Any]) -> None:
        target = _field_named(schema, old)
        target["name"] = new
        if alias:
            target["aliases"] = [old]

    return mutate


def _edit_named(path: list[str | int], **changes: Any) -> Mutation:
    """Change attributes of the schema found by following ``path`` from the root."""

    def mutate(schema: dict[str, Any]) -> None:
        target: Any = schema
        for step in path:
            target = target[step]
        for key, value in changes.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = copy.deepcopy(value)

    return mutate


USER_BASE = record(
    "User",
    field("id", "long"),
    field("name", "string"),
    field("email", ["null", "string"], None),
    field("status", enum("Status", ["ACTIVE", "INACTIVE"])),
    field("tags", array("string")),
    field("scores", map_of("int")),
    field("digest", fixed("MD5", 16)),
    field("address", record("Address", field("street", "string"), field("zip", "int"))),
    namespace="com.example",
)
# Paths of the nested named types inside USER_BASE.
STATUS, DIGEST, ADDRESS = ["fields", 3, "type"], ["fields", 6, "type"], ["fields", 7, "type"]

USER_MUTATIONS: dict[str, Mutation] = {
    "add int with default": _add_field(field("age", "int", 0)),
    "add int without default": _add_field(field("age", "int")),
    "add optional": _add_field(field("phone", ["null", "string"], None)),
    "add enum with enum default only": _add_field(field("tier", enum("Tier", ["GOLD", "SILVER"], default="GOLD"))),
    "remove id": _remove_field("id"),
    "remove email": _remove_field("email"),
    "remove address": _remove_field("address"),
    "id to double": _set_type("id", "double"),
    "id to int": _set_type("id", "int"),
    "id to string": _set_type("id", "string"),
    "name to bytes": _set_type("name", "bytes"),
    "name to optional string": _set_type("name", ["null", "string"]),
    "email union gains int": _set_type("email", ["null", "string", "int"]),
    "email union loses null": _set_type("email", "string"),
    "email union to bytes": _set_type("email", ["null", "bytes"]),
    "tags to bytes": _set_type("tags", array("bytes")),
    "tags to map": _set_type("tags", map_of("string")),
    "scores to long": _set_type("scores", map_of("long")),
    "scores to optional int": _set_type("scores", map_of(["null", "int"])),
    "status gains symbol": _edit_named(STATUS, symbols=["ACTIVE", "INACTIVE", "BANNED"]),
    "status loses symbol": _edit_named(STATUS, symbols=["ACTIVE"]),
    "status loses symbol with default": _edit_named(STATUS, symbols=["ACTIVE"], default="ACTIVE"),
    "status default": _edit_named(STATUS, default="INACTIVE"),
    "status renamed": _edit_named(STATUS, name="State"),
    "status renamed with alias": _edit_named(STATUS, name="State", aliases=["com.example.Status"]),
    "digest resized": _edit_named(DIGEST, size=20),
    "digest renamed": _edit_named(DIGEST, name="SHA1"),
    "digest renamed with alias": _edit_named(DIGEST, name="Hash", aliases=["com.example.MD5"]),
    "address renamed": _edit_named(ADDRESS, name="Location"),
    "address renamed with alias": _edit_named(ADDRESS, name="Location", aliases=["com.example.Address"]),
    "address moved namespace": _edit_named(ADDRESS, namespace="org.other"),
    "zip to long": lambda s: _set_type("zip", "long")(s["fields"][7]["type"]),
    "zip to string": lambda s: _set_type("zip", "string")(s["fields"][7]["type"]),
    "address gains field": lambda s: _add_field(field("city", "string"))(s["fields"][7]["type"]),
    "address gains defaulted field": lambda s: _add_field(field("city", "string", ""))(s["fields"][7]["type"]),
    "rename name with alias": _rename_field("name", "full_name", alias=True),
    "rename name without alias": _rename_field("name", "full_name", alias=False),
    "user renamed": _edit_named([], name="Person"),
    "user renamed with alias": _edit_named([], name="Person", aliases=["com.example.User"]),
    "user namespace changed": _edit_named([], namespace="org.example"),
}


def _variants(base: dict[str, Any], mutations: dict[str, Mutation], doubles: int, seed: int) -> list[Any]:
    variants = [copy.deepcopy(base)]
    for mutate in mutations.values():
        variant = copy.deepcopy(base)
        mutate(variant)
        variants.append(variant)
    # Pairs of changes reach combinations single changes cannot (a rename plus a
    # type change in the renamed thing, say). Seeded, so every run tests the same pairs.
    chooser = random.Random(seed)
    names = list(mutations)
    for first, second in chooser.sample(list(itertools.combinations(names, 2)), doubles):
        variant = copy.deepcopy(base)
        try:
            mutations[first](variant)
            mutations[second](variant)
        except (StopIteration, IndexError, KeyError, TypeError):
            continue  # the first change removed what the second edits
        variants.append(variant)
    return [variant for variant in variants if _is_valid(variant)]


def _is_valid(schema: Any) -> bool:
    try:
        HANDLER.parse(json.dumps(schema))
    except Exception:  # noqa: BLE001 - a combination that is not a schema is skipped
        return False
    return True


RECURSIVE_BASE = record(
    "Tree",
    field("value", "int"),
    field("children", array("Tree")),
    field("parent", ["null", "Tree"], None),
    field("meta", ["null", record("Meta", field("owner", ["null", "Tree"], None), field("label", "string"))], None),
)
META = ["fields", 3, "type", 1]
RECURSIVE_MUTATIONS: dict[str, Mutation] = {
    "value to long": _set_type("value", "long"),
    "value to string": _set_type("value", "string"),
    "add field without default": _add_field(field("weight", "double")),
    "add field with default": _add_field(field("weight", "double", 1.0)),
    "children to map": _set_type("children", map_of("Tree")),
    "parent not optional": _set_type("parent", "Tree"),
    "parent gains int": _set_type("parent", ["null", "Tree", "int"]),
    "remove parent": _remove_field("parent"),
    "meta label to bytes": lambda s: _set_type("label", "bytes")(s["fields"][3]["type"][1]),
    "meta gains field": lambda s: _add_field(field("extra", "int"))(s["fields"][3]["type"][1]),
    "meta renamed": _edit_named(META, name="Info"),
    "meta renamed with alias": _edit_named(META, name="Info", aliases=["Meta"]),
    "meta owner not optional": lambda s: _set_type("owner", "Tree")(s["fields"][3]["type"][1]),
    "tree renamed with alias": _edit_named([], name="Node", aliases=["Tree"]),
}

UNION_VARIANTS: list[Any] = [
    "int",
    "long",
    "string",
    "bytes",
    "null",
    ["null", "int"],
    ["null", "long"],
    ["int", "string"],
    ["null", "string", "int"],
    ["string", "bytes"],
    ["null", record("A", field("x", "int"))],
    ["null", record("A", field("x", "long"))],
    ["null", record("A", field("x", "int"), field("y", "int"))],
    ["null", record("B", field("x", "int"), aliases=["A"])],
    [record("A", field("x", "int")), record("B", field("x", "int"))],
    [record("B", field("x", "int")), record("A", field("x", "int"), field("y", "int", 0))],
    ["null", enum("E", ["X", "Y"])],
    ["null", enum("E", ["X"], default="X")],
    [enum("E", ["X", "Y", "Z"]), "string"],
    ["null", fixed("F", 2), fixed("G", 4)],
    ["null", fixed("F", 4)],
    [array("int"), map_of("int")],
    [array("long"), "null"],
    [map_of(["null", "int"])],
    [],
]

PRIMITIVE_VARIANTS: list[Any] = [
    "null",
    "boolean",
    "int",
    "long",
    "float",
    "double",
    "bytes",
    "string",
    logical("int", "date"),
    logical("long", "timestamp-micros"),
    logical("bytes", "decimal") | {"precision": 4, "scale": 2},
    logical("string", "uuid"),
    array("int"),
    map_of("float"),
]


FAMILIES: dict[str, list[Any]] = {
    "record": _variants(USER_BASE, USER_MUTATIONS, doubles=40, seed=7),
    "recursive": _variants(RECURSIVE_BASE, RECURSIVE_MUTATIONS, doubles=20, seed=11),
    "union": UNION_VARIANTS,
    "primitive": PRIMITIVE_VARIANTS,
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_verdicts_agree_with_avro_compatibility(family: str) -> None:
    variants = FAMILIES[family]
    documents = [HANDLER.parse(json.dumps(variant)).document for variant in variants]
    disagreements = []
    compared = 0
    for (old, old_doc), (new, new_doc) in itertools.product(zip(variants, documents, strict=True), repeat=2):
        ours = RULES.backward_violations(old_doc, new_doc, STRICT) == []
        theirs = avro_says_compatible(old, new)
        compared += 1
        if ours != theirs:
            disagreements.append((old, new, ours, theirs))
    assert compared >= len(variants) ** 2 >= 100
    assert disagreements == [], f"{len(disagreements)} of {compared} pairs disagree; first: {disagreements[0]}"


def test_the_generated_pairs_cover_every_incompatibility_type() -> None:
    seen: set[str] = set()
    for variants in FAMILIES.values():
        documents = [HANDLER.parse(json.dumps(variant)).document for variant in variants]
        for old, new in itertools.product(documents, repeat=2):
            seen.update(violation.type for violation in RULES.backward_violations(old, new, STRICT))
    assert seen == {kind.name.upper() for kind in SchemaIncompatibilityType}
