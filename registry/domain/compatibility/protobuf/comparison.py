"""Every change between two Protobuf schemas, following Confluent Schema Registry's diff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import descriptor_pb2

from registry.domain.compatibility.protobuf.changes import SchemaDifference
from registry.domain.compatibility.protobuf.field_shapes import SCALAR_KIND, FieldShape
from registry.domain.errors import SchemaTooLarge
from registry.domain.formats.protobuf.document import ProtobufDocument, TypeInfo
from registry.domain.pointers import escape_token

_Label = descriptor_pb2.FieldDescriptorProto.Label

# Message types compared inside one another (A's field has type B, whose field has type
# C, ...) past this depth make the check give up before Python's stack does.
_MAX_REFERENCE_DEPTH = 100


def schema_differences(old: ProtobufDocument, new: ProtobufDocument) -> list[SchemaDifference]:
    """Every change from ``old`` (the writer's schema) to ``new`` (the reader's).

    Follows Confluent Schema Registry's Protobuf diff, with three deliberate departures,
    each stricter and each about a change that loses or rejects data:

    * a singular field that becomes repeated (or the reverse) is a label change even when
      the singular field is a proto3 field written without a label (Confluent compares
      labels only when both fields spell one out);
    * a field that becomes ``required`` (proto2) is ``REQUIRED_FIELD_ADDED`` and one that
      stops being required is ``REQUIRED_FIELD_REMOVED``, whatever its type (Confluent
      calls it a numeric label change and lets strings and bytes pass);
    * a group field and a message field differ in kind (``FIELD_KIND_CHANGED``): their
      encodings differ.

    Raises SchemaTooLarge when message types refer to one another too deeply to compare.
    """
    comparison = _Comparison(old, new)
    try:
        comparison.compare_files()
    except RecursionError:
        raise SchemaTooLarge("the schemas nest too deeply to check their compatibility") from None
    return comparison.differences + comparison.referenced_differences


class _Comparison:
    def __init__(self, old: ProtobufDocument, new: ProtobufDocument) -> None:
        self.old = old
        self.new = new
        self.differences: list[SchemaDifference] = []
        # Changes inside messages of dependencies: no comparison of declarations reports
        # them, so the field comparison that reaches them does (once per pair).
        self.referenced_differences: list[SchemaDifference] = []
        self._verdicts: dict[tuple[str, str], bool] = {}
        self._in_progress: set[tuple[str, str]] = set()
        self._changed_files: dict[str, bool] = {}

    def add(self, change_type: str, path: list[str], message: str) -> None:
        self.differences.append(SchemaDifference(change_type, _path(path), message))

    # -- the file and its declarations ---------------------------------------------------

    def compare_files(self) -> None:
        old_package, new_package = self.old.package, self.new.package
        if old_package != new_package:
            self.add(
                "PACKAGE_CHANGED",
                [],
                f"the package changed from {old_package or '(none)'!r} to {new_package or '(none)'!r}",
            )
        self._compare_declarations([], self.old.file, self.new.file, depth=0)

    def _compare_declarations(self, path: list[str], old: Any, new: Any, depth: int) -> None:
        """The messages and enums declared in a file or in a message, by name."""
        old_messages, new_messages = _declared_messages(old), _declared_messages(new)
        # Map entries are compared through the map fields that use them.
        old_by_name = {message.name: message for message in old_messages if not message.options.map_entry}
        new_by_name = {message.name: message for message in new_messages if not message.options.map_entry}
        old_positions = {name: position for position, name in enumerate(old_by_name)}
        new_positions = {name: position for position, name in enumerate(new_by_name)}
        for name in _union(old_by_name, new_by_name):
            message_path = [*path, name]
            local_name = ".".join(message_path)
            if name not in new_by_name:
                self.add("MESSAGE_REMOVED", message_path, f"message {local_name} was removed")
            elif name not in old_by_name:
                self.add("MESSAGE_ADDED", message_path, f"message {local_name} was added")
            else:
                # Like Confluent, a message being compared is taken as compatible by the
                # fields that refer to it from inside: its own comparison reports it.
                key = (_qualified(self.old.package, local_name), _qualified(self.new.package, local_name))
                outermost = key not in self._in_progress
                self._in_progress.add(key)
                try:
                    self._compare_messages(message_path, old_by_name[name], new_by_name[name], depth)
                finally:
                    if outermost:
                        self._in_progress.discard(key)
                if old_positions[name] != new_positions[name]:
                    # Compatible: a serialized message index refers to the writer's schema.
                    self.add(
                        "MESSAGE_MOVED",
                        message_path,
                        f"message {local_name} moved from position {old_positions[name]} to {new_positions[name]}",
                    )
        old_enums = {enum.name: enum for enum in old.enum_type}
        new_enums = {enum.name: enum for enum in new.enum_type}
        for name in _union(old_enums, new_enums):
            enum_path = [*path, name]
            local_name = ".".join(enum_path)
            if name not in new_enums:
                self.add("ENUM_REMOVED", enum_path, f"enum {local_name} was removed")
            elif name not in old_enums:
                self.add("ENUM_ADDED", enum_path, f"enum {local_name} was added")
            else:
                self._compare_enums(enum_path, old_enums[name], new_enums[name])

    def _compare_enums(
        self, path: list[str], old: descriptor_pb2.EnumDescriptorProto, new: descriptor_pb2.EnumDescriptorProto
    ) -> None:
        # Aliases (allow_alias) share a number: the name declared first stands for it.
        old_names: dict[int, str] = {}
        for value in old.value:
            old_names.setdefault(value.number, value.name)
        new_names: dict[int, str] = {}
        for value in new.value:
            new_names.setdefault(value.number, value.name)
        enum_name = ".".join(path)
        for number in _union(old_names, new_names):
            value_path = [*path, str(number)]
            if number not in new_names:
                self.add("ENUM_CONST_REMOVED", value_path, f"{enum_name}.{old_names[number]} ({number}) was removed")
            elif number not in old_names:
                self.add("ENUM_CONST_ADDED", value_path, f"{enum_name}.{new_names[number]} ({number}) was added")
            elif old_names[number] != new_names[number]:
                self.add(
                    "ENUM_CONST_CHANGED",
                    value_path,
                    f"value {number} of {enum_name} was renamed from {old_names[number]} to {new_names[number]}",
                )

    # -- messages ------------------------------------------------------------------------

    def _compare_messages(
        self, path: list[str], old: descriptor_pb2.DescriptorProto, new: descriptor_pb2.DescriptorProto, depth: int
    ) -> None:
        old_alone, old_oneofs = _fields_by_placement(old)
        new_alone, new_oneofs = _fields_by_placement(new)
        old_oneof_of = {number: name for name, members in old_oneofs.items() for number in members}
        new_oneof_of = {number: name for name, members in new_oneofs.items() for number in members}
        old_all = {**old_alone, **{n: f for members in old_oneofs.values() for n, f in members.items()}}
        new_all = {**new_alone, **{n: f for members in new_oneofs.values() for n, f in members.items()}}
        message_name = ".".join(path)

        moved_into_oneofs = self._compare_moves_into_oneofs(path, message_name, old_alone, old_oneof_of, new_oneofs)

        for oneof_name in _union(old_oneofs, new_oneofs):
            oneof_path = [*path, oneof_name]
            if oneof_name not in new_oneofs:
                self.add("ONEOF_REMOVED", oneof_path, f"oneof {oneof_name} of {message_name} was removed")
            elif oneof_name not in old_oneofs:
                self.add("ONEOF_ADDED", oneof_path, f"oneof {oneof_name} was added to {message_name}")
            else:
                self._compare_oneofs(oneof_path, message_name, old_oneofs[oneof_name], new_oneofs[oneof_name],
                                     new_all, depth)  # fmt: skip

        for number in _union(old_alone, new_alone):
            field_path = [*path, str(number)]
            if number not in new_alone:
                if number in moved_into_oneofs:
                    continue  # judged with its new oneof above
                removed = old_alone[number]
                required = removed.label == _Label.LABEL_REQUIRED
                self.add(
                    "REQUIRED_FIELD_REMOVED" if required else "FIELD_REMOVED",
                    field_path,
                    f"{'required ' if required else ''}field {number} ({removed.name}) was removed from {message_name}",
                )
            elif number not in old_alone:
                added = new_alone[number]
                required = added.label == _Label.LABEL_REQUIRED
                self.add(
                    "REQUIRED_FIELD_ADDED" if required else "FIELD_ADDED",
                    field_path,
                    f"{'required ' if required else ''}field {number} ({added.name}) was added to {message_name}",
                )
            else:
                self._compare_fields(field_path, message_name, old_alone[number], new_alone[number], depth)

        # A field that changed places (into, out of or between oneofs) is still the same
        # field on the wire: its type must still agree.
        for number in sorted(old_all.keys() & new_all.keys()):
            if old_oneof_of.get(number) != new_oneof_of.get(number):
                self._compare_fields([*path, str(number)], message_name, old_all[number], new_all[number], depth)

        self._compare_declarations(path, old, new, depth)

    def _compare_moves_into_oneofs(
        self,
        path: list[str],
        message_name: str,
        old_alone: _FieldsByNumber,
        old_oneof_of: Mapping[int, str],
        new_oneofs: Mapping[str, _FieldsByNumber],
    ) -> set[int]:
        """Report oneofs that took in fields they may not; return the numbers of the fields
        that stood alone and now belong to a oneof."""
        # A oneof may take in at most one field that used to stand alone, and then only if
        # none of its other fields came from another oneof: old writers could set both.
        moved_into_oneofs: set[int] = set()
        for oneof_name, members in new_oneofs.items():
            moved = [number for number in members if number in old_alone]
            from_oneofs = [number for number in members if number not in old_alone and number in old_oneof_of]
            moved_into_oneofs.update(moved)
            if len(moved) > 1:
                self.add(
                    "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
                    [*path, oneof_name],
                    f"fields {_numbers(moved)} of {message_name} moved into oneof {oneof_name}",
                )
            elif moved and from_oneofs:
                self.add(
                    "FIELD_MOVED_TO_EXISTING_ONEOF",
                    [*path, oneof_name],
                    f"field {moved[0]} of {message_name} moved into oneof {oneof_name}, which already held "
                    f"field(s) {_numbers(from_oneofs)}",
                )
        return moved_into_oneofs

    def _compare_oneofs(
        self,
        path: list[str],
        message_name: str,
        old_members: dict[int, descriptor_pb2.FieldDescriptorProto],
        new_members: dict[int, descriptor_pb2.FieldDescriptorProto],
        new_all: dict[int, descriptor_pb2.FieldDescriptorProto],
        depth: int,
    ) -> None:
        oneof_name = path[-1]
        for number in _union(old_members, new_members):
            member_path = [*path, str(number)]
            if number not in new_members:
                # Moving a field out of a oneof only relaxes the oneof; deleting it does not.
                if number not in new_all:
                    self.add(
                        "ONEOF_FIELD_REMOVED",
                        member_path,
                        f"field {number} ({old_members[number].name}) was removed from oneof {oneof_name} of "
                        f"{message_name}",
                    )
            elif number not in old_members:
                self.add(
                    "ONEOF_FIELD_ADDED",
                    member_path,
                    f"field {number} ({new_members[number].name}) was added to oneof {oneof_name} of {message_name}",
                )
            else:
                self._compare_fields(member_path, message_name, old_members[number], new_members[number], depth)

    # -- fields --------------------------------------------------------------------------

    def _compare_fields(
        self,
        path: list[str],
        message_name: str,
        old: descriptor_pb2.FieldDescriptorProto,
        new: descriptor_pb2.FieldDescriptorProto,
        depth: int,
    ) -> None:
        described = f"field {old.number} ({old.name}) of {message_name}"
        if old.name != new.name:
            self.add(
                "FIELD_NAME_CHANGED",
                path,
                f"field {old.number} of {message_name} was renamed from {old.name} to {new.name}",
            )
        old_required = old.label == _Label.LABEL_REQUIRED
        new_required = new.label == _Label.LABEL_REQUIRED
        if new_required and not old_required:
            self.add("REQUIRED_FIELD_ADDED", path, f"{described} became required")
        elif old_required and not new_required:
            self.add("REQUIRED_FIELD_REMOVED", path, f"{described} is no longer required")
        old_shape = FieldShape.of(old, self.old.types)
        new_shape = FieldShape.of(new, self.new.types)
        self._compare_shapes(path, described, old_shape, new_shape, depth, compare_labels=True)

    def _compare_shapes(
        self, path: list[str], described: str, old: FieldShape, new: FieldShape, depth: int, compare_labels: bool
    ) -> None:
        if old.kind != new.kind:
            self.add("FIELD_KIND_CHANGED", path, f"{described} changed from {old.describe()} to {new.describe()}")
        elif old.kind == "SCALAR":
            old_scalar, new_scalar = SCALAR_KIND[old.type], SCALAR_KIND[new.type]
            if old_scalar != new_scalar:
                self.add(
                    "FIELD_SCALAR_KIND_CHANGED",
                    path,
                    f"{described} changed from {old.describe()} to {new.describe()}, which do not share an encoding",
                )
            elif compare_labels and old.repeated != new.repeated:
                if old_scalar == "STRING_OR_BYTES":
                    change_type = "FIELD_STRING_OR_BYTES_LABEL_CHANGED"
                else:
                    change_type = "FIELD_NUMERIC_LABEL_CHANGED"
                before, after = ("repeated", "singular") if old.repeated else ("singular", "repeated")
                self.add(change_type, path, f"{described} changed from {before} to {after}")
        elif old.kind == "MAP":
            assert old.map_key and new.map_key and old.map_value and new.map_value
            self._compare_shapes(path, f"the key of {described}", old.map_key, new.map_key, depth, False)
            self._compare_shapes(path, f"the value of {described}", old.map_value, new.map_value, depth, False)
        else:
            self._compare_named_types(path, described, old, new, depth)

    def _compare_named_types(
        self, path: list[str], described: str, old: FieldShape, new: FieldShape, depth: int
    ) -> None:
        old_type, new_type = old.type_info, new.type_info
        assert old_type is not None and new_type is not None  # protoc resolved every type name
        if old_type.local_name != new_type.local_name:
            self.add(
                "FIELD_NAMED_TYPE_CHANGED",
                path,
                f"{described} changed type from {old.describe()} to {new.describe()}",
            )
        elif (
            old_type.is_local
            or new_type.is_local
            or old_type.file_name != new_type.file_name
            or self._file_changed(old_type.file_name)
        ):
            # Same name, but perhaps not the same message: its own changes decide.
            if not self._message_types_compatible(old_type, new_type, depth + 1):
                self.add(
                    "FIELD_NAMED_TYPE_CHANGED",
                    path,
                    f"{described} has type {new_type.local_name}, which changed incompatibly",
                )

    def _message_types_compatible(self, old: TypeInfo, new: TypeInfo, depth: int) -> bool:
        key = (old.full_name, new.full_name)
        verdict = self._verdicts.get(key)
        if verdict is not None:
            return verdict
        if key in self._in_progress:
            # A recursive type: the comparison already under way reports its changes. (A
            # verdict remembered below may rest on this assumption; it then misses only a
            # FIELD_NAMED_TYPE_CHANGED echo, never the change itself.)
            return True
        if depth > _MAX_REFERENCE_DEPTH:
            raise SchemaTooLarge("the schemas' message types refer to one another too deeply to compare")
        assert old.message is not None and new.message is not None
        self._in_progress.add(key)
        outer, self.differences = self.differences, []
        try:
            self._compare_messages(old.local_name.split("."), old.message, new.message, depth)
            found = self.differences
        finally:
            self.differences = outer
            self._in_progress.discard(key)
        if not old.is_local and not new.is_local:
            # As if the dependency's message were declared in the schema (where the
            # comparison of declarations would report its changes).
            self.referenced_differences.extend(found)
        verdict = all(difference.compatible for difference in found)
        self._verdicts[key] = verdict
        return verdict

    def _file_changed(self, file_name: str) -> bool:
        """Whether an imported file, or one it imports, differs between the two schemas (a
        dependency in another version); bundled files never do."""
        changed = self._changed_files.get(file_name)
        if changed is None:
            self._changed_files[file_name] = False  # protoc refuses import cycles; this only guards
            old_file = next((file for file in self.old.imports if file.name == file_name), None)
            new_file = next((file for file in self.new.imports if file.name == file_name), None)
            # A message of an unchanged file may still hold a message of a changed import.
            changed = old_file != new_file or (
                old_file is not None and any(self._file_changed(name) for name in old_file.dependency)
            )
            self._changed_files[file_name] = changed
        return changed


def _declared_messages(container: Any) -> Any:
    if isinstance(container, descriptor_pb2.FileDescriptorProto):
        return container.message_type
    return container.nested_type


_FieldsByNumber = dict[int, descriptor_pb2.FieldDescriptorProto]


def _fields_by_placement(message: descriptor_pb2.DescriptorProto) -> tuple[_FieldsByNumber, dict[str, _FieldsByNumber]]:
    """Fields standing alone, and the fields of each real oneof, by number. A proto3
    ``optional`` field sits in a synthetic oneof of its own: it counts as standing alone."""
    alone: _FieldsByNumber = {}
    oneofs: dict[str, _FieldsByNumber] = {}
    for field_proto in message.field:
        if field_proto.HasField("oneof_index") and not field_proto.proto3_optional:
            oneofs.setdefault(message.oneof_decl[field_proto.oneof_index].name, {})[field_proto.number] = field_proto
        else:
            alone[field_proto.number] = field_proto
    return alone, oneofs


def _qualified(package: str, local_name: str) -> str:
    return f"{package}.{local_name}" if package else local_name


def _union(first: Mapping[Any, Any], second: Mapping[Any, Any]) -> list[Any]:
    """The keys of both, in a stable order: ``first``'s, then those only in ``second``."""
    return [*first, *(key for key in second if key not in first)]


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(number) for number in sorted(numbers))


def _path(segments: list[str]) -> str:
    return "".join("/" + escape_token(segment) for segment in segments)
