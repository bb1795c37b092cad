"""Reading Confluent requests: query parameters, path ids, and the schema request body."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

import falcon

from registry.domain.errors import InvalidRequest, InvalidSchema, InvalidVersion, SchemaNotFound, UnsupportedFormat
from registry.domain.model import SchemaFormat
from registry.domain.records import SchemaReference
from registry.http import fields
from registry.http.body import read_json

E = TypeVar("E", bound=Enum)
Item = TypeVar("Item")

# Confluent's ids and versions are Java ints.
MAX_INT = 2**31 - 1
MAX_REFERENCES = 1000

# What Confluent's resources consume. A request without Content-Type is read as
# application/octet-stream, as JAX-RS does: curl and old clients send none.
REQUEST_MEDIA_TYPES = frozenset(
    {
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/octet-stream",
        "",
    }
)


def read_body(req: falcon.Request, max_bytes: int) -> dict[str, Any]:
    return fields.require_object(read_json(req, max_bytes, REQUEST_MEDIA_TYPES))


def flag(req: falcon.Request, name: str, default: bool = False) -> bool:
    """A boolean query parameter. Case-insensitive: the Python client sends ``True``/``False``."""
    raw = fields.query_param(req, name)
    if raw is None or raw.strip() == "":
        return default
    lowered = raw.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise InvalidRequest(f"query parameter '{name}' must be true or false; got {raw[:50]!r}", field=name)


def window(req: falcon.Request, items: Sequence[Item]) -> list[Item]:
    """``offset`` and ``limit`` over a full listing; a ``limit`` of zero or less (Confluent's default
    is -1) means no limit."""
    offset = _int_param(req, "offset", 0)
    limit = _int_param(req, "limit", -1)
    if offset < 0:
        raise InvalidRequest("query parameter 'offset' must not be negative", field="offset")
    return list(items[offset:] if limit <= 0 else items[offset : offset + limit])


def _int_param(req: falcon.Request, name: str, default: int) -> int:
    raw = fields.query_param(req, name)
    if raw is None or raw.strip() == "":
        return default
    if len(raw) <= 12:  # int() of a huge digit string costs quadratic time
        try:
            return int(raw)
        except ValueError:
            pass
    raise InvalidRequest(f"query parameter '{name}' must be an integer", field=name)


def schema_id(raw: str) -> int:
    """A path's schema id. Whatever is not a positive Java int names no schema: 404 / 40403. (Confluent
    itself answers a non-integer id with Jersey's bare 404 / 404; 40403 is what clients look for.)"""
    if raw.isascii() and raw.isdigit() and len(raw) <= 10:
        value = int(raw)
        if 1 <= value <= MAX_INT:
            return value
    raise SchemaNotFound(f"schema {raw[:100]!r} not found", schema_id=raw[:100])


# Formats that keep the stored text. Confluent's "resolved" (Avro with references inlined) is not offered.
_TEXT_FORMATS = frozenset({"", "default"})
SERIALIZED = "serialized"


def wants_serialized(req: falcon.Request) -> bool:
    """``?format=serialized``: a Protobuf schema as its base64 FileDescriptorProto (what
    confluent-kafka's Protobuf serdes ask for); absent or ``default``: the stored text."""
    fmt = (fields.query_param(req, "format") or "").strip().lower()
    if fmt == SERIALIZED:
        return True
    if fmt in _TEXT_FORMATS:
        return False
    raise InvalidRequest(f"query parameter 'format' must be serialized or default; got {fmt[:50]!r}", field="format")


def level(value: Any, name: str, enum: type[E], error: type[InvalidRequest]) -> E:
    """A compatibility level or a mode from a body field: ``error`` (InvalidCompatibilityLevel,
    InvalidMode) when missing or unknown, for its own Confluent error code."""
    if not isinstance(value, str) or not value.strip():
        raise error(f"field '{name}' is required: one of {_names(enum)}", field=name)
    try:
        return enum(value.strip().upper())
    except ValueError:
        raise error(f"field '{name}' must be one of {_names(enum)}; got {value[:100]!r}", field=name) from None


def _names(enum: type[Enum]) -> str:
    return ", ".join(str(member.value) for member in enum)


@dataclass(frozen=True, slots=True)
class SchemaRequest:
    """A schema as Confluent clients send it (registration, lookup, compatibility checks)."""

    schema: str
    format: SchemaFormat
    references: tuple[SchemaReference, ...]


def schema_request(body: dict[str, Any]) -> SchemaRequest:
    schema = body.get("schema")
    if schema is None or schema == "":
        raise InvalidSchema("field 'schema' is required: the schema text")  # Confluent: 42201 "Empty schema"
    if not isinstance(schema, str):
        raise InvalidRequest("field 'schema' must be a string holding the schema text", field="schema")
    return SchemaRequest(schema, _schema_type(body.get("schemaType")), _references(body.get("references")))


def _schema_type(value: Any) -> SchemaFormat:
    if value is None:
        return SchemaFormat.AVRO  # Confluent's default
    allowed = _names(SchemaFormat)
    if not isinstance(value, str):
        raise UnsupportedFormat(f"field 'schemaType' must be one of {allowed}", field="schemaType")
    try:
        return SchemaFormat(value.strip().upper())
    except ValueError:
        raise UnsupportedFormat(
            f"unknown schemaType {value[:100]!r}; expected one of {allowed}", field="schemaType"
        ) from None


def _references(value: Any) -> tuple[SchemaReference, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidRequest("field 'references' must be a list of {name, subject, version}", field="references")
    if len(value) > MAX_REFERENCES:
        raise InvalidRequest(f"field 'references' may hold at most {MAX_REFERENCES} items", field="references")
    references = []
    for index, item in enumerate(value):
        where = f"references[{index}]"
        entry = fields.require_object(item, f"field '{where}'")
        name = fields.string(entry, "name", required=True, max_length=1000)
        subject = fields.string(entry, "subject", required=True, max_length=255)
        version = entry.get("version")
        # -1 is Confluent's "latest"; the service resolves it.
        if isinstance(version, bool) or not isinstance(version, int) or not (version == -1 or 1 <= version <= MAX_INT):
            raise InvalidRequest(f"field '{where}.version' must be a version number or -1", field=f"{where}.version")
        references.append(SchemaReference(name=name or "", subject=subject or "", version=version))
    return tuple(references)


def registration_id(body: dict[str, Any]) -> int | None:
    """The ``id`` a registration asks for (IMPORT mode). Zero or negative means none: Confluent's
    clients send -1 for "no id"."""
    return _chosen_number(body, "id", InvalidRequest)


def registration_version(body: dict[str, Any]) -> int | None:
    """The ``version`` a registration asks for. Zero or negative means none, as in Confluent."""
    return _chosen_number(body, "version", InvalidVersion)


def _chosen_number(body: dict[str, Any], name: str, error: type[InvalidRequest]) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value > MAX_INT:
        raise error(f"field '{name}' must be an integer up to {MAX_INT}", field=name)
    return value if value > 0 else None
