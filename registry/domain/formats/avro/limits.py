"""How large a schema may be, and the screening of its JSON before any recursive walk."""

from __future__ import annotations

import math
from dataclasses import dataclass

from registry.domain.errors import InvalidSchema, SchemaTooLarge
from registry.domain.formats.avro.wording import json_type
from registry.domain.model import SchemaProblem
from registry.domain.pointers import escape_token


@dataclass(frozen=True, slots=True)
class Limits:
    # A nested record costs three JSON levels (type object, fields array, field object),
    # so this allows about 40 levels of nested records.
    max_depth: int = 128
    max_nodes: int = 100_000  # total JSON values in the schema


# orjson (used for the normalised text) only serialises integers in this range.
_JSON_INT_RANGE = (-(2**63), 2**64 - 1)


def check_size_and_values(document: object, limits: Limits, root_pointer: str = "") -> None:
    """Refuse oversized schemas before any recursive walk, and values JSON cannot carry."""
    stack: list[tuple[object, int, str]] = [(document, 1, root_pointer)]
    count = 0
    while stack:
        value, depth, pointer = stack.pop()
        count += 1
        if count > limits.max_nodes:
            message = f"the schema has more than {limits.max_nodes} JSON values"
            raise SchemaTooLarge(message, problems=[SchemaProblem(location="", message=message)])
        if depth > limits.max_depth:
            message = f"the schema is nested more than {limits.max_depth} levels deep"
            raise SchemaTooLarge(message, problems=[SchemaProblem(location=pointer, message=message)])
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise_invalid(pointer, f"object keys must be strings, not {json_type(key)}")
                stack.append((item, depth + 1, f"{pointer}/{escape_token(key)}"))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, f"{pointer}/{index}") for index, item in enumerate(value))
        elif isinstance(value, bool) or value is None or isinstance(value, str):
            continue
        else:
            _check_number(value, pointer)


def _check_number(value: object, pointer: str) -> None:
    """Refuse what is not a number JSON can carry (the other JSON values are checked already)."""
    if isinstance(value, int):
        if not _JSON_INT_RANGE[0] <= value <= _JSON_INT_RANGE[1]:
            raise_invalid(pointer, "integer out of the range JSON numbers are kept in (64 bits)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise_invalid(pointer, f"{value} is not a JSON number")
    else:
        raise_invalid(pointer, f"a {type(value).__name__} is not JSON data")


def raise_invalid(location: str, message: str) -> None:
    raise InvalidSchema(f"schema is not a valid Avro schema: {message}", problems=[SchemaProblem(location, message)])
