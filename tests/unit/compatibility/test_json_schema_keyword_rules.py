"""The JSON Schema engine's change names and keyword rows.

The behaviour of every rule is pinned by test_json_schema_compat.py; these tests keep the
names findable (each one spelled out where it is produced) and the rows well formed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry.domain.compatibility.json_schema import ChangeType
from registry.domain.compatibility.json_schema import keywords as rules
from registry.domain.compatibility.json_schema.value_kinds import COUNT, STEP, TEXT, ValueKind

PACKAGE = Path(rules.__file__).parent
SOURCES = {path.name: path.read_text() for path in PACKAGE.glob("*.py")}
KEYWORD_RULES = [value for value in vars(rules).values() if isinstance(value, rules.KeywordRule)]


@pytest.mark.parametrize("change", list(ChangeType), ids=str)
def test_every_change_name_is_spelled_out_where_it_is_produced(change: ChangeType) -> None:
    spelled = re.compile(rf"\bChangeType\.{change.name}\b")
    producers = [name for name, text in SOURCES.items() if name != "changes.py" and spelled.search(text)]
    assert producers, f"no module outside changes.py names ChangeType.{change.name}"


def test_no_change_name_is_assembled_from_pieces() -> None:
    suffixes = "ADDED|REMOVED|INCREASED|DECREASED|EXTENDED|NARROWED|CHANGED|EXPANDED|REDUCED"
    assembled = re.compile(rf"\}}_({suffixes})\b")
    assert [name for name, text in SOURCES.items() if assembled.search(text)] == []


def test_the_rows_cover_the_keywords_compared_on_their_own() -> None:
    assert {rule.keyword for rule in KEYWORD_RULES} == {
        "maxLength", "minLength", "pattern", "format", "multipleOf",
        "maxProperties", "minProperties", "maxItems", "minItems", "maxContains", "uniqueItems",
    }  # fmt: skip
    grouped = [*rules.STRING_RULES, *rules.NUMBER_RULES, *rules.OBJECT_RULES, *rules.ARRAY_COUNT_RULES,
               *rules.ARRAY_UNIQUENESS_RULES]  # fmt: skip
    assert sorted(rule.keyword for rule in grouped) == sorted(rule.keyword for rule in KEYWORD_RULES)


@pytest.mark.parametrize(
    ("values", "names"),
    [
        (
            COUNT,
            {
                "added": ChangeType.MAX_ITEMS_ADDED,
                "removed": ChangeType.MAX_ITEMS_REMOVED,
                "increased": ChangeType.MAX_ITEMS_INCREASED,
            },
        ),
        (TEXT, {"added": ChangeType.PATTERN_ADDED, "removed": ChangeType.PATTERN_REMOVED}),
        (
            STEP,
            {
                "added": ChangeType.MULTIPLE_OF_ADDED,
                "removed": ChangeType.MULTIPLE_OF_REMOVED,
                "increased": ChangeType.MULTIPLE_OF_EXPANDED,
                "decreased": ChangeType.MULTIPLE_OF_REDUCED,
            },
        ),
    ],  # fmt: skip
    ids=["count-without-decreased", "text-without-changed", "step-without-changed"],
)
def test_a_row_must_name_a_change_for_every_way_its_values_can_move(
    values: ValueKind, names: dict[str, ChangeType]
) -> None:
    with pytest.raises(ValueError, match="names no change"):
        rules.KeywordRule("someKeyword", values, **names)


def test_rows_are_walked_in_order_and_name_the_change_by_direction() -> None:
    old = {"maxLength": 5, "minLength": 0, "pattern": "^a", "format": "date"}
    new = {"maxLength": 3, "minLength": 2, "pattern": "^b"}
    assert [(change.type, change.path) for change in rules.compare_keywords(rules.STRING_RULES, old, new)] == [
        (ChangeType.MAX_LENGTH_DECREASED, ("maxLength",)),
        (ChangeType.MIN_LENGTH_ADDED, ("minLength",)),  # minLength 0 constrained nothing
        (ChangeType.PATTERN_CHANGED, ("pattern",)),
        (ChangeType.FORMAT_REMOVED, ("format",)),
    ]
