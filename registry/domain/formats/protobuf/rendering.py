"""``.proto`` text written from a ``FileDescriptorProto``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format, unknown_fields

from registry.domain.errors import InvalidSchema, SchemaTooLarge
from registry.domain.formats.protobuf.document import SCALAR_TYPE_NAMES
from registry.domain.formats.protobuf.limits import shorten
from registry.domain.formats.protobuf.literals import (
    FULL_NAME,
    IDENTIFIER,
    TYPE_REFERENCE,
    RenderError,
    checked_name,
    default_json_name,
    default_literal,
    float_text,
    quote,
)
from registry.domain.model import SchemaProblem

# The message class's own constants: reading them through the enum wrappers
# (``_FieldType.TYPE_GROUP``) costs microseconds, which add up over thousands of fields.
_F = descriptor_pb2.FieldDescriptorProto


def proto_text_from_descriptor(
    file: descriptor_pb2.FileDescriptorProto, options_pool: descriptor_pool.DescriptorPool | None = None
) -> str:
    """``.proto`` text that protoc compiles back to ``file`` (file name and source info
    aside). Type names are written fully qualified, with their leading dot. Custom options
    (extensions of the ``*Options`` messages) are written only with ``options_pool``, a pool
    holding the files ``file`` imports and its own declarations; without it they are left
    out. Raise InvalidSchema for what the text cannot say (editions, a name that is no
    identifier, ...)."""
    return render(file, options_pool)[0]


def render(
    file: descriptor_pb2.FileDescriptorProto, options_pool: descriptor_pool.DescriptorPool | None
) -> tuple[str, bool]:
    """The text, and whether custom options were left out for want of ``options_pool``."""
    writer = _ProtoWriter(file, options_pool)
    try:
        return writer.text(), writer.left_out_custom_options
    except RenderError as error:
        message = f"the descriptor cannot be written as .proto text: {error}"
        raise InvalidSchema(message, problems=[SchemaProblem(location="", message=message)]) from None
    except RecursionError:
        message = "the descriptor nests messages too deeply to be written as .proto text"
        raise SchemaTooLarge(message, problems=[SchemaProblem(location="", message=message)]) from None


class _ProtoWriter:
    """Writes a FileDescriptorProto as .proto text, declarations in the descriptor's order.

    protoc puts a map field's entry message, and a group's message, among the nested
    types at the place where the field is declared; to get the same ``nested_type`` order
    back, fields are written interleaved with the nested messages accordingly."""

    def __init__(
        self, file: descriptor_pb2.FileDescriptorProto, options_pool: descriptor_pool.DescriptorPool | None
    ) -> None:
        self._file = file
        self._pool = options_pool
        self._proto3 = file.syntax == "proto3"
        self._lines: list[str] = []
        self.left_out_custom_options = False

    def text(self) -> str:
        file = self._file
        if file.syntax == "editions" or file.HasField("edition") or file.option_dependency:
            raise RenderError('Protobuf editions are not supported: only syntax "proto2" or "proto3"')
        if file.syntax not in ("", "proto2", "proto3"):
            raise RenderError(f"syntax {shorten(repr(file.syntax))} is not supported (proto2 or proto3 only)")
        self._emit(0, f'syntax = "{"proto3" if self._proto3 else "proto2"}";')
        if file.package:
            self._emit(0, f"package {checked_name(file.package, FULL_NAME, 'package')};")
        public, weak = set(file.public_dependency), set(file.weak_dependency)
        if any(not 0 <= index < len(file.dependency) for index in public | weak):
            raise RenderError("a public or weak import index names no import")
        for index, dependency in enumerate(file.dependency):
            modifier = "public " if index in public else "weak " if index in weak else ""
            self._emit(0, f"import {modifier}{quote(dependency)};")
        self._option_statements(0, file)
        scope = f".{file.package}" if file.package else ""
        self._declarations(0, scope, file.message_type, file.enum_type, [], file.extension, [])
        for service in file.service:
            self._service(service)
        return "\n".join(self._lines) + "\n"

    def _emit(self, depth: int, line: str) -> None:
        self._lines.append("  " * depth + line)

    # Declarations ---------------------------------------------------------------------

    def _declarations(
        self,
        depth: int,
        scope: str,
        nested_types: Sequence[descriptor_pb2.DescriptorProto],
        enum_types: Sequence[descriptor_pb2.EnumDescriptorProto],
        fields: Sequence[descriptor_pb2.FieldDescriptorProto],
        extensions: Sequence[descriptor_pb2.FieldDescriptorProto],
        oneofs: Sequence[descriptor_pb2.OneofDescriptorProto],
    ) -> None:
        for enum in enum_types:
            self._enum(depth, enum)
        nested_by_name = {nested.name: nested for nested in nested_types}
        # Nested types written by a field (map entries, groups), by (is an extension, field
        # index), and the other way round.
        owned: dict[tuple[bool, int], descriptor_pb2.DescriptorProto] = {}
        owners: dict[str, tuple[bool, int]] = {}
        for is_extension, declared in ((False, fields), (True, extensions)):
            for index, field_proto in enumerate(declared):
                nested = self._owned_type(scope, field_proto, nested_by_name, is_extension)
                if nested is not None and nested.name not in owners:
                    owners[nested.name] = (is_extension, index)
                    owned[(is_extension, index)] = nested
        items = self._field_items(fields, oneofs)
        next_item = next_extension = 0
        for nested in nested_types:
            owner = owners.get(nested.name)
            if owner is None:
                self._message(depth, scope, nested)
            elif owner[0]:
                self._extends(depth, scope, extensions, range(next_extension, owner[1] + 1), owned)
                next_extension = max(next_extension, owner[1] + 1)
            else:
                while next_item < len(items) and items[next_item][0] <= owner[1]:
                    self._field_item(depth, scope, fields, oneofs, items[next_item], owned)
                    next_item += 1
        for item in items[next_item:]:
            self._field_item(depth, scope, fields, oneofs, item, owned)
        self._extends(depth, scope, extensions, range(next_extension, len(extensions)), owned)

    def _owned_type(
        self,
        scope: str,
        field_proto: descriptor_pb2.FieldDescriptorProto,
        nested_by_name: Mapping[str, descriptor_pb2.DescriptorProto],
        is_extension: bool,
    ) -> descriptor_pb2.DescriptorProto | None:
        if not field_proto.type_name.startswith(f"{scope}."):
            return None
        nested = nested_by_name.get(field_proto.type_name[len(scope) + 1 :])
        if nested is None:
            return None
        if field_proto.type == _F.TYPE_GROUP:
            return nested
        if not is_extension and self._is_map(field_proto, nested):
            return nested
        return None

    @staticmethod
    def _is_map(field_proto: descriptor_pb2.FieldDescriptorProto, entry: descriptor_pb2.DescriptorProto) -> bool:
        return (
            field_proto.type == _F.TYPE_MESSAGE
            and field_proto.label == _F.LABEL_REPEATED
            and entry.options.map_entry
            and sorted((entry_field.number, entry_field.name) for entry_field in entry.field)
            == [(1, "key"), (2, "value")]
        )

    @staticmethod
    def _field_items(
        fields: Sequence[descriptor_pb2.FieldDescriptorProto], oneofs: Sequence[descriptor_pb2.OneofDescriptorProto]
    ) -> list[tuple[int, int | None, list[int]]]:
        """(index of the first field, oneof index or None, indexes of the fields): a field
        alone, or a whole oneof block where its first field stands (protoc keeps a oneof's
        fields together)."""
        items: list[tuple[int, int | None, list[int]]] = []
        members: dict[int, list[int]] = {}
        for index, field_proto in enumerate(fields):
            if field_proto.HasField("oneof_index") and not field_proto.proto3_optional:
                oneof_index = field_proto.oneof_index
                if not 0 <= oneof_index < len(oneofs):
                    raise RenderError(f"field {field_proto.name!r} names a oneof that does not exist")
                if oneof_index not in members:
                    members[oneof_index] = []
                    items.append((index, oneof_index, members[oneof_index]))
                members[oneof_index].append(index)
            else:
                items.append((index, None, [index]))
        return items

    def _field_item(
        self,
        depth: int,
        scope: str,
        fields: Sequence[descriptor_pb2.FieldDescriptorProto],
        oneofs: Sequence[descriptor_pb2.OneofDescriptorProto],
        item: tuple[int, int | None, list[int]],
        owned: Mapping[tuple[bool, int], descriptor_pb2.DescriptorProto],
    ) -> None:
        first, oneof_index, indexes = item
        if oneof_index is None:
            self._field(depth, scope, fields[first], owned.get((False, first)), in_oneof=False)
            return
        oneof = oneofs[oneof_index]
        self._emit(depth, f"oneof {checked_name(oneof.name, IDENTIFIER, 'oneof')} {{")
        self._option_statements(depth + 1, oneof)
        for index in indexes:
            self._field(depth + 1, scope, fields[index], owned.get((False, index)), in_oneof=True)
        self._emit(depth, "}")

    def _extends(
        self,
        depth: int,
        scope: str,
        extensions: Sequence[descriptor_pb2.FieldDescriptorProto],
        indexes: range,
        owned: Mapping[tuple[bool, int], descriptor_pb2.DescriptorProto],
    ) -> None:
        """``extend`` blocks for ``extensions[indexes]``, one per run of the same extendee."""
        previous = None
        for index in indexes:
            extension = extensions[index]
            if extension.extendee != previous:
                if previous is not None:
                    self._emit(depth, "}")
                self._emit(depth, f"extend {checked_name(extension.extendee, TYPE_REFERENCE, 'extendee')} {{")
                previous = extension.extendee
            self._field(depth + 1, scope, extension, owned.get((True, index)), in_oneof=False)
        if previous is not None:
            self._emit(depth, "}")

    def _field(
        self,
        depth: int,
        scope: str,
        field_proto: descriptor_pb2.FieldDescriptorProto,
        owned: descriptor_pb2.DescriptorProto | None,
        *,
        in_oneof: bool,
    ) -> None:
        """One field; ``owned`` is the nested message it writes itself (a map's entry, a group's type)."""
        name = checked_name(field_proto.name, IDENTIFIER, "field")
        options = []
        if field_proto.HasField("default_value"):
            options.append(f"default = {default_literal(field_proto)}")
        if field_proto.HasField("json_name") and field_proto.json_name != default_json_name(field_proto.name):
            options.append(f"json_name = {quote(field_proto.json_name)}")
        if field_proto.HasField("options"):
            options.extend(self._option_assignments(field_proto.options))
        suffix = f" [{', '.join(options)}]" if options else ""
        number = field_proto.number
        label = "" if in_oneof else self._label(field_proto)
        if owned is not None and field_proto.type == _F.TYPE_GROUP:
            self._emit(depth, f"{label}group {checked_name(owned.name, IDENTIFIER, 'group')} = {number}{suffix} {{")
            self._message_body(depth + 1, f"{scope}.{owned.name}", owned)
            self._emit(depth, "}")
        elif owned is not None:
            key, value = sorted(owned.field, key=lambda entry_field: entry_field.number)
            self._emit(depth, f"map<{self._type(key)}, {self._type(value)}> {name} = {number}{suffix};")
        else:
            if field_proto.type == _F.TYPE_GROUP:
                raise RenderError(f"group field {field_proto.name!r} does not name a message declared beside it")
            self._emit(depth, f"{label}{self._type(field_proto)} {name} = {number}{suffix};")

    def _label(self, field_proto: descriptor_pb2.FieldDescriptorProto) -> str:
        if field_proto.label == _F.LABEL_REPEATED:
            return "repeated "
        if field_proto.label == _F.LABEL_REQUIRED:
            return "required "
        if self._proto3:
            # proto3: "optional" is explicit presence, a synthetic oneof in the descriptor.
            return "optional " if field_proto.proto3_optional else ""
        return "optional "

    @staticmethod
    def _type(field_proto: descriptor_pb2.FieldDescriptorProto) -> str:
        scalar = SCALAR_TYPE_NAMES.get(field_proto.type)
        if scalar is not None:
            return scalar
        if not field_proto.type_name:
            raise RenderError(f"field {field_proto.name!r} has no type")
        # Fully qualified names (with their leading dot) resolve the same from any scope.
        return checked_name(field_proto.type_name, TYPE_REFERENCE, "type")

    # Messages, enums, services --------------------------------------------------------

    def _message(self, depth: int, scope: str, message: descriptor_pb2.DescriptorProto) -> None:
        self._emit(depth, f"message {checked_name(message.name, IDENTIFIER, 'message')} {{")
        self._message_body(depth + 1, f"{scope}.{message.name}", message)
        self._emit(depth, "}")

    def _message_body(self, depth: int, scope: str, message: descriptor_pb2.DescriptorProto) -> None:
        self._option_statements(depth, message)
        # Message ranges end after their last number; written as inclusive "from to last".
        self._reserved(depth, [(item.start, item.end - 1) for item in message.reserved_range], message.reserved_name)
        for extension_range in message.extension_range:
            numbers = self._range(extension_range.start, extension_range.end - 1)
            options = self._option_assignments(extension_range.options) if extension_range.HasField("options") else []
            suffix = f" [{', '.join(options)}]" if options else ""
            self._emit(depth, f"extensions {numbers}{suffix};")
        self._declarations(
            depth, scope, message.nested_type, message.enum_type, message.field, message.extension, message.oneof_decl
        )

    def _enum(self, depth: int, enum: descriptor_pb2.EnumDescriptorProto) -> None:
        self._emit(depth, f"enum {checked_name(enum.name, IDENTIFIER, 'enum')} {{")
        self._option_statements(depth + 1, enum)
        # Enum ranges include their end.
        self._reserved(depth + 1, [(item.start, item.end) for item in enum.reserved_range], enum.reserved_name)
        for value in enum.value:
            options = self._option_assignments(value.options) if value.HasField("options") else []
            suffix = f" [{', '.join(options)}]" if options else ""
            self._emit(depth + 1, f"{checked_name(value.name, IDENTIFIER, 'enum value')} = {value.number}{suffix};")
        self._emit(depth, "}")

    def _reserved(self, depth: int, ranges: list[tuple[int, int]], names: Sequence[str]) -> None:
        if ranges:
            self._emit(depth, f"reserved {', '.join(self._range(first, last) for first, last in ranges)};")
        if names:
            quoted = (quote(checked_name(name, IDENTIFIER, "reserved name")) for name in names)
            self._emit(depth, f"reserved {', '.join(quoted)};")

    @staticmethod
    def _range(first: int, last: int) -> str:
        return str(first) if first == last else f"{first} to {last}"

    def _service(self, service: descriptor_pb2.ServiceDescriptorProto) -> None:
        self._emit(0, f"service {checked_name(service.name, IDENTIFIER, 'service')} {{")
        self._option_statements(1, service)
        for method in service.method:
            request = checked_name(method.input_type, TYPE_REFERENCE, "request type")
            response = checked_name(method.output_type, TYPE_REFERENCE, "response type")
            signature = (
                f"rpc {checked_name(method.name, IDENTIFIER, 'method')}"
                f"({'stream ' if method.client_streaming else ''}{request})"
                f" returns ({'stream ' if method.server_streaming else ''}{response})"
            )
            if method.HasField("options"):
                self._emit(1, f"{signature} {{")
                self._option_statements(2, method)
                self._emit(1, "}")
            else:
                self._emit(1, f"{signature};")
        self._emit(0, "}")

    # Options --------------------------------------------------------------------------

    def _option_statements(self, depth: int, holder: Any) -> None:
        if holder.HasField("options"):
            for assignment in self._option_assignments(holder.options):
                self._emit(depth, f"option {assignment};")

    def _option_assignments(self, options: Any) -> list[str]:
        """``name = value`` for each option set, each element of a repeated one apart."""
        resolved = self._resolved(options)
        assignments: list[str] = []
        for field_descriptor, value in resolved.ListFields():
            if field_descriptor.name == "uninterpreted_option" and not field_descriptor.is_extension:
                raise RenderError("the descriptor holds uninterpreted options (it was not compiled)")
            if field_descriptor.is_extension and resolved is options:
                continue  # a custom option read without the imports' pool: see _resolved
            name = f"(.{field_descriptor.full_name})" if field_descriptor.is_extension else field_descriptor.name
            values = value if field_descriptor.is_repeated else [value]
            assignments.extend(f"{name} = {self._option_value(field_descriptor, item)}" for item in values)
        return assignments

    def _resolved(self, options: Any) -> Any:
        """``options`` read with the imports' pool when it holds custom options: they are
        unknown fields to this process's descriptor_pb2 (or extensions of whichever
        generated modules happen to be imported), but extensions declared in the imports."""
        custom = len(unknown_fields.UnknownFieldSet(options)) > 0 or any(
            field_descriptor.is_extension for field_descriptor, _ in options.ListFields()
        )
        if not custom:
            return options
        if self._pool is None:
            self.left_out_custom_options = True
            return options
        options_type = options.DESCRIPTOR.full_name
        try:
            message_class = message_factory.GetMessageClass(self._pool.FindMessageTypeByName(options_type))
        except KeyError:
            raise RenderError(f"it sets custom {options_type} but imports no declaration of them") from None
        resolved = message_class.FromString(options.SerializeToString())
        unknown_set = unknown_fields.UnknownFieldSet(resolved)  # indexable, not iterable to its stub
        unknown = sorted({unknown_set[index].field_number for index in range(len(unknown_set))})
        if unknown:
            numbers = ", ".join(str(number) for number in unknown)
            raise RenderError(f"neither the schema nor its imports declare the {options_type} extension {numbers}")
        return resolved

    def _option_value(self, field_descriptor: Any, value: Any) -> str:
        field_type = field_descriptor.type
        if field_type in (_F.TYPE_MESSAGE, _F.TYPE_GROUP):
            # An aggregate value: protoc reads text format between braces.
            return "{ " + text_format.MessageToString(value, as_one_line=True, descriptor_pool=self._pool) + " }"
        if field_type in (_F.TYPE_STRING, _F.TYPE_BYTES):
            return quote(value)
        if field_type == _F.TYPE_BOOL:
            return "true" if value else "false"
        if field_type == _F.TYPE_ENUM:
            enum_value = field_descriptor.enum_type.values_by_number.get(value)
            return enum_value.name if enum_value is not None else str(value)
        if field_type in (_F.TYPE_FLOAT, _F.TYPE_DOUBLE):
            return float_text(value)
        return str(value)
