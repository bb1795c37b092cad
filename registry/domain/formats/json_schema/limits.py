"""How big a schema may be, and the check that it is plain JSON data within those limits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from registry.domain.errors import InvalidSchema, SchemaTooLarge
from registry.domain.formats.json_schema.reporting import json_pointer
from registry.domain.model import SchemaProblem
from registry.domain.pointers import escape_token


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 64  # nesting depth of the schema document
    max_nodes: int = 100_000  # total JSON values in the schema


DEFAULT_LIMITS = Limits()


# orjson (used for canonical text) only serialises integers in this range.
_MIN_JSON_INT = -(2**63)
_MAX_JSON_INT = 2**64 - 1


def check_size_and_values(document: object, limits: Limits) -> None:
    """Raises ``SchemaTooLarge`` past ``limits`` and ``InvalidSchema`` for a value JSON cannot
    carry. One pass that handles each scalar where its container is read, allocating nothing
    per value (schemas of 100,000 values are allowed, and this runs for each of them); where
    a problem is, is found again only when there is one."""
    if not isinstance(document, dict | list):
        _check_scalar(document, None, document)
        return
    # Iterative: a deeply nested document must not blow the Python stack before we reject it.
    containers: list[dict[Any, Any] | list[Any]] = [document]
    depths = [1]
    values = 1
    while containers:
        container, depth = containers.pop(), depths.pop()
        if depth > limits.max_depth:
            message = f"schema is nested more than {limits.max_depth} levels deep"
            location = _pointer_to(document, container)
            raise SchemaTooLarge(message, problems=[SchemaProblem(location=location, message=message)])
        values += len(container)
        if values > limits.max_nodes:
            message = f"schema has more than {limits.max_nodes} JSON values"
            raise SchemaTooLarge(message, problems=[SchemaProblem(location="", message=message)])
        if isinstance(container, dict):
            for key in container:
                if not isinstance(key, str):
                    raise _invalid(document, container, None, f"object key {key!r} is not a string")
        for child in container.values() if isinstance(container, dict) else container:
            kind = type(child)
            if kind is str or kind is bool or child is None:
                continue
            if kind is dict or kind is list or isinstance(child, dict | list):
                if child or depth >= limits.max_depth:  # an empty one within the depth is done
                    containers.append(child)
                    depths.append(depth + 1)
            else:
                _check_scalar(document, container, child)


def _check_scalar(document: object, container: dict[Any, Any] | list[Any] | None, value: object) -> None:
    if value is None or isinstance(value, str | bool):
        return
    if isinstance(value, int):
        if not _MIN_JSON_INT <= value <= _MAX_JSON_INT:
            raise _invalid(document, container, value, "integer is outside the supported 64-bit range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _invalid(document, container, value, "NaN and Infinity are not JSON numbers")
    else:
        raise _invalid(document, container, value, f"{type(value).__name__} is not a JSON value")


def _pointer_to(document: object, target: object) -> str:
    """The pointer of ``target`` (by identity) in ``document``."""
    pending: list[tuple[object, tuple[object, ...]]] = [(document, ())]
    while pending:
        value, tokens = pending.pop()
        if value is target:
            return json_pointer(tokens)
        if isinstance(value, dict):
            pending.extend((child, (*tokens, key)) for key, child in value.items())
        elif isinstance(value, list):
            pending.extend((child, (*tokens, index)) for index, child in enumerate(value))
    return ""


def _invalid(
    document: object, container: dict[Any, Any] | list[Any] | None, value: object, message: str
) -> InvalidSchema:
    """The problem of ``value`` in ``container``: of the container itself when ``value`` is
    None, of the document when there is no container."""
    location = "" if container is None else _pointer_to(document, container)
    if container is not None and value is not None:
        members = container.items() if isinstance(container, dict) else enumerate(container)
        key = next(key for key, member in members if member is value)
        location += "/" + escape_token(key)
    return InvalidSchema(message, problems=[SchemaProblem(location=location, message=message)])
