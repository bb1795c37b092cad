"""Per-keyword rules: keywords compared on their own, without recursing into subschemas.

Most assertion keywords follow one pattern: the reader adds the keyword, drops it, or changes
its value, and each of those is one change name.  Those keywords are rows (a
:class:`KeywordRule` says which keyword, how its values compare -- a kind from
``value_kinds.py`` -- and which name each change gets) walked by :func:`compare_keywords`, in
the spirit of Karapace's ``AssertionCheck``.
``maximum``/``minimum`` and their exclusive twins are rows too, paired into a :class:`Limit`
because the tighter of the two is what limits a value.  Keywords whose rule is not that
pattern (``type``, ``enum``/``const``, annotations, ``minContains``) are code below.

Where this departs from Confluent (whose model is everit's schema classes rather than keywords):

* adding ``enum``/``const`` is ``ENUM_ARRAY_NARROWED`` (Confluent: ``TYPE_CHANGED``), dropping
  it ``ENUM_ARRAY_EXTENDED`` (Confluent: ``PRODUCT_TYPE_NARROWED``); same verdicts;
* adding ``"type"`` to a schema that had none is ``TYPE_NARROWED`` (Confluent: silent, as both
  are, say, ObjectSchemas), because the old schema accepted non-objects;
* ``format`` is compared like ``pattern`` (``FORMAT_*``, an extension), and so are
  ``maxContains``/``minContains`` (the names Confluent's 8.x line uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from registry.domain.compatibility.json_schema.changes import Change, ChangeType
from registry.domain.compatibility.json_schema.document import SchemaView, schema_id
from registry.domain.compatibility.json_schema.json_values import (
    KNOWN_TYPES,
    admits,
    as_number,
    freeze,
    json_type,
    widen,
)
from registry.domain.compatibility.json_schema.messages import show_types, show_values
from registry.domain.compatibility.json_schema.value_kinds import (
    COUNT,
    FLAG,
    MINIMUM_COUNT,
    STEP,
    TEXT,
    Direction,
    ValueKind,
)

# --------------------------------------------------------------------------------------
# Keywords as rows
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """One keyword compared on its own: how its values compare and the change each difference is.

    ``increased``/``decreased`` are the value moving up or down in its kind's order (for
    multipleOf, the order of divisibility); ``changed`` is a new value that is neither.
    """

    keyword: str
    values: ValueKind
    added: ChangeType
    removed: ChangeType
    increased: ChangeType | None = None
    decreased: ChangeType | None = None
    changed: ChangeType | None = None

    def __post_init__(self) -> None:
        for direction in self.values.directions:
            if self.on(direction) is None:
                raise ValueError(f"the rule for {self.keyword!r} names no change for a value that {direction.value}")

    def on(self, direction: Direction) -> ChangeType | None:
        if direction is Direction.INCREASED:
            return self.increased
        if direction is Direction.DECREASED:
            return self.decreased
        return self.changed


def compare_keywords(rules: tuple[KeywordRule, ...], old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes the reader `new` makes to each rule's keyword of the writer `old`, in rule order."""
    diffs: list[Change] = []
    for rule in rules:
        keyword = rule.keyword
        old_raw, new_raw = old.get(keyword), new.get(keyword)
        if old_raw is None and new_raw is None:
            continue  # the common case, and every kind of value reads None as "no constraint"
        values = rule.values
        old_value, new_value = values.read(old_raw), values.read(new_raw)
        if old_value == new_value:
            continue
        if old_value is None:
            diffs.append(Change(rule.added, (keyword,), values.describe_added(keyword, new_raw)))
        elif new_value is None:
            diffs.append(Change(rule.removed, (keyword,)))
        else:
            change = rule.on(values.direction(old_value, new_value))
            assert change is not None  # __post_init__ checked the row names every direction
            diffs.append(Change(change, (keyword,), values.describe_change(keyword, old_raw, new_raw)))
    return diffs


