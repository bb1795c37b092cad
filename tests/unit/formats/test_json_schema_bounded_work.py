"""JSON Schema work grows with the input's size, never faster (issue 12, items 1, 2 and 13).

Work is counted in function calls (``tests.support.work``), not timed: the bounds hold on any
machine, and code that does quadratic work fails at once instead of running for minutes.
Before these fixes, registering a schema cost 180-1,200 calls per property (jsonschema's
metaschema validation, a reference resolution per subschema) and ``uniqueItems`` over 500
mixed items 2,500 calls per item, growing with the array. Timings: ``bench/json_schema_cpu.py``.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from registry.domain.errors import InvalidSchema
from registry.domain.formats.json_schema import JsonSchemaHandler, compile_validator, parse_schema
from registry.domain.formats.json_schema.metaschema import MAX_EXAMINED_SUBSCHEMAS
from tests.support.large_schemas import configuration_like, many_properties, mixed_items, short_name
from tests.support.work import function_calls_at_most

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT6 = "http://json-schema.org/draft-06/schema#"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2019 = "https://json-schema.org/draft/2019-09/schema"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"
DIALECTS = [DRAFT4, DRAFT6, DRAFT7, DRAFT2019, DRAFT2020]

# --------------------------------------------------------------------------------------
# Item 1: uniqueItems (and enum) in O(n log n)
# --------------------------------------------------------------------------------------


def test_unique_items_over_12000_mixed_items() -> None:
    validator = compile_validator({"type": "array", "uniqueItems": True})
    items = mixed_items(12_000)
    with function_calls_at_most(20 * len(items)):
        assert validator.validate(items) == []
        [issue] = validator.validate([*items, {"v": [4.0], "k": 4}])  # items[4] is {"k": 4, "v": [4]}
    assert issue.keyword == "uniqueItems" and issue.message.endswith("has non-unique elements")


def test_a_draft_04_enum_of_12001_mixed_values_is_checked_in_linear_time() -> None:
    values = mixed_items(12_001)
    with function_calls_at_most(40 * len(values)):
        parse_schema({"$schema": DRAFT4, "enum": values})
    with function_calls_at_most(40 * len(values)), pytest.raises(InvalidSchema) as caught:
        parse_schema({"$schema": DRAFT4, "enum": [*values, 5.0]})  # 5 is among them
    [problem] = caught.value.problems
    assert problem.location == "/enum" and problem.message.endswith("has non-unique elements")


def test_the_same_enum_with_an_invalid_sibling_reports_the_sibling_in_linear_time() -> None:
    values = mixed_items(12_001)
    with function_calls_at_most(40 * len(values)), pytest.raises(InvalidSchema) as caught:
        parse_schema({"$schema": DRAFT4, "enum": values, "minLength": -1})
    assert [problem.location for problem in caught.value.problems] == ["/minLength"]


def test_12000_items_against_an_enum_of_12001_values() -> None:
    validator = compile_validator({"type": "array", "items": {"enum": mixed_items(12_001)}})
    items = mixed_items(12_000)
    # Two validations at about 32 calls an item (the budget check on each descent included).
    with function_calls_at_most(80 * len(items)):
        assert validator.validate(items) == []
        [issue] = validator.validate([*items, "not one of them"])
    assert issue.keyword == "enum" and issue.path == "/12000"


@pytest.mark.parametrize("dialect", [DRAFT4, DRAFT2020])
def test_documents_validated_against_a_bundled_metaschema_get_the_same_unique_items(dialect: str) -> None:
    """A reference to an official metaschema, of the schema's draft or another: jsonschema
    validated those with its stock classes (pairwise uniqueItems) on entering them."""
    validator = compile_validator(parse_schema({"$schema": dialect, "properties": {"inner": {"$ref": DRAFT4}}}))
    values = mixed_items(12_000)
    with function_calls_at_most(40 * len(values)):
        assert validator.validate({"inner": {"enum": values}}) == []
        issues = validator.validate({"inner": {"enum": [*values, 5.0], "multipleOf": 0}})
    # draft-04's rules, whatever the referring schema's draft (exclusiveMinimum is a flag there)
    assert [(issue.keyword, issue.schema_path) for issue in issues] == [
        ("minimum", "/properties/inner/$ref/properties/multipleOf/minimum"),
        ("uniqueItems", "/properties/inner/$ref/properties/enum/uniqueItems"),
    ]
    assert issues[0].message == "0 is less than or equal to the minimum of 0"


@pytest.mark.parametrize("combinator", ["anyOf", "oneOf"])
def test_failing_branches_over_a_large_document_are_not_collected_whole(combinator: str) -> None:
    """jsonschema gathers every error of every failing branch before reporting the closest."""
    validator = compile_validator({combinator: [{"items": {"type": "string"}}, {"items": {"type": "number"}}]})
    items: list[object] = [number if number % 2 else str(number) for number in range(100_000)]
    with function_calls_at_most(200_000):
        [issue] = validator.validate(items)
    assert issue.keyword == combinator
    assert "is not valid under any of the given schemas; closest match failed with: " in issue.message


# --------------------------------------------------------------------------------------
# Item 2: registering a schema costs a few calls per schema object, in every dialect
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("subschema", "calls_per_property"),
    [({}, 80), ({"type": "string", "minLength": 1, "description": "d"}, 110)],
    ids=["empty", "typed"],
)
def test_parsing_costs_a_bounded_number_of_calls_per_property(
    dialect: str, subschema: object, calls_per_property: int
) -> None:
    count = 10_000
    schema = many_properties(count, dialect, subschema)
    with function_calls_at_most(calls_per_property * count):
        parse_schema(schema)


def test_the_largest_schema_the_limits_allow_registers() -> None:
    """95,000 properties in 851 KB: every limit holds (100,000 JSON values, 1 MB)."""
    text = orjson.dumps(many_properties(95_000, DRAFT2020, {})).decode()
    assert len(text) < 1024 * 1024
    with function_calls_at_most(80 * 95_000):
        parsed = JsonSchemaHandler().parse(text)
    assert parsed.document["properties"][short_name(94_999)] == {}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_one_invalid_property_among_many_is_found_and_located_in_linear_time(dialect: str) -> None:
    count = 20_000
    schema = many_properties(count, dialect, {"type": "string"})
    schema["properties"][short_name(count - 1)] = {"type": "strnig"}
    with function_calls_at_most(150 * count), pytest.raises(InvalidSchema) as caught:
        parse_schema(schema)
    [problem] = caught.value.problems
    assert problem.location == f"/properties/{short_name(count - 1)}/type"
    assert "'strnig'" in problem.message


def test_many_invalid_subschemas_are_reported_up_to_the_limit_in_linear_time() -> None:
    count = 20_000
    schema = many_properties(count, DRAFT2020, {"minLength": -1})
    with function_calls_at_most(150 * count), pytest.raises(InvalidSchema) as caught:
        parse_schema(schema)
    assert len(caught.value.problems) == 100
    assert all(problem.location.endswith("/minLength") for problem in caught.value.problems)


@pytest.mark.parametrize(
    ("dialect", "position"),
    [(DRAFT4, "additionalProperties"), (DRAFT7, "items"), (DRAFT2019, "items"), (DRAFT2020, "dependencies")],
)
def test_invalid_subschemas_under_an_any_of_of_the_metaschema_are_examined_a_bounded_number_of_times(
    dialect: str, position: str
) -> None:
    """jsonschema collects every error of a failing ``anyOf`` branch before it reports the
    ``anyOf``: here 20,000 of them. Past MAX_EXAMINED_SUBSCHEMAS invalid subschemas,
    each further one is reported whole, without looking inside."""
    count = 20_000
    invalid = {short_name(number): {"type": 5, "minimum": "0"} for number in range(count)}
    holder: dict[str, Any] = {"properties": invalid}
    schema = {"$schema": dialect, position: {"a": holder} if position == "dependencies" else holder}
    assert count > MAX_EXAMINED_SUBSCHEMAS
    with function_calls_at_most(150 * count), pytest.raises(InvalidSchema) as caught:
        parse_schema(schema)
    [problem] = caught.value.problems
    assert problem.location in (f"/{position}", f"/{position}/a")


def test_a_deep_chain_of_invalid_subschemas_is_reported_in_linear_time() -> None:
    node: dict[str, Any] = {"type": 5}
    for _ in range(60):
        node = {"additionalProperties": node, "enum": [f"value-{number}" for number in range(500)]}
    with function_calls_at_most(4_000_000), pytest.raises(InvalidSchema) as caught:
        parse_schema({"$schema": DRAFT4, **node})
    assert [problem.location for problem in caught.value.problems] == ["/additionalProperties"]


def test_compiling_a_validator_for_the_largest_schema_costs_a_bounded_number_of_calls() -> None:
    schema = parse_schema(many_properties(45_000, DRAFT7, {"type": "string"}))
    with function_calls_at_most(120 * 45_000):
        validator = compile_validator(schema)
    assert validator.validate({"0": "a", "1": 2})[0].path == "/1"


# --------------------------------------------------------------------------------------
# Item 13: a 1 MB real-world-like schema (the shape of SchemaStore's vector.json)
# --------------------------------------------------------------------------------------


def test_a_one_megabyte_configuration_schema_registers_in_linear_time() -> None:
    text = orjson.dumps(configuration_like(700)).decode()
    assert 0.95 * 1024 * 1024 < len(text) < 1024 * 1024
    with function_calls_at_most(2 * len(text)):
        parsed = JsonSchemaHandler().parse(text)
    validator = compile_validator(parsed.document)
    source = {"kind": "component_3", "mode": "fast", "timeout": "5s"}
    assert validator.validate({"sources": {"in": source}}) == []
    [issue] = validator.validate({"sources": {"in": {**source, "timeout": "5 s"}}})
    assert issue.path == "/sources/in"
