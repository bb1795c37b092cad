"""What the proto3 JSON validator checks, planned once per validator from the descriptors:
the message to validate against, and lookup tables for it and every message it reaches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

from registry.domain.errors import InvalidRequest
from registry.domain.formats.protobuf.document import ProtobufDocument, TypeInfo
from registry.domain.pointers import escape_token

_Label = descriptor_pb2.FieldDescriptorProto.Label

# A generated message class (in FieldPlan, whose ``type`` field hides the builtin).
_MessageClass = type[Message]


@dataclass(frozen=True, slots=True)
class EnumPlan:
    full_name: str
    names: frozenset[str]
    numbers: frozenset[int]
    closed: bool  # proto2 enums reject numbers they do not declare


@dataclass(frozen=True, slots=True)
class FieldPlan:
    name: str
    json_name: str
    number: int
    type: int
    repeated: bool
    required: bool
    oneof: str | None  # real oneofs only
    schema_path: str
    message: str | None = None  # full name of a message the schema or a dependency declares
    well_known: _MessageClass | None = None  # a well-known message type, parsed by json_format
    enum: EnumPlan | None = None
    map_key: FieldPlan | None = None
    map_value: FieldPlan | None = None


@dataclass(frozen=True, slots=True)
class MessagePlan:
    full_name: str
    schema_path: str
    fields_by_key: Mapping[str, FieldPlan]  # by JSON name and by proto name
    required: tuple[FieldPlan, ...]


def select_message(document: ProtobufDocument, wanted: str | None) -> TypeInfo:
    names = document.message_names()
    if not names:
        raise InvalidRequest("the schema declares no message to validate against", field="message")
    if wanted is None:
        return document.types[names[0]]
    if not isinstance(wanted, str) or not wanted.strip():
        raise InvalidRequest("message must be the name of a message of the schema", field="message")
    candidate = wanted.strip().lstrip(".")
    package_prefix = f"{document.package}." if document.package else ""
    for full_name in (candidate, package_prefix + candidate):
        if full_name in names:
            return document.types[full_name]
    same_simple_name = [name for name in names if name.rsplit(".", 1)[-1] == candidate]
    if len(same_simple_name) == 1:
        return document.types[same_simple_name[0]]
    if same_simple_name:
        raise InvalidRequest(
            f"message {wanted!r} is ambiguous: name one of {', '.join(sorted(same_simple_name))}", field="message"
        )
    raise InvalidRequest(
        f"the schema declares no message {wanted!r}; it declares {', '.join(names[:20])}", field="message"
    )


class Planner:
    """Turns descriptors into the validator's lookup tables, once per validator."""

    def __init__(self, document: ProtobufDocument, pool: descriptor_pool.DescriptorPool) -> None:
        self._document = document
        self._pool = pool
        self._classes: dict[str, type[Message]] = {}

    def plan_all(self, root: str) -> dict[str, MessagePlan]:
        """Plans for ``root`` and every message of the schema reachable from it."""
        plans: dict[str, MessagePlan] = {}
        pending = [root]
        while pending:
            name = pending.pop()
            if name not in plans:
                plans[name] = self._plan_message(self._document.types[name], pending)
        return plans

    def _plan_message(self, info: TypeInfo, referenced: list[str]) -> MessagePlan:
        assert info.message is not None
        schema_path = "/" + escape_token(info.local_name)
        fields_by_key: dict[str, FieldPlan] = {}
        for field_proto in info.message.field:
            field_plan = self._plan_field(info.message, field_proto, schema_path, referenced)
            fields_by_key[field_plan.json_name] = field_plan
        for field_plan in list(fields_by_key.values()):
            fields_by_key.setdefault(field_plan.name, field_plan)
        required = tuple(plan for plan in fields_by_key.values() if plan.required)
        return MessagePlan(info.full_name, schema_path, fields_by_key, tuple(dict.fromkeys(required)))

    def _plan_field(
        self,
        message: descriptor_pb2.DescriptorProto,
        field_proto: descriptor_pb2.FieldDescriptorProto,
        message_path: str,
        referenced: list[str],
    ) -> FieldPlan:
        oneof = None
        if field_proto.HasField("oneof_index") and not field_proto.proto3_optional:
            oneof = message.oneof_decl[field_proto.oneof_index].name
        plan = FieldPlan(
            name=field_proto.name,
            json_name=field_proto.json_name or field_proto.name,
            number=field_proto.number,
            type=field_proto.type,
            repeated=field_proto.label == _Label.LABEL_REPEATED,
            required=field_proto.label == _Label.LABEL_REQUIRED,
            oneof=oneof,
            schema_path=f"{message_path}/{escape_token(field_proto.name)}",
        )
        target = self._document.types.get(field_proto.type_name.lstrip(".")) if field_proto.type_name else None
        if target is None:
            return plan
        if target.enum is not None:
            return replace(plan, enum=_enum_plan(target))
        if target.is_map_entry:
            assert target.message is not None
            entry = {entry_field.number: entry_field for entry_field in target.message.field}
            key = self._plan_field(target.message, entry[1], message_path, referenced)
            value = self._plan_field(target.message, entry[2], message_path, referenced)
            return replace(
                plan,
                repeated=False,
                map_key=replace(key, schema_path=plan.schema_path),
                map_value=replace(value, schema_path=plan.schema_path),
            )
        if target.is_well_known:
            return replace(plan, well_known=self._message_class(target.full_name))
        referenced.append(target.full_name)
        return replace(plan, message=target.full_name)

    def _message_class(self, full_name: str) -> type[Message]:
        message_class = self._classes.get(full_name)
        if message_class is None:
            message_class = message_factory.GetMessageClass(self._pool.FindMessageTypeByName(full_name))
            self._classes[full_name] = message_class
        return message_class


def _enum_plan(info: TypeInfo) -> EnumPlan:
    assert info.enum is not None
    return EnumPlan(
        full_name=info.full_name,
        names=frozenset(value.name for value in info.enum.value),
        numbers=frozenset(value.number for value in info.enum.value),
        closed=info.syntax == "proto2",
    )
