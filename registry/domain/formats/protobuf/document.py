"""A compiled Protobuf schema: its own file, the files it imports, and every message and
enum visible from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import descriptor_pb2

from registry.domain.formats.protobuf.well_known import BUNDLED_FILES

# The name the schema's own text is compiled under.
SCHEMA_FILE_NAME = "schema.proto"

_FieldType = descriptor_pb2.FieldDescriptorProto.Type

# Scalar types as .proto text spells them.
SCALAR_TYPE_NAMES: dict[int, str] = {
    _FieldType.TYPE_DOUBLE: "double",
    _FieldType.TYPE_FLOAT: "float",
    _FieldType.TYPE_INT64: "int64",
    _FieldType.TYPE_UINT64: "uint64",
    _FieldType.TYPE_INT32: "int32",
    _FieldType.TYPE_FIXED64: "fixed64",
    _FieldType.TYPE_FIXED32: "fixed32",
    _FieldType.TYPE_BOOL: "bool",
    _FieldType.TYPE_STRING: "string",
    _FieldType.TYPE_BYTES: "bytes",
    _FieldType.TYPE_UINT32: "uint32",
    _FieldType.TYPE_SFIXED32: "sfixed32",
    _FieldType.TYPE_SFIXED64: "sfixed64",
    _FieldType.TYPE_SINT32: "sint32",
    _FieldType.TYPE_SINT64: "sint64",
}


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """A message or enum visible from the schema file."""

    full_name: str  # without the leading dot
    local_name: str  # the full name without the declaring file's package: "Order.Line"
    package: str
    file_name: str  # SCHEMA_FILE_NAME, or the imported file that declares the type
    syntax: str  # "proto2" or "proto3"
    message: descriptor_pb2.DescriptorProto | None
    enum: descriptor_pb2.EnumDescriptorProto | None

    @property
    def is_map_entry(self) -> bool:
        return self.message is not None and self.message.options.map_entry

    @property
    def is_local(self) -> bool:
        return self.file_name == SCHEMA_FILE_NAME

    @property
    def is_well_known(self) -> bool:
        """Declared in a file bundled with protoc (not in the schema nor in a dependency)."""
        return self.file_name in BUNDLED_FILES


@dataclass(frozen=True, slots=True, eq=False)
class ProtobufDocument:
    """A compiled schema. Shared between callers through the compile cache: never mutate
    the descriptor protos it holds."""

    text: str
    file: descriptor_pb2.FileDescriptorProto  # the schema itself, without source info
    # Imported files (well-known ones and dependencies), transitively, each before its importers.
    imports: tuple[descriptor_pb2.FileDescriptorProto, ...]
    descriptor_bytes: bytes  # deterministic serialization of ``file``
    types: Mapping[str, TypeInfo] = field(repr=False)  # by full name, imported types included

    @property
    def package(self) -> str:
        return self.file.package

    @property
    def syntax(self) -> str:
        return self.file.syntax or "proto2"

    def message_names(self) -> list[str]:
        """Full names of the messages the schema declares, in declaration order (each
        message before its nested ones), map entries left out."""
        return [
            info.full_name
            for info in self.types.values()
            if info.is_local and info.message is not None and not info.is_map_entry
        ]


def index_types(files: list[descriptor_pb2.FileDescriptorProto]) -> dict[str, TypeInfo]:
    types: dict[str, TypeInfo] = {}
    for file in files:
        syntax = file.syntax or "proto2"
        prefix = f"{file.package}." if file.package else ""
        declared: list[tuple[str, Any, Any]] = [(enum.name, None, enum) for enum in file.enum_type]
        # Depth-first in declaration order, without recursion.
        pending: list[tuple[str, descriptor_pb2.DescriptorProto]] = [
            ("", message) for message in reversed(file.message_type)
        ]
        while pending:
            parent, message = pending.pop()
            local = f"{parent}{message.name}"
            declared.append((local, message, None))
            declared.extend((f"{local}.{enum.name}", None, enum) for enum in message.enum_type)
            pending.extend((f"{local}.", nested) for nested in reversed(message.nested_type))
        for local, message, enum in declared:
            types[prefix + local] = TypeInfo(prefix + local, local, file.package, file.name, syntax, message, enum)
    return types
