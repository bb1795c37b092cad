"""JSON values as JSON Schema sees them: their types, equality and numbers."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

KNOWN_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})


def declared_types(value: Any) -> frozenset[str] | None:
    if isinstance(value, str):
        names = {value}
    elif isinstance(value, list):
        names = {name for name in value if isinstance(name, str)}
    else:
        return None
    known = frozenset(names & KNOWN_TYPES)
    return known or None


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def admits(types: frozenset[str] | None, kind: str) -> bool:
    return types is None or kind in types or (kind == "integer" and "number" in types)


def widen(types: frozenset[str]) -> frozenset[str]:
    # "number" admits integers, so a set holding number also holds integer.
    return types | {"integer"} if "number" in types else types


def freeze(value: Any) -> Any:
    """A hashable form of a JSON value under JSON equality (1 == 1.0, True != 1)."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", int(value) if isinstance(value, float) and value.is_integer() else value)
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z",)
    if isinstance(value, list | tuple):
        return ("a", tuple(freeze(item) for item in value))
    if isinstance(value, dict):
        return ("o", frozenset((key, freeze(item)) for key, item in value.items()))
    return ("?", repr(value))


def as_number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def as_fraction(value: Any) -> Fraction | None:
    number = as_number(value)
    if number is None or number <= 0:
        return None
    try:
        # Through str, so 0.1 means one tenth rather than the nearest binary fraction.
        return Fraction(str(number))
    except (ValueError, OverflowError):
        return None


def dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
