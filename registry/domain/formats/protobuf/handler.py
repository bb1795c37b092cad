"""Protobuf as a registry format: ``ProtobufHandler`` implements the ``FormatHandler``
protocol of ``registry.domain.formats.base`` (and ``DescriptorFormat``).

Decisions worth knowing:

* Duplicates: ``content_hash`` is the sha256 of the deterministic serialization of the
  compiled ``FileDescriptorProto`` of the schema's own file (its imports are named, not
  included), which carries no source info. Texts that differ only
  in comments, whitespace or layout have the same hash and so register as the same
  content (the text submitted first is the one kept).
* Annotations: ``only_annotations_differ`` is also true when two schemas differ only in
  ``deprecated`` options (on the file, messages, fields, oneofs, enums, enum values,
  services or methods): they change neither the binary nor the JSON encoding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from google.protobuf import descriptor_pb2

from registry.domain.compute import hand_over
from registry.domain.errors import InvalidSchema
from registry.domain.formats.base import Dependency, ParsedSchema
from registry.domain.formats.protobuf.compiling import (
    CompileCache,
    CompileFailure,
    check_dependencies,
    check_text,
    run_protoc,
    serialized_descriptor,
)
from registry.domain.formats.protobuf.descriptor_input import check_round_trip, descriptor_from_base64, options_pool
from registry.domain.formats.protobuf.document import ProtobufDocument
from registry.domain.formats.protobuf.limits import Limits
from registry.domain.formats.protobuf.rendering import render
from registry.domain.formats.protobuf.validation import ProtobufValidator
from registry.domain.formats.protobuf.well_known import BUNDLED_FILES
from registry.domain.model import NO_VALIDATION_OPTIONS, SchemaFormat, ValidationOptions


class ProtobufHandler:
    format = SchemaFormat.PROTOBUF

    def __init__(self, limits: Limits | None = None) -> None:
        self._limits = limits or Limits()
        self._cache = CompileCache(self._limits.cache_entries, self._limits.cache_bytes)

    def parse(self, schema: Any, dependencies: Sequence[Dependency] = ()) -> ParsedSchema:
        """Compile ``.proto`` text, which may import ``dependencies`` by their names; raise
        InvalidSchema with ``line:column`` problems (``<name>:line:column`` in a dependency).

        ``schema`` may also be a base64-encoded ``FileDescriptorProto``, the form in which
        Confluent's Protobuf serializers register and look up schemas: it is written as
        ``.proto`` text (see ``proto_text_from_descriptor``), which becomes the content and
        is compiled like any text, so it hashes as the equivalent hand-written text does."""

        check_text(schema, self._limits)
        descriptor = descriptor_from_base64(schema)
        if descriptor is None:
            document = self._compile(schema, dependencies)
        else:
            document = self._compile_descriptor(descriptor, dependencies)
        # The schema's own file only: its imports are named in it, not included.
        content_hash = hashlib.sha256(document.descriptor_bytes).hexdigest()
        return ParsedSchema(self.format, document, document.text if descriptor else schema, content_hash)

    def load(self, content: str, dependencies: Sequence[Dependency] = ()) -> ProtobufDocument:
        return self._compile(content, dependencies)

    def serialized_descriptor(self, document: ProtobufDocument | str, dependencies: Sequence[Dependency] = ()) -> bytes:
        """See ``serialized_descriptor``; text is compiled through this handler's cache."""
        if isinstance(document, str):
            document = self._compile(document, dependencies)
        return serialized_descriptor(document)

    def only_annotations_differ(self, old: ProtobufDocument, new: ProtobufDocument) -> bool:
        # Conservative about dependencies: one added, dropped or changed beyond deprecation counts.
        if _dependency_files(old) != _dependency_files(new):
            return False
        if old.descriptor_bytes == new.descriptor_bytes:
            return True  # comments and layout only
        return _without_deprecation(old.file) == _without_deprecation(new.file)

    def compile_validator(
        self, document: ProtobufDocument, options: ValidationOptions = NO_VALIDATION_OPTIONS
    ) -> ProtobufValidator:
        """A validator of the proto3 JSON form of ``options.message`` (simple,
        package-relative or full name; the schema's first message when None). Raises
        InvalidRequest (field "message") for a message the schema does not declare."""
        return ProtobufValidator(document, options.message)

    def _compile_descriptor(
        self, descriptor: descriptor_pb2.FileDescriptorProto, dependencies: Sequence[Dependency]
    ) -> ProtobufDocument:
        # Rendering and comparing descriptors is pure and can be long: handed over (see
        # registry.domain.compute); compiling stays here.
        size = descriptor.ByteSize()
        text, custom_options_left_out = hand_over(lambda: render(descriptor, None), weight=size)
        document = self._compile_written(text, dependencies)
        if custom_options_left_out:
            # Custom options are extensions declared in the imports: written once these are
            # compiled (the first text, without them, imports the same files).
            compiled = document
            text, _ = hand_over(lambda: render(descriptor, options_pool(compiled)), weight=size)
            document = self._compile_written(text, dependencies)
        written = document
        hand_over(lambda: check_round_trip(descriptor, written), weight=size)
        return document

    def _compile_written(self, text: str, dependencies: Sequence[Dependency]) -> ProtobufDocument:
        try:
            return self._compile(text, dependencies)
        except InvalidSchema as error:
            # Its line:column problems point into the written text, which the client never saw.
            message = f"the .proto text written from the descriptor does not compile: {error.message}"
            raise type(error)(message, problems=error.problems) from None

    def _compile(self, text: Any, dependencies: Sequence[Dependency] = ()) -> ProtobufDocument:
        check_text(text, self._limits)
        checked = check_dependencies(dependencies, self._limits)
        # No text holds a NUL (check_text), so joining with NULs keys unambiguously.
        key = "\x00".join([text, *(part for name, content in checked for part in (name, content))])
        outcome = self._cache.get(key)
        if outcome is None:
            outcome = run_protoc(text, self._limits, checked)
            if not (isinstance(outcome, CompileFailure) and outcome.transient):
                self._cache.put(key, outcome)
        if isinstance(outcome, CompileFailure):
            raise outcome.error()
        return outcome


def _dependency_files(document: ProtobufDocument) -> dict[str, bytes]:
    """The files the schema imports from its dependencies, without deprecation options."""
    return {file.name: _without_deprecation(file) for file in document.imports if file.name not in BUNDLED_FILES}


def _without_deprecation(file: descriptor_pb2.FileDescriptorProto) -> bytes:
    stripped = descriptor_pb2.FileDescriptorProto()
    stripped.CopyFrom(file)
    holders: list[Any] = [stripped, *stripped.service]
    for service in stripped.service:
        holders.extend(service.method)
    enums = list(stripped.enum_type)
    pending = list(stripped.message_type)
    while pending:
        message = pending.pop()
        holders.append(message)
        holders.extend(message.field)
        holders.extend(message.oneof_decl)
        enums.extend(message.enum_type)
        pending.extend(message.nested_type)
    for enum in enums:
        holders.append(enum)
        holders.extend(enum.value)
    for holder in holders:
        if holder.HasField("options") and "deprecated" in holder.options.DESCRIPTOR.fields_by_name:
            holder.options.ClearField("deprecated")
            if holder.options.ByteSize() == 0:
                holder.ClearField("options")
    return stripped.SerializeToString(deterministic=True)
