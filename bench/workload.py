"""What the benchmarks send: the one test schema, the document validated against it, and
the schemas of the version chains. Shared by ``run.py`` and ``bare_app.py`` so the bare
ceiling and the registry do exactly the same work."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

# The schema every read/validate benchmark uses (the k6 scripts use the same one).
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "value": {"type": "number"},
    },
    "required": ["id", "name"],
}

# A valid document for SCHEMA: POST /api/v1/validate/{id} bodies.
VALIDATE_DOCUMENT: dict[str, Any] = {"id": "user-123", "name": "Jane Doe", "value": 42.5}

# The candidate of the compatibility benchmark: SCHEMA plus one optional property.
COMPAT_CANDIDATE: dict[str, Any] = {
    **SCHEMA,
    "properties": {**SCHEMA["properties"], "email": {"type": "string", "maxLength": 320}},
}

CHAIN_KINDS = ("maximum", "enum")


def bulk_schema(n: int) -> dict[str, Any]:
    """The n-th bulk-loaded schema: SCHEMA's shape, made distinct by its title."""
    return {"title": f"bulk-{n}", **SCHEMA}


def chain_schema(kind: str, k: int) -> dict[str, Any]:
    """Version ``k`` (1-based) of a backward-compatible chain.

    ``maximum``: the ``value`` property's ``maximum`` is ``k`` (raising a maximum only widens
    what is accepted); every version has the same size, so registration cost isolates the
    number of versions. ``enum``: a ``kind`` property whose ``enum`` holds ``k`` values
    (appending values only widens), so version k is O(k) long and a transitive check of a
    1,000-version subject reads ~3.5 MB of schemas.
    """
    properties: dict[str, Any] = dict(SCHEMA["properties"])
    if kind == "maximum":
        properties["value"] = {"type": "number", "maximum": k}
    elif kind == "enum":
        properties["kind"] = {"type": "string", "enum": [f"v{i}" for i in range(1, k + 1)]}
    else:
        raise ValueError(f"unknown chain kind {kind!r} (expected one of {', '.join(CHAIN_KINDS)})")
    return {"type": "object", "properties": properties, "required": list(SCHEMA["required"])}


def stored_text(document: Any) -> str:
    """The text the registry stores for a schema given as a JSON object."""
    return orjson.dumps(document).decode()


def content_hash(document: Any) -> str:
    """sha256 hex of the canonical JSON (sorted keys, compact): the registry's duplicate key."""
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


def dumps(document: Any) -> str:
    return orjson.dumps(document).decode()