MAX_LENGTH = KeywordRule(
    "maxLength",
    COUNT,
    added=ChangeType.MAX_LENGTH_ADDED,
    removed=ChangeType.MAX_LENGTH_REMOVED,
    increased=ChangeType.MAX_LENGTH_INCREASED,
    decreased=ChangeType.MAX_LENGTH_DECREASED,
)
MIN_LENGTH = KeywordRule(
    "minLength",
    MINIMUM_COUNT,
    added=ChangeType.MIN_LENGTH_ADDED,
    removed=ChangeType.MIN_LENGTH_REMOVED,
    increased=ChangeType.MIN_LENGTH_INCREASED,
    decreased=ChangeType.MIN_LENGTH_DECREASED,
)
PATTERN = KeywordRule(
    "pattern",
    TEXT,
    added=ChangeType.PATTERN_ADDED,
    removed=ChangeType.PATTERN_REMOVED,
    changed=ChangeType.PATTERN_CHANGED,
)
FORMAT = KeywordRule(
    "format",
    TEXT,
    added=ChangeType.FORMAT_ADDED,
    removed=ChangeType.FORMAT_REMOVED,
    changed=ChangeType.FORMAT_CHANGED,
)
MULTIPLE_OF = KeywordRule(
    "multipleOf",
    STEP,
    added=ChangeType.MULTIPLE_OF_ADDED,
    removed=ChangeType.MULTIPLE_OF_REMOVED,
    increased=ChangeType.MULTIPLE_OF_EXPANDED,
    decreased=ChangeType.MULTIPLE_OF_REDUCED,
    changed=ChangeType.MULTIPLE_OF_CHANGED,
)
MAX_PROPERTIES = KeywordRule(
    "maxProperties",
    COUNT,
    added=ChangeType.MAX_PROPERTIES_ADDED,
    removed=ChangeType.MAX_PROPERTIES_REMOVED,
    increased=ChangeType.MAX_PROPERTIES_INCREASED,
    decreased=ChangeType.MAX_PROPERTIES_DECREASED,
)
MIN_PROPERTIES = KeywordRule(
    "minProperties",
    MINIMUM_COUNT,
    added=ChangeType.MIN_PROPERTIES_ADDED,
    removed=ChangeType.MIN_PROPERTIES_REMOVED,
    increased=ChangeType.MIN_PROPERTIES_INCREASED,
    decreased=ChangeType.MIN_PROPERTIES_DECREASED,
)
MAX_ITEMS = KeywordRule(
    "maxItems",
    COUNT,
    added=ChangeType.MAX_ITEMS_ADDED,
    removed=ChangeType.MAX_ITEMS_REMOVED,
    increased=ChangeType.MAX_ITEMS_INCREASED,
    decreased=ChangeType.MAX_ITEMS_DECREASED,
)
MIN_ITEMS = KeywordRule(
    "minItems",
    MINIMUM_COUNT,
    added=ChangeType.MIN_ITEMS_ADDED,
    removed=ChangeType.MIN_ITEMS_REMOVED,
    increased=ChangeType.MIN_ITEMS_INCREASED,
    decreased=ChangeType.MIN_ITEMS_DECREASED,
)
MAX_CONTAINS = KeywordRule(
    "maxContains",
    COUNT,
    added=ChangeType.MAX_CONTAINS_ADDED,
    removed=ChangeType.MAX_CONTAINS_REMOVED,
    increased=ChangeType.MAX_CONTAINS_INCREASED,
    decreased=ChangeType.MAX_CONTAINS_DECREASED,
)
UNIQUE_ITEMS = KeywordRule(
    "uniqueItems",
    FLAG,
    added=ChangeType.UNIQUE_ITEMS_ADDED,
    removed=ChangeType.UNIQUE_ITEMS_REMOVED,
)

