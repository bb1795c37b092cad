"""The normalised text of a schema (its identity) and the schema without its annotations.

Decisions worth knowing:

* Identity: ``content_hash`` is the sha256 of ``normalised_text``: sorted keys, no
  whitespace, full names, short spellings of types (equal for the spellings Confluent's
  normalisation merges), *not* the Parsing Canonical Form, which drops doc, aliases and
  defaults and would merge versions that differ in them.
* Annotations (``only_annotations_differ``): only ``doc`` attributes, plus the spelling
  ``{"type": "int"}`` for ``"int"``. Aliases change how data is resolved and other
  attributes may drive code generation, so neither is an annotation.
"""

from __future__ import annotations

import orjson

from registry.domain.formats.avro.types import PRIMITIVE_TYPES, qualify


def normalised_text(schema_json: object) -> str:
    """Equal for schemas that differ only in how they are written: layout and key order,
    ``{"type": "int"}`` for ``"int"``, and a name given as ``name`` + ``namespace``, or
    relative to the enclosing namespace, rather than in full (every name becomes full).
    Docs, defaults, aliases and other attributes stay: they are part of the schema."""
    return orjson.dumps(_spelled_out(schema_json, ""), option=orjson.OPT_SORT_KEYS).decode()


_NAMED_KINDS = frozenset({"record", "error", "enum", "fixed"})
_CONTAINER_KINDS = frozenset({"array", "map"})


def _spelled_out(schema: object, namespace: str) -> object:
    """The schema with full names and the short spellings of primitive and named types."""
    if isinstance(schema, str):
        return schema if schema in PRIMITIVE_TYPES else qualify(schema, namespace)
    if isinstance(schema, list):
        return [_spelled_out(branch, namespace) for branch in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if not isinstance(kind, str) or not (kind in _NAMED_KINDS or kind in _CONTAINER_KINDS):
        if len(schema) == 1 and "type" in schema:  # {"type": X} is only another spelling of X
            return _spelled_out(kind, namespace)
        if isinstance(kind, (dict, list)):
            return {**schema, "type": _spelled_out(kind, namespace)}
        return schema  # a primitive with attributes (logicalType...): as written
    spelled = dict(schema)
    if kind in _NAMED_KINDS and isinstance(schema.get("name"), str):
        declared = schema.get("namespace")
        full = qualify(schema["name"], declared if isinstance(declared, str) else namespace)
        spelled.pop("namespace", None)
        spelled["name"] = full
        namespace = full.rpartition(".")[0]
        if isinstance(schema.get("aliases"), list):
            spelled["aliases"] = [
                qualify(alias, namespace) if isinstance(alias, str) else alias for alias in schema["aliases"]
            ]
        if kind in ("record", "error") and isinstance(schema.get("fields"), list):
            spelled["fields"] = [
                {**field, "type": _spelled_out(field["type"], namespace)}
                if isinstance(field, dict) and "type" in field
                else field
                for field in schema["fields"]
            ]
    elif kind == "array" and "items" in schema:
        spelled["items"] = _spelled_out(schema["items"], namespace)
    elif kind == "map" and "values" in schema:
        spelled["values"] = _spelled_out(schema["values"], namespace)
    return spelled


def without_docs(schema: object) -> object:
    """The schema JSON without ``doc`` at schema and field positions (default values,
    which may hold a key named doc, are data and stay)."""
    if isinstance(schema, list):
        return [without_docs(branch) for branch in schema]
    if not isinstance(schema, dict):
        return schema
    stripped = {key: value for key, value in schema.items() if key != "doc"}
    type_name = stripped.get("type")
    if type_name == "record" and isinstance(stripped.get("fields"), list):
        stripped["fields"] = [_field_without_docs(field) for field in stripped["fields"]]
    elif type_name == "array" and "items" in stripped:
        stripped["items"] = without_docs(stripped["items"])
    elif type_name == "map" and "values" in stripped:
        stripped["values"] = without_docs(stripped["values"])
    elif type_name in PRIMITIVE_TYPES and len(stripped) == 1:
        return type_name  # {"type": "int"} is only another spelling of "int"
    return stripped


def _field_without_docs(field: object) -> object:
    if not isinstance(field, dict):
        return field
    stripped = {key: value for key, value in field.items() if key != "doc"}
    if "type" in stripped:
        stripped["type"] = without_docs(stripped["type"])
    return stripped
