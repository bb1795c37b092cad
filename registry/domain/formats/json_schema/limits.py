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


def check_size_and_values(document: object, limits: Limits) -> None:
    # Iterative: a deeply nested document must not blow the Python stack before we reject it.
    # Entries: (value, depth if it is a container, parent entry index, key) - the pointer is
    # only built when something is wrong.
    entries: list[tuple[object, int, int, object]] = [(document, 1, -1, None)]
    pending = [0]
    nodes = 0

    def pointer_of(entry_index: int) -> str:
        tokens = []
        while entry_index > 0:
            _, _, parent, key = entries[entry_index]
            tokens.append(key)
            entry_index = parent
        return json_pointer(reversed(tokens))

    def invalid(entry_index: int, message: str) -> InvalidSchema:
        location = pointer_of(entry_index)
        return InvalidSchema(message, problems=[SchemaProblem(location=location, message=message)])

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
                    message, problems=[SchemaProblem(location=pointer_of(entry_index), message=message)]
                )
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in children:
                if isinstance(value, dict) and not isinstance(key, str):
                    raise invalid(entry_index, f"object key {key!r} is not a string")
                entries.append((child, depth + 1, entry_index, key))
                pending.append(len(entries) - 1)
        elif (problem := _scalar_problem(value)) is not None:
            raise invalid(entry_index, problem)


def _scalar_problem(value: object) -> str | None:
    """Why a value that is not a container cannot be part of a schema; None when it can."""
    if value is None or isinstance(value, str | bool):
        return None
    if isinstance(value, int):
        return None if _MIN_JSON_INT <= value <= _MAX_JSON_INT else "integer is outside the supported 64-bit range"
    if isinstance(value, float):
        return None if math.isfinite(value) else "NaN and Infinity are not JSON numbers"
    return f"{type(value).__name__} is not a JSON value"
