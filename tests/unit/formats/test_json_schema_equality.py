"""JSON Schema's equality in ``uniqueItems`` and ``enum``: 1 equals 1.0, true is not 1, objects
by content whatever their key order, arrays by content in order (issue 12, item 1)."""

from __future__ import annotations

from typing import Any

import hypothesis
import jsonschema
import pytest
from hypothesis import strategies as st

from registry.domain.errors import InvalidSchema
from registry.domain.formats.json_schema import compile_validator, parse_schema
from registry.domain.formats.json_schema.equality import IndexedEnum, has_duplicates, json_key

DRAFT4 = "http://json-schema.org/draft-04/schema#"

EQUAL_PAIRS: list[tuple[object, object]] = [
    (1, 1.0),
    (0, -0.0),
    (2**63, float(2**63)),
    (1.5, 1.5),
    ("a", "a"),
    (None, None),
    (True, True),
    ([1, "a"], [1.0, "a"]),
    ({"a": 1, "b": [2]}, {"b": [2.0], "a": 1}),
    ({"a": {"b": {"c": 1}}}, {"a": {"b": {"c": 1.0}}}),
    ([], []),
    ({}, {}),
]
DISTINCT_PAIRS: list[tuple[object, object]] = [
    (1, True),
    (0, False),
    (True, False),
    (None, False),
    (None, 0),
    ("1", 1),
    ("", None),
    ([1, 2], [2, 1]),
    ([1], [1, 1]),
    ([1], [True]),
    ([0], [False]),
    ({"a": 1}, {"a": True}),
    ({"a": 1}, {"a": 1, "b": 1}),
    ({"a": 1}, {"b": 1}),
    ([], {}),
    ([], None),
    (2**63 + 1, float(2**63 + 1)),  # the float rounds to 2**63
]


@pytest.mark.parametrize(("one", "other"), EQUAL_PAIRS)
def test_equal_values_are_duplicates(one: object, other: object) -> None:
    assert json_key(one) == json_key(other)
    assert has_duplicates([one, other])
    [issue] = compile_validator({"uniqueItems": True}).validate([one, "filler", other])
    assert issue.keyword == "uniqueItems" and issue.path == "" and issue.schema_path == "/uniqueItems"
    assert issue.message == f"{[one, 'filler', other]!r} has non-unique elements"  # jsonschema's message


@pytest.mark.parametrize(("one", "other"), DISTINCT_PAIRS)
def test_distinct_values_are_not_duplicates(one: object, other: object) -> None:
    assert json_key(one) != json_key(other)
    assert not has_duplicates([one, other])
    assert compile_validator({"uniqueItems": True}).validate([one, other]) == []


def test_equal_items_that_sorting_does_not_bring_together_are_duplicates() -> None:
    # jsonschema sorts these (Python sees [1] == [True] == [1.0]) and compares neighbours
    # only, so it called [1] and [1.0] unique.
    assert compile_validator({"uniqueItems": True}).validate([[1], [True], [1.0]]) != []
    assert compile_validator({"uniqueItems": True}).validate([[1], [True], [2]]) == []


def test_unique_items_only_applies_to_arrays_and_only_when_true() -> None:
    assert compile_validator({"uniqueItems": True}).validate({"a": 1, "b": 1}) == []
    assert compile_validator({"uniqueItems": False}).validate([1, 1]) == []


def test_metaschema_unique_items_follow_the_same_equality() -> None:
    with pytest.raises(InvalidSchema) as caught:
        parse_schema({"$schema": DRAFT4, "enum": [{"a": 1, "b": 2}, "x", {"b": 2, "a": 1.0}]})
    [problem] = caught.value.problems
    assert problem.location == "/enum" and problem.message.endswith("has non-unique elements")
    parse_schema({"$schema": DRAFT4, "enum": [1, True, 0, False, None, "1", [1], [True]]})
    with pytest.raises(InvalidSchema):
        parse_schema({"$schema": DRAFT4, "enum": [[1], [True], [1.0]]})
    with pytest.raises(InvalidSchema):
        parse_schema({"required": ["a", "b", "a"]})


SMALL_ENUM: list[object] = [1, {"a": [1, 2]}, [None, True], False, "value-7"]  # compared one by one
LARGE_ENUM: list[object] = SMALL_ENUM + [f"value-{number}" for number in range(20) if number != 7]  # indexed


@pytest.mark.parametrize(
    ("instance", "valid"),
    [
        (1, True),
        (1.0, True),
        (True, False),
        (False, True),
        (0, False),
        ({"a": [1.0, 2]}, True),
        ({"a": [2, 1]}, False),
        ([None, True], True),
        ([None, 1], False),
        ("value-7", True),
        ("value-70", False),
    ],
)
@pytest.mark.parametrize("values", [SMALL_ENUM, LARGE_ENUM], ids=["small", "large"])
def test_enums_compare_with_json_equality(values: list[object], instance: object, valid: bool) -> None:
    assert (compile_validator({"enum": values}).validate(instance) == []) == valid


def test_a_large_enum_keeps_jsonschemas_message() -> None:
    [issue] = compile_validator({"enum": LARGE_ENUM}).validate("nope")
    assert issue.keyword == "enum"
    assert issue.message.startswith("'nope' is not one of [1, {'a': [1, 2]}, [None, True], False, ")


def test_indexed_enum_prints_and_compares_as_its_list() -> None:
    indexed = IndexedEnum(LARGE_ENUM)
    assert indexed == LARGE_ENUM and repr(indexed) == repr(LARGE_ENUM)


# --------------------------------------------------------------------------------------
# The same verdicts as jsonschema's own equality (its ``const``), on generated values
# --------------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([0.0, -0.0, 1.0, 1.5, 2.0, -1.0]),
    st.sampled_from(["", "a", "1", "true"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from("abc"), children, max_size=3),
    max_leaves=8,
)


def jsonschema_equal(one: object, other: object) -> bool:
    return bool(jsonschema.Draft202012Validator({"const": one}).is_valid(other))


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(json_values, json_values)
def test_canonical_keys_are_equal_exactly_when_jsonschema_says_so(one: Any, other: Any) -> None:
    assert (json_key(one) == json_key(other)) == jsonschema_equal(one, other)


@hypothesis.settings(max_examples=100, deadline=None)
@hypothesis.given(st.lists(json_values, max_size=6))
def test_duplicates_are_pairs_of_equal_items(values: list[Any]) -> None:
    pairwise = any(
        jsonschema_equal(values[first], values[second])
        for first in range(len(values))
        for second in range(first + 1, len(values))
    )
    assert has_duplicates(values) == pairwise


@hypothesis.settings(max_examples=100, deadline=None)
@hypothesis.given(st.lists(json_values, min_size=8, max_size=12), json_values)
def test_indexed_and_plain_enums_agree(values: list[Any], instance: Any) -> None:
    indexed = compile_validator({"enum": values}).validate(instance) == []
    assert indexed == any(jsonschema_equal(value, instance) for value in values)
