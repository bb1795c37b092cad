"""Keyset pagination: ``limit`` and opaque ``cursor`` query parameters.

A cursor is url-safe base64 of the JSON of the last position a page showed: a subject name, a
version's ``seq`` or its three version numbers. It comes back from the client, so it is checked
against what the store's columns hold (``text`` without NUL, ``bigint``, ``integer``) before it
reaches a query: anything else is a cursor this registry never issued, a 422 naming ``cursor``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import falcon
import orjson

from registry.domain.errors import InvalidRequest
from registry.domain.versioning import SemVer
from registry.http import fields

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

# The ranges of the columns cursors are compared with: schema_versions.seq is a bigserial, the
# version numbers are integers that are never negative.
MAX_SEQ = 2**63 - 1
MAX_VERSION_PART = 2**31 - 1


def limit_of(req: falcon.Request) -> int:
    raw = fields.query_param(req, "limit")
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise InvalidRequest("query parameter 'limit' must be an integer", field="limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"query parameter 'limit' must be between 1 and {MAX_LIMIT}", field="limit")
    return limit


def subject_cursor(req: falcon.Request) -> str | None:
    """Where a subject listing resumes: after this subject name."""
    position = _position(req)
    if position is None:
        return None
    if not isinstance(position, str) or "\x00" in position:
        raise _not_issued("a subject cursor")
    return position


def schema_cursor(req: falcon.Request) -> int | None:
    """Where a schema listing resumes: after this ``seq``."""
    position = _position(req)
    if position is None:
        return None
    if type(position) is not int or not 0 <= position <= MAX_SEQ:
        raise _not_issued("a schema cursor")
    return position


def version_cursor(req: falcon.Request) -> SemVer | None:
    """Where a version listing resumes: after this version."""
    position = _position(req)
    if position is None:
        return None
    if not (isinstance(position, list) and len(position) == 3 and all(map(_is_version_part, position))):
        raise _not_issued("a version cursor")
    return SemVer(*position)


def encode_cursor(position: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).rstrip(b"=").decode()


def page_body(items: list[Any], next_position: Any | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": encode_cursor(next_position) if next_position is not None else None}


def _position(req: falcon.Request) -> Any:
    """The JSON a ``cursor`` parameter encodes, or None for the first page."""
    raw = fields.query_param(req, "cursor")
    if raw is None or raw == "":
        return None
    try:
        return orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise _not_issued("a cursor") from None


def _is_version_part(value: Any) -> bool:
    return type(value) is int and 0 <= value <= MAX_VERSION_PART


def _not_issued(what: str) -> InvalidRequest:
    return InvalidRequest(f"query parameter 'cursor' is not {what} this registry issued", field="cursor")
