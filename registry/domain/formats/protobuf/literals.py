"""How names and values are spelled in ``.proto`` text written from a descriptor."""

from __future__ import annotations

import math
import re

from google.protobuf import descriptor_pb2

from registry.domain.formats.protobuf.limits import shorten

# The message class's own constants: reading them through the enum wrappers
# (``_FieldType.TYPE_GROUP``) costs microseconds, which add up over thousands of fields.
_F = descriptor_pb2.FieldDescriptorProto

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FULL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
TYPE_REFERENCE = re.compile(r"\.?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_INTEGER_DEFAULT = re.compile(r"-?[0-9]+")
_FLOAT_DEFAULT = re.compile(r"-?(?:inf|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_C_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.DOTALL)
_C_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"a": b"\a", b"b": b"\b", b"f": b"\f", b"v": b"\v"}
_INTEGER_TYPES = frozenset(
    {
        _F.TYPE_INT32,
        _F.TYPE_INT64,
        _F.TYPE_UINT32,
        _F.TYPE_UINT64,
        _F.TYPE_SINT32,
        _F.TYPE_SINT64,
        _F.TYPE_FIXED32,
        _F.TYPE_FIXED64,
        _F.TYPE_SFIXED32,
        _F.TYPE_SFIXED64,
    }
)


class RenderError(Exception):
    """The descriptor holds something .proto text cannot say (or a name no text can hold)."""


def default_json_name(name: str) -> str:
    """protoc's ToJsonName: underscores dropped, the letter after each one capitalised."""
    parts = name.split("_")
    return parts[0] + "".join(part[:1].upper() + part[1:] for part in parts[1:])


def quote(value: str | bytes) -> str:
    """A .proto string literal of ``value`` (UTF-8 for text), ASCII only."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    out = []
    for byte in data:
        if byte in (0x22, 0x5C):  # " and \
            out.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")  # always 3 octal digits: a digit after it cannot join it
    return '"' + "".join(out) + '"'


def _c_unescape(text: str) -> bytes:
    """The bytes of a bytes field's default, which descriptors hold C-escaped."""

    def replace(match: re.Match[bytes]) -> bytes:
        octal, hexadecimal, other = match.groups()
        if octal is not None:
            return bytes([int(octal, 8) & 0xFF])
        if hexadecimal is not None:
            return bytes([int(hexadecimal, 16)])
        return _C_ESCAPES.get(other, other)

    return _C_ESCAPE.sub(replace, text.encode("utf-8", "surrogatepass"))


def default_literal(field_proto: descriptor_pb2.FieldDescriptorProto) -> str:
    """The field's ``default`` as .proto text says it."""
    value = field_proto.default_value
    field_type = field_proto.type
    if field_type == _F.TYPE_STRING:
        return quote(value)
    if field_type == _F.TYPE_BYTES:
        return quote(_c_unescape(value))
    if field_type == _F.TYPE_BOOL:
        if value not in ("true", "false"):
            raise RenderError(f"field {field_proto.name!r} has the bool default {shorten(repr(value))}")
        return value
    if field_type in (_F.TYPE_FLOAT, _F.TYPE_DOUBLE):
        pattern = _FLOAT_DEFAULT
    elif field_type in _INTEGER_TYPES:
        pattern = _INTEGER_DEFAULT
    elif field_type in (_F.TYPE_ENUM, 0):
        pattern = IDENTIFIER
    else:
        raise RenderError(f"message field {field_proto.name!r} has a default value")
    if pattern.fullmatch(value) is None:
        raise RenderError(f"field {field_proto.name!r} has the default {shorten(repr(value))}")
    return value


def checked_name(value: str, pattern: re.Pattern[str], what: str) -> str:
    # The text is built by concatenation: a name that is not one would change its meaning.
    if pattern.fullmatch(value) is None:
        raise RenderError(f"{what} {shorten(repr(value))} is not a valid name")
    return value


def float_text(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)
