"""JSON Schema's equality of JSON values, in time that grows with the values' size only.

Two values are equal when they are the same JSON value: numbers by mathematical value
(``1`` equals ``1.0``), ``true``/``false`` only to themselves (never to ``1``/``0``), strings
and ``null`` as themselves, arrays item by item in order, objects by their members whatever
the order of their keys.

``json_key`` maps a value to a *canonical key*: equal values, and only those, get equal keys.
Keys are hashable (a set of keys answers ``enum`` membership in constant time) and totally
ordered (a type rank comes first, so values of different types never compare), so
``has_duplicates`` sorts them: O(n log n) comparisons whatever the values, with no hash
collisions to fear from crafted input. jsonschema's own check sorts too, but falls back to
comparing every pair as soon as the items mix types, which made 12,000 items cost minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_NULL, _BOOLEAN, _NUMBER, _STRING, _ARRAY, _OBJECT = range(6)
# A canonical key: a tuple starting with the type's rank.
JsonKey = tuple[Any, ...]
_NULL_KEY: JsonKey = (_NULL,)
_TRUE_KEY: JsonKey = (_BOOLEAN, True)
_FALSE_KEY: JsonKey = (_BOOLEAN, False)


def json_key(value: object) -> JsonKey:
    """The canonical key of a JSON value (see the module docstring). Raises ``TypeError``
    for what JSON cannot hold."""
    if isinstance(value, str):
        return (_STRING, value)
    if value is True:
        return _TRUE_KEY
    if value is False:
        return _FALSE_KEY
    if isinstance(value, int | float):
        return (_NUMBER, value)  # Python compares int and float by exact value, hashes alike
    if value is None:
        return _NULL_KEY
    if isinstance(value, list | tuple):
        return (_ARRAY, tuple(map(json_key, value)))
    if isinstance(value, dict):
        # Keys of a JSON object are unique strings: sorting by them alone is a total order.
        return (_OBJECT, tuple(sorted((name, json_key(member)) for name, member in value.items())))
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def has_duplicates(values: Iterable[object]) -> bool:
    """Whether two of ``values`` are equal JSON values."""
    keys = sorted(map(json_key, values))
    return any(keys[index] == keys[index - 1] for index in range(1, len(keys)))


class IndexedEnum(list[object]):
    """An ``enum``'s values with the set of their canonical keys: membership in constant
    time instead of comparing with every value (see ``enum_keyword``). Prints and compares
    as the plain list it copies."""

    __slots__ = ("keys",)

    def __init__(self, values: Iterable[object]) -> None:
        super().__init__(values)
        self.keys = frozenset(map(json_key, self))
