"""How big a schema may be, and the check that it is plain JSON data within those limits."""

from __future__ import annotations

import math
from dataclasses import dataclass

from registry.domain.errors import InvalidSchema, SchemaTooLarge
from registry.domain.formats.json_schema.reporting import json_pointer
from registry.domain.model import SchemaProblem


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 64  # nesting depth of the schema document
    max_nodes: int = 100_000  # total JSON values in the schema


DEFAULT_LIMITS = Limits()


# orjson (used for canonical text) only serialises integers in this range.
_MIN_JSON_INT = -(2**63)
_MAX_JSON_INT = 2**64 - 1


# (value, depth if it is a container, parent entry index, key): enough to build the
# pointer of a value only when something is wrong with it.
_Entry = tuple[object, int, int, object]


def check_size_and_values(document: object, limits: Limits) -> None:
    # Iterative: a deeply nested document must not blow the Python stack before we reject it.
    entries: list[_Entry] = [(document, 1, -1, None)]
    pending = [0]
    nodes = 0
    while pending:
        entry_index = pending.pop()
        value, depth, _, _ = entries[entry_index]
        nodes += 1
        if nodes > limits.max_nodes:
            message = f"schema has more than {limits.max_nodes} JSON values"
            raise SchemaTooLarge(message, problems=[SchemaProblem(location="", message=message)])
        if isinstance(value, dict | list):
            if depth > limits.max_depth:
                message = f"schema is nested more than {limits.max_depth} levels deep"
                raise SchemaTooLarge(
                    message, problems=[SchemaProblem(location=_pointer_of(entries, entry_index), message=message)]
                )
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in children:
                if isinstance(value, dict) and not isinstance(key, str):
                    raise _invalid(entries, entry_index, f"object key {key!r} is not a string")
                entries.append((child, depth + 1, entry_index, key))
                pending.append(len(entries) - 1)
        elif value is None or isinstance(value, str | bool):
            continue
        elif isinstance(value, int):
            if not _MIN_JSON_INT <= value <= _MAX_JSON_INT:
                raise _invalid(entries, entry_index, "integer is outside the supported 64-bit range")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise _invalid(entries, entry_index, "NaN and Infinity are not JSON numbers")
        else:
            raise _invalid(entries, entry_index, f"{type(value).__name__} is not a JSON value")


def _pointer_of(entries: list[_Entry], entry_index: int) -> str:
    tokens = []
    while entry_index > 0:
        _, _, parent, key = entries[entry_index]
        tokens.append(key)
        entry_index = parent
    return json_pointer(reversed(tokens))


def _invalid(entries: list[_Entry], entry_index: int, message: str) -> InvalidSchema:
    location = _pointer_of(entries, entry_index)
    return InvalidSchema(message, problems=[SchemaProblem(location=location, message=message)])
