"""Keyset pagination: ``limit`` and opaque ``cursor`` query parameters."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import falcon
import orjson

from registry.domain.errors import InvalidRequest

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def limit_of(req: falcon.Request) -> int:
    raw = req.get_param("limit")
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise InvalidRequest("query parameter 'limit' must be an integer", field="limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"query parameter 'limit' must be between 1 and {MAX_LIMIT}", field="limit")
    return limit


def cursor_of(req: falcon.Request) -> Any:
    """The position a ``cursor`` parameter encodes, or None for the first page."""
    raw = req.get_param("cursor")
    if raw is None or raw == "":
        return None
    try:
        return orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise InvalidRequest("query parameter 'cursor' is not a cursor this registry issued", field="cursor") from None


def encode_cursor(position: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).rstrip(b"=").decode()


def page_body(items: list[Any], next_position: Any | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": encode_cursor(next_position) if next_position is not None else None}