# The order of each tuple is the order the changes are reported in.
STRING_RULES = (MAX_LENGTH, MIN_LENGTH, PATTERN, FORMAT)
NUMBER_RULES = (MULTIPLE_OF,)  # after the limits, which are compared by compare_limit
OBJECT_RULES = (MAX_PROPERTIES, MIN_PROPERTIES)
ARRAY_COUNT_RULES = (MAX_ITEMS, MIN_ITEMS, MAX_CONTAINS)
ARRAY_UNIQUENESS_RULES = (UNIQUE_ITEMS,)  # after minContains, which is code


# --------------------------------------------------------------------------------------
# Numeric limits: maximum/minimum beside exclusiveMaximum/exclusiveMinimum
# --------------------------------------------------------------------------------------


class LimitRule(NamedTuple):
    """A limit keyword and its change names; a change is named after the keyword spelling the
    limit the reader keeps (or, when the reader drops the limit, the one the writer had)."""

    keyword: str
    added: ChangeType
    removed: ChangeType
    increased: ChangeType
    decreased: ChangeType


class Limit(NamedTuple):
    """An inclusive limit keyword with its exclusive twin: the tighter of the two limits values."""

    inclusive: LimitRule
    exclusive: LimitRule
    upper: bool


UPPER_LIMIT = Limit(
    inclusive=LimitRule(
        "maximum",
        added=ChangeType.MAXIMUM_ADDED,
        removed=ChangeType.MAXIMUM_REMOVED,
        increased=ChangeType.MAXIMUM_INCREASED,
        decreased=ChangeType.MAXIMUM_DECREASED,
    ),
    exclusive=LimitRule(
        "exclusiveMaximum",
        added=ChangeType.EXCLUSIVE_MAXIMUM_ADDED,
        removed=ChangeType.EXCLUSIVE_MAXIMUM_REMOVED,
        increased=ChangeType.EXCLUSIVE_MAXIMUM_INCREASED,
        decreased=ChangeType.EXCLUSIVE_MAXIMUM_DECREASED,
    ),
    upper=True,
)
LOWER_LIMIT = Limit(
    inclusive=LimitRule(
        "minimum",
        added=ChangeType.MINIMUM_ADDED,
        removed=ChangeType.MINIMUM_REMOVED,
        increased=ChangeType.MINIMUM_INCREASED,
        decreased=ChangeType.MINIMUM_DECREASED,
    ),
    exclusive=LimitRule(
        "exclusiveMinimum",
        added=ChangeType.EXCLUSIVE_MINIMUM_ADDED,
        removed=ChangeType.EXCLUSIVE_MINIMUM_REMOVED,
        increased=ChangeType.EXCLUSIVE_MINIMUM_INCREASED,
        decreased=ChangeType.EXCLUSIVE_MINIMUM_DECREASED,
    ),
    upper=False,
)


class _Bound(NamedTuple):
    value: int | float
    exclusive: bool
    rule: LimitRule  # the keyword the limit is spelled with


def _bound(raw: dict[str, Any], limit: Limit) -> _Bound | None:
    candidates: list[_Bound] = []
    inclusive = as_number(raw.get(limit.inclusive.keyword))
    flag = raw.get(limit.exclusive.keyword)
    if inclusive is not None:
        # Draft 4 spells an exclusive limit as a boolean beside maximum/minimum.
        candidates.append(_Bound(inclusive, flag is True, limit.exclusive if flag is True else limit.inclusive))
    exclusive = as_number(flag)
    if exclusive is not None:
        candidates.append(_Bound(exclusive, True, limit.exclusive))
    if not candidates:
        return None
    # The tighter limit wins; at the same value an exclusive limit is the tighter one.
    if limit.upper:
        return min(candidates, key=lambda bound: (bound.value, not bound.exclusive))
    return max(candidates, key=lambda bound: (bound.value, bound.exclusive))


