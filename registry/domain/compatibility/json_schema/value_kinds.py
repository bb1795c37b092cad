"""How the values of a keyword compare: the kinds of value the keyword rules name.

A :class:`ValueKind` reads a keyword's raw value (``None`` when it constrains nothing), says in
which :class:`Direction` a new value lies from an old one, and shows values in messages.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Protocol

from registry.domain.compatibility.json_schema.json_values import as_fraction, as_number


class Direction(Enum):
    """How a keyword's value moved, in the order its kind of value has."""

    INCREASED = "increased"
    DECREASED = "decreased"
    CHANGED = "changed"  # the two values are not ordered one against the other


class ValueKind(Protocol):
    """How one kind of keyword value is read, ordered and shown in a message."""

    directions: frozenset[Direction]  # the directions `direction` can answer

    def read(self, value: Any) -> Any:
        """The value as compared, or None when it constrains nothing (absent or malformed)."""

    def direction(self, old: Any, new: Any) -> Direction:
        """How `new` lies from `old`; both are read values and differ."""

    def describe_added(self, keyword: str, value: Any) -> str:
        """The message detail when the reader adds the keyword; `value` as the schema spells it."""

    def describe_change(self, keyword: str, old: Any, new: Any) -> str:
        """The message detail when the value changes; `old` and `new` as the schemas spell them."""


class Counts:
    """maxLength, minItems...: numbers in numeric order."""

    directions = frozenset({Direction.INCREASED, Direction.DECREASED})

    def __init__(self, *, zero_constrains: bool) -> None:
        # When zero constrains nothing (minLength 0 and friends), it counts as the keyword's absence.
        self._zero_constrains = zero_constrains

    def read(self, value: Any) -> Any:
        number = as_number(value)
        return None if number == 0 and not self._zero_constrains else number

    def direction(self, old: Any, new: Any) -> Direction:
        return Direction.INCREASED if new > old else Direction.DECREASED

    def describe_added(self, keyword: str, value: Any) -> str:
        return f"{keyword} {value}"

    def describe_change(self, keyword: str, old: Any, new: Any) -> str:
        return f"{keyword} {old} -> {new}"


class Texts:
    """pattern, format: strings with no order, so any other string is a change."""

    directions = frozenset({Direction.CHANGED})

    def read(self, value: Any) -> Any:
        return value if isinstance(value, str) else None

    def direction(self, old: Any, new: Any) -> Direction:
        return Direction.CHANGED

    def describe_added(self, keyword: str, value: Any) -> str:
        return f"{keyword} {value!r}"

    def describe_change(self, keyword: str, old: Any, new: Any) -> str:
        return f"{old!r} -> {new!r}"


class Steps:
    """multipleOf: positive numbers ordered by divisibility, read exactly (0.1 is one tenth)."""

    directions = frozenset({Direction.INCREASED, Direction.DECREASED, Direction.CHANGED})

    def read(self, value: Any) -> Any:
        return as_fraction(value)

    def direction(self, old: Any, new: Any) -> Direction:
        if (old / new).denominator == 1:
            # Every multiple of the old step is a multiple of the new one (10 -> 2, 0.5 -> 0.25).
            return Direction.DECREASED
        if (new / old).denominator == 1:
            return Direction.INCREASED
        return Direction.CHANGED

    def describe_added(self, keyword: str, value: Any) -> str:
        return f"{keyword} {value}"

    def describe_change(self, keyword: str, old: Any, new: Any) -> str:
        return f"{old} -> {new}"


class Flags:
    """uniqueItems: only ``true`` constrains, so the keyword is either there or not."""

    directions: frozenset[Direction] = frozenset()

    def read(self, value: Any) -> Any:
        return True if value is True else None

    def direction(self, old: Any, new: Any) -> Direction:
        raise AssertionError("two flags that are both set do not differ")

    def describe_added(self, keyword: str, value: Any) -> str:
        return ""

    def describe_change(self, keyword: str, old: Any, new: Any) -> str:
        return ""


COUNT = Counts(zero_constrains=True)  # maxLength 0 allows only the empty string
MINIMUM_COUNT = Counts(zero_constrains=False)  # minLength 0 is as good as no minLength
TEXT = Texts()
STEP = Steps()
FLAG = Flags()
