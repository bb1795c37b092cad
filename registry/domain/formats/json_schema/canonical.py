"""The canonical text of a schema (duplicate detection) and the schema without annotations.

Annotation keywords (``ANNOTATION_KEYWORDS``) are the metadata vocabulary: title,
description, default, examples, $comment, deprecated, readOnly, writeOnly. Vendor
extension keywords (``x-...``) and ``content*`` keywords are *not* stripped.
"""

from __future__ import annotations

from typing import Any

import orjson

from registry.domain.errors import InvalidSchema
from registry.domain.formats.json_schema.dialects import Dialect, Holds, dialect_of
from registry.domain.model import SchemaProblem

ANNOTATION_KEYWORDS = frozenset(
    {"title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly"}
)


def _rebuild(node: object, dialect: Dialect, dropped: frozenset[str]) -> object:
    """A copy of the schema tree without ``dropped`` keywords at any schema position.
    Non-schema values (enum, const, examples, unknown keywords, ...) are shared, not copied."""
    if not isinstance(node, dict):
        return node
    rebuilt: dict[str, Any] = {}
    for keyword, value in node.items():
        if keyword in dropped:
            continue
        spec = dialect.keywords.get(keyword)
        if spec is None:
            rebuilt[keyword] = value
        elif isinstance(value, list) and spec.holds in (Holds.SCHEMA_ARRAY, Holds.SCHEMA_OR_ARRAY):
            rebuilt[keyword] = [_rebuild(item, dialect, dropped) for item in value]
        elif isinstance(value, dict) and spec.holds is Holds.SCHEMA_MAP:
            rebuilt[keyword] = {name: _rebuild(item, dialect, dropped) for name, item in value.items()}
        elif spec.holds in (Holds.SCHEMA, Holds.SCHEMA_OR_ARRAY):
            rebuilt[keyword] = _rebuild(value, dialect, dropped)
        else:
            rebuilt[keyword] = value
    return rebuilt


def canonical_text(document: object) -> str:
    """Normalised text for duplicate detection: sorted keys, no whitespace.

    Numbers are kept as written (``1`` and ``1.0`` differ). Raises ``InvalidSchema`` for
    values JSON cannot carry (never for a document ``parse_schema`` accepted).
    """
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError as error:
        message = f"schema cannot be serialised as JSON: {error}"
        raise InvalidSchema(message, problems=[SchemaProblem(location="", message=message)]) from None


def strip_annotations(document: object) -> object:
    """The schema without annotation keywords (``ANNOTATION_KEYWORDS``) at any schema position.

    Only keyword positions are touched: names under ``properties``, ``$defs``,
    ``definitions``, ``patternProperties``, ``dependentSchemas`` are property names, and
    ``enum``/``const``/unknown keywords are data, so none of those is ever removed.
    Returns new containers for schema objects; the input is not modified. Assumes a
    document ``parse_schema`` accepted (recursion depth is bounded by its limits).
    """
    return _rebuild(document, dialect_of(document), ANNOTATION_KEYWORDS)
