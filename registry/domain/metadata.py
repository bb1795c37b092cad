"""A schema version's ``metadata``: a JSON object kept as given, within a nesting limit.

The registry writes metadata back out inside other JSON (the stored row, the shared cache
entry, every response showing the version), and JSON writers refuse deep nesting (orjson
stops at 254 levels), so the limit is checked before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.domain.errors import InvalidRequest

DEFAULT_METADATA_MAX_DEPTH = 32


def check_metadata(metadata: Mapping[str, Any], max_depth: int) -> None:
    """``InvalidRequest`` (field ``metadata``) when objects and arrays nest more than
    ``max_depth`` levels, the metadata object itself being the first."""
    pending: list[tuple[object, int]] = [(metadata, 1)]
    while pending:  # iterative: bodies may nest deeper than Python's recursion limit
        value, depth = pending.pop()
        if depth > max_depth:
            raise InvalidRequest(
                f"field 'metadata' is nested more than {max_depth} levels deep", field="metadata", max_depth=max_depth
            )
        children = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else ()
        pending.extend((child, depth + 1) for child in children if isinstance(child, Mapping | list))
