"""What a field holds, as the compatibility rules see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from google.protobuf import descriptor_pb2

from registry.domain.formats.protobuf.document import SCALAR_TYPE_NAMES, TypeInfo

_FieldType = descriptor_pb2.FieldDescriptorProto.Type
_Label = descriptor_pb2.FieldDescriptorProto.Label

# Scalars that read each other's encoding (the language guide's rules for updating a
# message type), grouped as Confluent groups them; enums count as general numbers.
SCALAR_KIND: dict[int, str] = {
    _FieldType.TYPE_INT32: "GENERAL_NUMBER",
    _FieldType.TYPE_INT64: "GENERAL_NUMBER",
    _FieldType.TYPE_UINT32: "GENERAL_NUMBER",
    _FieldType.TYPE_UINT64: "GENERAL_NUMBER",
    _FieldType.TYPE_BOOL: "GENERAL_NUMBER",
    _FieldType.TYPE_ENUM: "GENERAL_NUMBER",
    _FieldType.TYPE_SINT32: "SIGNED_NUMBER",
    _FieldType.TYPE_SINT64: "SIGNED_NUMBER",
    _FieldType.TYPE_STRING: "STRING_OR_BYTES",
    _FieldType.TYPE_BYTES: "STRING_OR_BYTES",
    _FieldType.TYPE_FIXED32: "FIXED32",
    _FieldType.TYPE_SFIXED32: "FIXED32",
    _FieldType.TYPE_FIXED64: "FIXED64",
    _FieldType.TYPE_SFIXED64: "FIXED64",
    _FieldType.TYPE_FLOAT: "FLOAT",
    _FieldType.TYPE_DOUBLE: "DOUBLE",
}


@dataclass(frozen=True, slots=True)
class FieldShape:
    """What a field holds, as the compatibility rules see it."""

    kind: str  # SCALAR (enums included), MESSAGE, GROUP or MAP
    type: int  # FieldDescriptorProto.Type
    repeated: bool
    type_info: TypeInfo | None  # the message, enum or map entry the field names
    map_key: FieldShape | None = None
    map_value: FieldShape | None = None

    @staticmethod
    def of(field_proto: descriptor_pb2.FieldDescriptorProto, types: Mapping[str, TypeInfo]) -> FieldShape:
        type_info = types.get(field_proto.type_name.lstrip(".")) if field_proto.type_name else None
        repeated = field_proto.label == _Label.LABEL_REPEATED
        if field_proto.type == _FieldType.TYPE_GROUP:
            return FieldShape("GROUP", field_proto.type, repeated, type_info)
        if field_proto.type != _FieldType.TYPE_MESSAGE:
            return FieldShape("SCALAR", field_proto.type, repeated, type_info)
        if type_info is None or not type_info.is_map_entry:
            return FieldShape("MESSAGE", field_proto.type, repeated, type_info)
        assert type_info.message is not None
        entry = {entry_field.number: entry_field for entry_field in type_info.message.field}
        return FieldShape(
            "MAP", field_proto.type, False, type_info, FieldShape.of(entry[1], types), FieldShape.of(entry[2], types)
        )

    def describe(self) -> str:
        if self.kind == "MAP":
            return "a map"
        if self.kind == "GROUP":
            return "a group"
        if self.type_info is not None:
            return f"{'enum' if self.type_info.enum is not None else 'message'} {self.type_info.local_name}"
        return SCALAR_TYPE_NAMES.get(self.type, "a scalar")
