"""Schemas given as the base64 of a serialized ``FileDescriptorProto``.

``ProtobufHandler.parse`` also takes the base64 of a serialized ``FileDescriptorProto``, the form in which
Confluent's Protobuf serializers register and look up schemas (and their imports). It is
written as ``.proto`` text (``proto_text_from_descriptor``), which is what gets stored and
is compiled like any text, so it has the hash of the equivalent hand-written text. A
descriptor whose text does not compile back to it (file name, source info and default
``json_name``s aside) is refused rather than approximated. Text is never taken for base64:
only text made of base64 characters alone that decodes to a descriptor declaring something
is.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, unknown_fields
from google.protobuf import message as message_module
from google.protobuf.descriptor import FieldDescriptor

from registry.domain.errors import InvalidSchema
from registry.domain.formats.protobuf.document import SCHEMA_FILE_NAME, ProtobufDocument
from registry.domain.formats.protobuf.limits import shorten
from registry.domain.formats.protobuf.literals import default_json_name
from registry.domain.model import SchemaProblem

# The message class's own constants: reading them through the enum wrappers
# (``_FieldType.TYPE_GROUP``) costs microseconds, which add up over thousands of fields.
_F = descriptor_pb2.FieldDescriptorProto

# Standard base64, padding optional. The first byte of a serialized FileDescriptorProto is
# the tag of one of its fields, all numbered below 16: a byte below 0x80, whose base64
# starts with one of A-Z a-f. The only .proto texts made of base64 characters alone are
# "//comment" lines without spaces, and they start with "/": no valid text is taken for base64.
_BASE64_DESCRIPTOR = re.compile(r"[A-Za-f][A-Za-z0-9+/]*={0,2}")


def descriptor_from_base64(text: str) -> descriptor_pb2.FileDescriptorProto | None:
    """The FileDescriptorProto that ``text`` encodes in base64 (as Confluent's Protobuf
    serializers send schemas), None for ``.proto`` text; raise InvalidSchema when the text
    is made of base64 characters only but is not such a descriptor."""
    candidate = text.strip()
    if _BASE64_DESCRIPTOR.fullmatch(candidate) is None:
        return None
    file = descriptor_pb2.FileDescriptorProto()
    unpadded = candidate.rstrip("=")
    problem = None
    if len(unpadded) % 4 == 1:
        problem = "its length cannot be that of base64"
    else:
        try:
            data = base64.b64decode(unpadded + "=" * (-len(unpadded) % 4), validate=True)
            file.ParseFromString(data)
        except (binascii.Error, ValueError):
            problem = "it is not valid base64"
        except message_module.DecodeError:
            problem = "its bytes are not a serialized FileDescriptorProto"
    if problem is None and len(unknown_fields.UnknownFieldSet(file)):
        # Random bytes often parse, as fields the descriptor does not have.
        problem = "its bytes are not a serialized FileDescriptorProto (they hold fields it does not have)"
    if problem is None and not (
        file.syntax
        or file.package
        or file.dependency
        or file.message_type
        or file.enum_type
        or file.service
        or file.extension
        or file.HasField("options")
    ):
        problem = "it decodes to a FileDescriptorProto that declares nothing"
    if problem is not None:
        message = f"the schema is neither .proto text nor a base64-encoded FileDescriptorProto: {problem}"
        raise InvalidSchema(message, problems=[SchemaProblem(location="", message=message)])
    return file


def options_pool(document: ProtobufDocument) -> descriptor_pool.DescriptorPool:
    """A pool of the schema and the files it imports, where its custom options are declared
    (the schema may declare those it uses itself)."""
    pool = descriptor_pool.DescriptorPool()
    for file in [*document.imports, document.file]:  # each before its importers
        pool.AddSerializedFile(file.SerializeToString())
    return pool


def _as_compiled(file: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorProto:
    """``file`` as protoc describes a compiled schema: named ``schema.proto``, no source
    info, no ``syntax`` for proto2, and every field's ``json_name`` (generated code embeds
    descriptors that carry only those written out)."""
    normal = descriptor_pb2.FileDescriptorProto()
    normal.CopyFrom(file)
    normal.name = SCHEMA_FILE_NAME
    normal.ClearField("source_code_info")
    if normal.syntax == "proto2":
        normal.ClearField("syntax")
    fields = list(normal.extension)
    pending = list(normal.message_type)
    while pending:
        message = pending.pop()
        fields.extend(message.field)
        fields.extend(message.extension)
        pending.extend(message.nested_type)
    for field_proto in fields:
        if not field_proto.HasField("json_name"):
            field_proto.json_name = default_json_name(field_proto.name)
    return normal


def _first_difference(expected: Any, actual: Any, path: str) -> str | None:
    """Where two descriptor messages first differ, as a readable path, or None."""
    for field_descriptor in expected.DESCRIPTOR.fields:
        difference = _field_difference(expected, actual, field_descriptor, path)
        if difference is not None:
            return difference
    if expected.SerializeToString(deterministic=True) != actual.SerializeToString(deterministic=True):
        return f"{path or 'the file'}: options this registry cannot read"
    return None


def _field_difference(expected: Any, actual: Any, field_descriptor: FieldDescriptor, path: str) -> str | None:
    """Where one field of two descriptor messages first differs, or None."""
    name = field_descriptor.name
    here = f"{path}.{name}" if path else name
    expected_value, actual_value = getattr(expected, name), getattr(actual, name)
    if field_descriptor.is_repeated and field_descriptor.type == _F.TYPE_MESSAGE:
        return _repeated_messages_difference(expected_value, actual_value, here)
    if field_descriptor.type == _F.TYPE_MESSAGE:
        if expected.HasField(name) != actual.HasField(name):
            return f"{here}: {'set' if expected.HasField(name) else 'unset'} in the descriptor only"
        return _first_difference(expected_value, actual_value, here) if expected.HasField(name) else None
    if field_descriptor.is_repeated:
        if list(expected_value) != list(actual_value):
            return f"{here}: {shorten(repr(list(expected_value)))} given, {shorten(repr(list(actual_value)))}"
        return None
    if expected.HasField(name) != actual.HasField(name) or expected_value != actual_value:
        return f"{here}: {shorten(repr(expected_value))} given, {shorten(repr(actual_value))} after compiling"
    return None


def _repeated_messages_difference(expected_items: Any, actual_items: Any, here: str) -> str | None:
    for index, (expected_item, actual_item) in enumerate(zip(expected_items, actual_items, strict=False)):
        label = getattr(expected_item, "name", "") or str(index)
        difference = _first_difference(expected_item, actual_item, f"{here}[{label}]")
        if difference is not None:
            return difference
    if len(expected_items) != len(actual_items):
        return f"{here}: {len(expected_items)} given, {len(actual_items)} after compiling the text"
    return None


def check_round_trip(file: descriptor_pb2.FileDescriptorProto, document: ProtobufDocument) -> None:
    """Refuse a descriptor whose text compiles to a different one: the registered schema
    must describe the bytes its producers write, not an approximation of them."""
    expected = _as_compiled(file)
    if expected.SerializeToString(deterministic=True) == document.descriptor_bytes:
        return
    difference = _first_difference(expected, document.file, "") or "the file"
    message = f"the descriptor cannot be written as .proto text that compiles back to it: {difference}"
    raise InvalidSchema(message, problems=[SchemaProblem(location="", message=message)])
