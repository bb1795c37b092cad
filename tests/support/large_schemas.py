"""Large schemas and documents, as the issue 12 review sent them: many properties, mixed-type
arrays, and a configuration schema of 1 MB with the shape of SchemaStore's vector.json."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

import orjson

DRAFT2019 = "https://json-schema.org/draft/2019-09/schema"

_ALPHABET = string.digits + string.ascii_letters


def short_name(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, len(_ALPHABET))
        digits = _ALPHABET[digit] + digits
        if number == 0:
            return digits


def many_properties(count: int, dialect: str, subschema: object) -> dict[str, Any]:
    schema = {
        "$schema": dialect,
        "type": "object",
        "properties": {short_name(number): subschema for number in range(count)},
    }
    # Distinct objects, as parsed from text (a shared subschema would be walked once).
    parsed: dict[str, Any] = orjson.loads(orjson.dumps(schema))
    return parsed


def mixed_items(count: int) -> list[Any]:
    """``count`` distinct values of every JSON type (sorting them raises TypeError)."""
    makers: list[Callable[[int], Any]] = [
        lambda number: number,
        lambda number: number + 0.5,
        lambda number: f"s{number}",
        lambda number: [number, f"t{number}"],
        lambda number: {"k": number, "v": [number]},
    ]
    return [makers[number % len(makers)](number) for number in range(count - 3)] + [True, False, None]


def configuration_like(components: int) -> dict[str, Any]:
    """2019-09, a root ``$id``, hundreds of definitions of documented options, enums,
    nested objects, ``oneOf``/``anyOf`` over ``$ref``s, ``unevaluatedProperties``."""
    definitions: dict[str, Any] = {
        "duration": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^\\d+s$"}]},
        "encoding": {"type": "object", "properties": {"codec": {"enum": ["json", "text"]}}, "required": ["codec"]},
    }
    for number in range(components):
        options: dict[str, Any] = {
            f"option_{k}": {
                "description": f"Option {k} of component {number}: what it does, its unit and its default.",
                "type": ["string", "integer", "boolean", "number"][k % 4],
            }
            for k in range(8)
        }
        options["kind"] = {"const": f"component_{number}"}
        options["mode"] = {"type": "string", "enum": ["fast", "safe", "balanced", "off"], "default": "safe"}
        options["timeout"] = {"$ref": "#/definitions/duration"}
        options["encoding"] = {"$ref": "#/definitions/encoding"}
        options["tls"] = {
            "type": "object",
            "properties": {
                "enabled": {"type": "boolean"},
                "verify": {"anyOf": [{"type": "boolean"}, {"const": "full"}]},
            },
            "additionalProperties": False,
        }
        definitions[f"component_{number}"] = {
            "description": f"Component {number}.",
            "type": "object",
            "properties": options,
            "required": ["kind", "mode"],
            "unevaluatedProperties": False,
        }
    components_refs = [{"$ref": f"#/definitions/component_{number}"} for number in range(components)]
    return {
        "$schema": DRAFT2019,
        "$id": "https://example.com/configuration.json",
        "type": "object",
        "allOf": [
            {"properties": {"sources": {"type": "object", "additionalProperties": {"oneOf": components_refs}}}},
            {"properties": {"sinks": {"type": "object", "additionalProperties": {"anyOf": components_refs}}}},
        ],
        "definitions": definitions,
    }
