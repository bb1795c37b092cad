"""CPU cost of JSON Schema work in one process, without HTTP: registering large schemas,
``uniqueItems`` and large ``enum``s, and validating ordinary documents (the hot path).

    .venv/bin/python bench/json_schema_cpu.py                  # every case
    .venv/bin/python bench/json_schema_cpu.py register-95000   # cases whose name contains a word
    .venv/bin/python bench/json_schema_cpu.py --schema-file vector.json   # also a schema of yours

Registration is ``JsonSchemaHandler.parse`` on the schema's text (what a registration spends on
the schema: JSON parsing, limits, metaschema, references, patterns, canonical text and hash),
each time on a fresh handler so that its cache of checked schemas does not answer. Each case
prints the median of ``--repeat`` runs (the best for the micro-benchmarks).
"""

from __future__ import annotations

import argparse
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry.domain.formats.json_schema import JsonSchemaHandler, compile_validator  # noqa: E402

_ALPHABET = string.digits + string.ascii_letters
DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2019 = "https://json-schema.org/draft/2019-09/schema"


def short_name(number: int) -> str:
    """Base-62 names: 95,000 properties of ``{}`` fit in 851 KB, as in the issue."""
    digits = ""
    while True:
        number, digit = divmod(number, len(_ALPHABET))
        digits = _ALPHABET[digit] + digits
        if number == 0:
            return digits


def many_properties(count: int, dialect: str | None = None, subschema: object = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {short_name(i): ({} if subschema is None else subschema) for i in range(count)},
    }
    if dialect is not None:
        schema["$schema"] = dialect
    # Distinct objects, as parsed from text (shared ones would be walked once).
    parsed: dict[str, Any] = orjson.loads(orjson.dumps(schema))
    return parsed


def configuration_like(components: int) -> dict[str, Any]:
    """The shape of SchemaStore's vector.json (2019-09, ~1 MB): components, each a definition
    with documented, typed options, enums, nested objects, and ``oneOf`` over ``$ref``s."""
    definitions: dict[str, Any] = {}
    for number in range(components):
        name = f"component_{number}"
        options = {
            f"option_{k}": {
                "description": f"Option {k} of component {number}: what it does, its unit and its default.",
                "type": ["string", "integer", "boolean", "number"][k % 4],
                **({"default": k} if k % 4 == 1 else {}),
                **({"minimum": 0} if k % 4 in (1, 3) else {}),
            }
            for k in range(8)
        }
        options["mode"] = {"description": "Mode.", "type": "string", "enum": ["fast", "safe", "balanced", "off"]}
        options["timeout"] = {"$ref": "#/definitions/duration"}
        options["encoding"] = {"$ref": "#/definitions/encoding"}
        options["tls"] = {
            "description": "TLS options.",
            "type": "object",
            "properties": {
                "enabled": {"type": "boolean", "default": False},
                "ca_file": {"type": "string", "format": "uri-reference"},
                "verify": {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": "^(full|none)$"}]},
            },
            "additionalProperties": False,
        }
        definitions[name] = {
            "description": f"Component {number}.",
            "type": "object",
            "properties": options,
            "required": ["mode"],
            "unevaluatedProperties": False,
        }
    definitions["duration"] = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^\\d+s$"}]}
    definitions["encoding"] = {
        "type": "object",
        "properties": {"codec": {"type": "string", "enum": ["json", "text", "avro", "native"]}},
        "required": ["codec"],
    }
    component_refs = [{"$ref": f"#/definitions/component_{number}"} for number in range(components)]
    sources, sinks = {"oneOf": component_refs}, {"anyOf": component_refs}
    return {
        "$schema": DRAFT2019,
        "$id": "https://example.com/configuration.json",
        "description": "A complete configuration.",
        "type": "object",
        "allOf": [
            {"type": "object", "properties": {"sources": {"type": "object", "additionalProperties": sources}}},
            {"type": "object", "properties": {"sinks": {"type": "object", "additionalProperties": sinks}}},
        ],
        "definitions": definitions,
    }


def mixed_items(count: int) -> list[Any]:
    """Distinct values of every JSON type, as in the issue's 73 KB array."""
    kinds: list[Callable[[int], Any]] = [
        lambda i: i,
        lambda i: i + 0.5,
        lambda i: f"s{i}",
        lambda i: [i, f"t{i}"],
        lambda i: {"k": i, "v": [i]},
    ]
    return [kinds[i % len(kinds)](i) for i in range(count - 3)] + [True, False, None]


def timed(action: Callable[[], object], repeat: int, best: bool = False) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return min(samples) if best else statistics.median(samples)


def register(schema: object) -> Callable[[], object]:
    text = orjson.dumps(schema).decode()
    return lambda: JsonSchemaHandler().parse(text)


ORDINARY_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT7,
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z]+-[0-9]+$"},
        "email": {"type": "string", "format": "email"},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "status": {"enum": ["active", "inactive", "banned"]},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "maxItems": 20},
        "address": {
            "type": "object",
            "properties": {"street": {"type": "string"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
            "required": ["street"],
        },
        "scores": {"type": "array", "items": {"type": "number"}},
        "contact": {"anyOf": [{"type": "string", "format": "email"}, {"type": "null"}]},
        "plan": {"oneOf": [{"const": "free"}, {"type": "object", "required": ["tier"]}]},
    },
    "required": ["id", "email"],
    "additionalProperties": False,
}
ORDINARY_DOCUMENT: dict[str, Any] = {
    "id": "user-123",
    "email": "jane@example.com",
    "age": 42,
    "status": "active",
    "tags": ["a", "b", "c", "d"],
    "address": {"street": "Main St 1", "zip": "12345"},
    "scores": [1.5, 2, 3.25, 4],
    "contact": None,
    "plan": {"tier": 2},
}