def compare_limit(limit: Limit, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    old_bound, new_bound = _bound(old, limit), _bound(new, limit)
    if old_bound is None and new_bound is None:
        return []
    if old_bound is None:
        assert new_bound is not None
        return [Change(new_bound.rule.added, (new_bound.rule.keyword,), f"limit {new_bound.value}")]
    if new_bound is None:
        return [Change(old_bound.rule.removed, (old_bound.rule.keyword,))]
    if old_bound.value == new_bound.value and old_bound.exclusive == new_bound.exclusive:
        return []
    rule = new_bound.rule
    if limit.upper:
        looser = new_bound.value > old_bound.value or (
            new_bound.value == old_bound.value and old_bound.exclusive and not new_bound.exclusive
        )
        change = rule.increased if looser else rule.decreased
    else:
        looser = new_bound.value < old_bound.value or (
            new_bound.value == old_bound.value and old_bound.exclusive and not new_bound.exclusive
        )
        change = rule.decreased if looser else rule.increased
    detail = f"{old_bound.rule.keyword} {old_bound.value} -> {rule.keyword} {new_bound.value}"
    return [Change(change, (rule.keyword,), detail)]


# --------------------------------------------------------------------------------------
# The keywords of each type
# --------------------------------------------------------------------------------------


def compare_string_keywords(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    return compare_keywords(STRING_RULES, old, new)


def compare_number_keywords(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    return (
        compare_limit(UPPER_LIMIT, old, new)
        + compare_limit(LOWER_LIMIT, old, new)
        + compare_keywords(NUMBER_RULES, old, new)
    )


def compare_object_keywords(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    return compare_keywords(OBJECT_RULES, old, new)


def compare_array_keywords(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    diffs = compare_keywords(ARRAY_COUNT_RULES, old, new)
    old_min_contains = as_number(old.get("minContains"))
    new_min_contains = as_number(new.get("minContains"))
    # minContains defaults to 1, so it can only rise or fall, never appear or vanish.
    old_min_contains = 1 if old_min_contains is None else old_min_contains
    new_min_contains = 1 if new_min_contains is None else new_min_contains
    if "contains" in new and new_min_contains != old_min_contains:
        kind = (
            ChangeType.MIN_CONTAINS_INCREASED
            if new_min_contains > old_min_contains
            else ChangeType.MIN_CONTAINS_DECREASED
        )
        diffs.append(Change(kind, ("minContains",), f"{old_min_contains} -> {new_min_contains}"))
    return diffs + compare_keywords(ARRAY_UNIQUENESS_RULES, old, new)


# --------------------------------------------------------------------------------------
# type, enum/const and annotations
# --------------------------------------------------------------------------------------


def compare_types(old: SchemaView, new: SchemaView) -> tuple[list[Change], frozenset[str]]:
    """The change to the types a value may have, and the types both schemas admit."""
    if old.types is not None and not old.types:
        return [], frozenset()  # the writer accepts nothing, so any reader is fine
    writer = widen(old.types if old.types is not None else KNOWN_TYPES)
    reader = widen(new.types if new.types is not None else KNOWN_TYPES)
    shared = writer & reader
    detail = f"type {show_types(old.types)} -> {show_types(new.types)}"
    if writer == reader:
        return [], shared
    if writer < reader:
        if new.types is None:
            return [], shared  # dropping "type" altogether is silent, as with Confluent
        kind = ChangeType.TYPE_EXTENDED if reader - writer == {"number"} else ChangeType.SUM_TYPE_EXTENDED
        return [Change(kind, (), detail)], shared
    if reader < writer and reader:
        narrowed_only_numbers = writer - reader == {"number"}
        kind = ChangeType.TYPE_NARROWED if narrowed_only_numbers or old.types is None else ChangeType.SUM_TYPE_NARROWED
        return [Change(kind, (), detail)], shared
    return [Change(ChangeType.TYPE_CHANGED, (), detail)], shared


def compare_annotations(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """$id, title, description and default: every change is compatible, but reported."""
    diffs: list[Change] = []
    if schema_id(old) != schema_id(new):
        diffs.append(Change(ChangeType.ID_CHANGED, ()))
    if old.get("title") != new.get("title"):
        diffs.append(Change(ChangeType.TITLE_CHANGED, ()))
    if old.get("description") != new.get("description"):
        diffs.append(Change(ChangeType.DESCRIPTION_CHANGED, ()))
    if ("default" in old) != ("default" in new) or (
        "default" in old and freeze(old["default"]) != freeze(new["default"])
    ):
        diffs.append(Change(ChangeType.DEFAULT_CHANGED, ()))
    return diffs


def compare_values(old: SchemaView, new: SchemaView) -> list[Change]:
    """enum and const, both read as the set of values they allow."""
    if old.values is None and new.values is None:
        return []
    if old.values is None:
        assert new.values_keyword is not None and new.values is not None
        return [
            Change(
                ChangeType.ENUM_ARRAY_NARROWED,
                (new.values_keyword,),
                f"the reader only allows {show_values(new.values)}",
            )
        ]
    assert old.values_keyword is not None
    if new.values is None:
        return [Change(ChangeType.ENUM_ARRAY_EXTENDED, (old.values_keyword,))]
    assert new.values_keyword is not None
    # Values the declared type rules out were never valid, so they do not count.
    writer = {freeze(value) for value in old.values if admits(old.declared, json_type(value))}
    reader = {freeze(value) for value in new.values if admits(new.declared, json_type(value))}
    where = (new.values_keyword,)
    if writer == reader:
        return []
    if writer <= reader:
        return [Change(ChangeType.ENUM_ARRAY_EXTENDED, where)]
    dropped = [value for value in old.values if freeze(value) not in reader]
    if reader <= writer:
        return [Change(ChangeType.ENUM_ARRAY_NARROWED, where, f"the reader no longer allows {show_values(dropped)}")]
    return [Change(ChangeType.ENUM_ARRAY_CHANGED, where, f"the reader no longer allows {show_values(dropped)}")]


# --------------------------------------------------------------------------------------
# Content models: what a schema says about the properties or items it does not list
# --------------------------------------------------------------------------------------


class ContentModelRule(NamedTuple):
    """The change names of an additionalProperties-like keyword, whose value is absent or true
    (an open model), false (closed) or a schema (partially open).  The comparison walks these
    rows (see ``Comparison._compare_rest``) because a partially open model holds a subschema."""

    added: ChangeType  # closed -> open or partially open
    removed: ChangeType  # open or partially open -> closed
    extended: ChangeType  # partially open -> open
    narrowed: ChangeType  # open -> partially open


ADDITIONAL_PROPERTIES = ContentModelRule(
    added=ChangeType.ADDITIONAL_PROPERTIES_ADDED,
    removed=ChangeType.ADDITIONAL_PROPERTIES_REMOVED,
    extended=ChangeType.ADDITIONAL_PROPERTIES_EXTENDED,
    narrowed=ChangeType.ADDITIONAL_PROPERTIES_NARROWED,
)
UNEVALUATED_PROPERTIES = ContentModelRule(
    added=ChangeType.UNEVALUATED_PROPERTIES_ADDED,
    removed=ChangeType.UNEVALUATED_PROPERTIES_REMOVED,
    extended=ChangeType.UNEVALUATED_PROPERTIES_EXTENDED,
    narrowed=ChangeType.UNEVALUATED_PROPERTIES_NARROWED,
)
# Items beyond a tuple: additionalItems beside "items": [...], or items beside prefixItems.
ADDITIONAL_ITEMS = ContentModelRule(
    added=ChangeType.ADDITIONAL_ITEMS_ADDED,
    removed=ChangeType.ADDITIONAL_ITEMS_REMOVED,
    extended=ChangeType.ADDITIONAL_ITEMS_EXTENDED,
    narrowed=ChangeType.ADDITIONAL_ITEMS_NARROWED,
)
UNEVALUATED_ITEMS = ContentModelRule(
    added=ChangeType.UNEVALUATED_ITEMS_ADDED,
    removed=ChangeType.UNEVALUATED_ITEMS_REMOVED,
    extended=ChangeType.UNEVALUATED_ITEMS_EXTENDED,
    narrowed=ChangeType.UNEVALUATED_ITEMS_NARROWED,
)
