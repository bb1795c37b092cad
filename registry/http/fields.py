"""Checked access to the fields of a request: its query parameters and the fields of its parsed
JSON body. Wrong or missing → 422 naming the field.

No text that reaches the store may hold NUL: PostgreSQL's ``text`` and ``jsonb`` refuse U+0000, so
it would fail as the database's error (a 500) instead of the client's. Every query parameter is
read through ``query_param``, which applies that rule, and body strings through the readers here.
"""

from __future__ import annotations

import re
import uuid
from enum import Enum
from typing import Any, TypeVar

import falcon

from registry.domain.errors import InvalidRequest, SchemaNotFound

E = TypeVar("E", bound=Enum)


def has_query(req: falcon.Request) -> bool:
    """Whether the request has a query string at all: hot paths skip asking for each parameter."""
    return bool(req.query_string)


def query_param(req: falcon.Request, name: str) -> str | None:
    """A query parameter's value (None when absent): the one way the resources read them."""
    value = req.get_param(name)
    if value is not None and "\x00" in value:
        raise InvalidRequest(f"query parameter '{name}' must not contain NUL characters", field=name)
    return value


def require_object(body: Any, what: str = "the request body") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest(f"{what} must be a JSON object", field=None)
    return body


def string(body: dict[str, Any], name: str, *, required: bool = False, max_length: int | None = None) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise InvalidRequest(f"field '{name}' is required", field=name)
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"field '{name}' must be a string", field=name)
    if max_length is not None and len(value) > max_length:
        raise InvalidRequest(f"field '{name}' must be at most {max_length} characters", field=name)
    if "\x00" in value:
        raise InvalidRequest(f"field '{name}' must not contain NUL characters", field=name)
    return value


def integer(body: dict[str, Any], name: str, *, minimum: int = 0, maximum: int = 999_999_999) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(f"field '{name}' must be an integer", field=name)
    if not minimum <= value <= maximum:
        raise InvalidRequest(f"field '{name}' must be between {minimum} and {maximum}", field=name)
    return value


def choice(body: dict[str, Any], name: str, enum: type[E], *, aliases: dict[str, E] | None = None) -> E | None:
    value = string(body, name)
    if value is None:
        return None
    return parse_choice(value, name, enum, aliases=aliases)


def parse_choice(value: str, name: str, enum: type[E], *, aliases: dict[str, E] | None = None) -> E:
    key = value.strip().upper()
    if aliases and key in aliases:
        return aliases[key]
    try:
        return enum(key)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidRequest(f"field '{name}' must be one of {allowed}; got {value!r}", field=name) from None


def string_list(body: dict[str, Any], name: str, *, max_items: int = 100, max_length: int = 255) -> tuple[str, ...]:
    value = body.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidRequest(f"field '{name}' must be a list of strings", field=name)
    if len(value) > max_items:
        raise InvalidRequest(f"field '{name}' may hold at most {max_items} items", field=name)
    if any(len(item) > max_length for item in value):
        raise InvalidRequest(f"items of field '{name}' must be at most {max_length} characters", field=name)
    if any("\x00" in item for item in value):
        raise InvalidRequest(f"items of field '{name}' must not contain NUL characters", field=name)
    return tuple(dict.fromkeys(value))


def json_object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidRequest(f"field '{name}' must be a JSON object", field=name)
    # PostgreSQL's jsonb cannot hold U+0000 anywhere, in keys or in values.
    if _holds_nul(value):
        raise InvalidRequest(f"field '{name}' must not contain NUL characters", field=name)
    return value


def schema_id(value: Any, name: str) -> str:
    """A schema id as the store spells it; a string that is no UUID names no schema (404)."""
    if value is None:
        raise InvalidRequest(f"field '{name}' is required", field=name)
    if not isinstance(value, str):
        raise InvalidRequest(f"field '{name}' must be a string (a schema id)", field=name)
    return path_schema_id(value)


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def path_schema_id(value: str) -> str:
    if _CANONICAL_UUID.fullmatch(value):  # the form the registry hands out: no need to rebuild it
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise SchemaNotFound(f"schema {value[:100]!r} not found (ids are UUIDs)") from None


def _holds_nul(value: Any) -> bool:
    # Iterative: request bodies may nest up to orjson's limit, deeper than Python's recursion limit.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