def cases(schema_file: Path | None) -> dict[str, tuple[Callable[[], object], str, int]]:
    """name -> (action, unit of what is reported, repeat)."""
    found: dict[str, tuple[Callable[[], object], str, int]] = {}
    for count in (1_000, 10_000, 45_000, 95_000):
        found[f"register-{count}-properties"] = (register(many_properties(count)), "ms", 3)
    found["register-45000-typed-properties-draft-07"] = (
        register(many_properties(45_000, DRAFT7, {"type": "string"})),
        "ms",
        3,
    )
    found["register-configuration-like-1mb"] = (register(configuration_like(600)), "ms", 3)
    if schema_file is not None:
        found[f"register-{schema_file.name}"] = (register(orjson.loads(schema_file.read_bytes())), "ms", 3)
    found["register-draft-04-enum-12001-mixed"] = (
        register({"$schema": DRAFT4, "enum": mixed_items(12_001)}),
        "ms",
        3,
    )
    unique = compile_validator({"type": "array", "uniqueItems": True})
    items = mixed_items(12_000)
    found["validate-unique-items-12000-mixed"] = (lambda: unique.validate(items), "ms", 3)
    in_enum = compile_validator({"type": "array", "items": {"enum": mixed_items(12_001)}})
    found["validate-12000-items-against-a-12001-value-enum"] = (lambda: in_enum.validate(items), "ms", 3)
    ordinary = compile_validator(ORDINARY_SCHEMA)
    found["validate-ordinary-document-x1000"] = (
        lambda: [ordinary.validate(ORDINARY_DOCUMENT) for _ in range(1000)],
        "us/doc",
        7,
    )
    # bench/workload.py's schema and document (the HTTP benchmark's validate endpoint).
    bench_schema = compile_validator(
        {
            "type": "object",
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "value": {"type": "number"}},
            "required": ["id", "name"],
        }
    )
    bench_document = {"id": "user-123", "name": "Jane Doe", "value": 42.5}
    found["validate-bench-document-x1000"] = (
        lambda: [bench_schema.validate(bench_document) for _ in range(1000)],
        "us/doc",
        7,
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("words", nargs="*", help="run only the cases whose name contains one of these")
    parser.add_argument("--schema-file", type=Path, help="also time registering this schema")
    parser.add_argument("--repeat", type=int, help="runs per case (default: 3, 7 for the micro-benchmarks)")
    arguments = parser.parse_args()
    for name, (action, unit, repeat) in cases(arguments.schema_file).items():
        if arguments.words and not any(word in name for word in arguments.words):
            continue
        micro = unit == "us/doc"
        seconds = timed(action, arguments.repeat or repeat, best=micro)
        value = seconds * 1e3 if not micro else seconds * 1e6 / 1000
        print(f"{name:52} {value:10.1f} {unit}", flush=True)


if __name__ == "__main__":
    main()
