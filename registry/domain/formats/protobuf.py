"""Protobuf as a registry format: compiling ``.proto`` text, comparing schemas, validating
proto3 JSON documents.

Pure domain code (no HTTP, no SQL). ``ProtobufHandler`` implements the ``FormatHandler``
protocol of ``registry.domain.formats.handlers``.

Decisions worth knowing:

* Compiling: the text is compiled by protoc as shipped by ``grpcio-tools`` into a real
  ``FileDescriptorProto`` (file name ``schema.proto``). Imports resolve to the
  well-known types bundled with grpcio-tools (``google/protobuf/*.proto``) and to the
  schemas given as dependencies (Confluent references), each under its name as the import
  path; a dependency named like a bundled file is ignored (the bundled one is used), and
  none may be named ``schema.proto``. proto2 and proto3 are accepted (no ``syntax`` line
  means proto2, as for protoc); editions are refused.
* protoc runs in a short-lived subprocess, not in-process. Measured on the 2-core
  machine: a small schema costs about 15 ms as a subprocess (interpreter start-up; protoc
  itself takes under 1 ms) against 0.8 ms in-process, but a 390 kB schema with 3000
  messages costs 180 ms in-process, during which a gevent worker serves nobody (protoc
  holds the GIL and never yields), while waiting for a subprocess is cooperative. A
  subprocess can also be killed on a timeout, cannot crash the worker, and reports errors
  on its own stderr (in-process protoc writes to the worker's fd 2). Compile outcomes
  (errors included) are kept in a bounded LRU keyed by the text, so ``load`` of a
  registered schema costs one compile per worker.
* Descriptor input: ``parse`` also takes the base64 of a serialized ``FileDescriptorProto``,
  the form in which Confluent's Protobuf serializers register and look up schemas (and
  their imports). It is written as ``.proto`` text (``proto_text_from_descriptor``), which
  is what gets stored and is compiled like any text, so it has the hash of the equivalent
  hand-written text. A descriptor whose text does not compile back to it (file name,
  source info and default ``json_name``s aside) is refused rather than approximated.
  Text is never taken for base64: only text made of base64 characters alone that decodes
  to a descriptor declaring something is.
* Duplicates: ``content_hash`` is the sha256 of the deterministic serialization of the
  compiled ``FileDescriptorProto`` of the schema's own file (its imports are named, not
  included), which carries no source info. Texts that differ only
  in comments, whitespace or layout have the same hash and so register as the same
  content (the text submitted first is the one kept).
* Annotations: ``only_annotations_differ`` is also true when two schemas differ only in
  ``deprecated`` options (on the file, messages, fields, oneofs, enums, enum values,
  services or methods): they change neither the binary nor the JSON encoding.
* Compatibility: Confluent Schema Registry's Protobuf rules and change-type names (see
  ``schema_differences``); the policy is ignored. Every message and enum is compared by
  name at each nesting level, as Confluent does. Paths follow Confluent's layout without
  its leading ``#``: ``/Order`` (a message), ``/Order/Line`` (a nested type), ``/Order/3``
  (field number 3), ``/Order/choice`` (a oneof), ``/Order/choice/5`` (field 5 inside that
  oneof), ``/Status/2`` (enum value 2), and ``""`` for the file itself (the package).
  A message of a dependency that differs between the two schemas is compared as if it
  were declared in the schema (its changes are reported at ``/<its name without
  package>/...``) when a field of the schema uses it; unchanged dependencies cost nothing.
* Validation: ``compile_validator`` checks the proto3 JSON form of one message and
  reports every problem it finds, each with a JSON pointer into the document and a
  ``schema_path`` of ``/<message>/<field>`` (message names relative to the package,
  nested ones dotted: ``/Order.Line/price``). Messages of dependencies are checked like
  the schema's own. Values of the well-known types (Timestamp, Duration, Struct, Value,
  ListValue, Any, wrappers, FieldMask, Empty) are checked by ``json_format``, which
  reports the first problem inside each such value.
"""

from __future__ import annotations

import base64
import binascii
import decimal
import hashlib
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import grpc_tools
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory, text_format, unknown_fields
from google.protobuf import message as message_module

from registry.domain.errors import InvalidRequest, InvalidSchema, SchemaTooLarge
from registry.domain.formats.base import Dependency, ParsedSchema, distinct_dependencies
from registry.domain.model import (
    NO_VALIDATION_OPTIONS,
    CompatibilityPolicy,
    SchemaFormat,
    SchemaProblem,
    ValidationIssue,
    ValidationOptions,
    Violation,
)
from registry.domain.pointers import escape_token

__all__ = [
    "COMPATIBLE_CHANGES",
    "INCOMPATIBLE_CHANGES",
    "Limits",
    "ProtobufDocument",
    "ProtobufHandler",
    "ProtobufValidator",
    "SchemaDifference",
    "compile_proto",
    "proto_text_from_descriptor",
    "schema_differences",
    "serialized_descriptor",
]

SCHEMA_FILE_NAME = "schema.proto"

_FieldType = descriptor_pb2.FieldDescriptorProto.Type
_Label = descriptor_pb2.FieldDescriptorProto.Label


@dataclass(frozen=True, slots=True)
class Limits:
    max_text_length: int = 1_000_000  # characters of .proto text
    compile_timeout_seconds: float = 20.0  # protoc needs well under 1 s for 1 MB; a loaded machine more
    cache_entries: int = 512
    cache_bytes: int = 64 * 1024 * 1024  # rough memory of the cached texts and descriptors
    max_problems: int = 100


# --------------------------------------------------------------------------------------
# The compiled document
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TypeInfo:
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
        return self.file_name in _BUNDLED_FILES


@dataclass(frozen=True, slots=True, eq=False)
class ProtobufDocument:
    """A compiled schema. Shared between callers through the compile cache: never mutate
    the descriptor protos it holds."""

    text: str
    file: descriptor_pb2.FileDescriptorProto  # the schema itself, without source info
    # Imported files (well-known ones and dependencies), transitively, each before its importers.
    imports: tuple[descriptor_pb2.FileDescriptorProto, ...]
    descriptor_bytes: bytes  # deterministic serialization of ``file``
    types: Mapping[str, _TypeInfo] = field(repr=False)  # by full name, imported types included

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


def serialized_descriptor(document: ProtobufDocument | str, dependencies: Sequence[Dependency] = ()) -> bytes:
    """The schema as a serialized ``FileDescriptorProto`` (deterministic, no source info):
    the form in which Kafka Protobuf serializers exchange schemas. Only the schema's own
    file: its ``dependency`` list names its imports, whose files are not included (as
    Confluent's ``format=serialized``). ``document`` may be ``.proto`` text, compiled here
    with ``dependencies``; a compiled document already holds its dependencies."""
    if isinstance(document, str):
        document = compile_proto(document, dependencies=dependencies)
    return document.descriptor_bytes


def _index_types(files: list[descriptor_pb2.FileDescriptorProto]) -> dict[str, _TypeInfo]:
    types: dict[str, _TypeInfo] = {}
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
            types[prefix + local] = _TypeInfo(prefix + local, local, file.package, file.name, syntax, message, enum)
    return types


# --------------------------------------------------------------------------------------
# Compiling with protoc
# --------------------------------------------------------------------------------------

_GRPC_TOOLS_DIR = os.path.dirname(os.path.abspath(grpc_tools.__file__))
_SITE_DIR = os.path.dirname(_GRPC_TOOLS_DIR)
_WELL_KNOWN_INCLUDE_DIR = os.path.join(_GRPC_TOOLS_DIR, "_proto")


def _bundled_files() -> frozenset[str]:
    names = set()
    for directory, _, files in os.walk(_WELL_KNOWN_INCLUDE_DIR):
        relative = os.path.relpath(directory, _WELL_KNOWN_INCLUDE_DIR)
        for name in files:
            if name.endswith(".proto"):
                path = name if relative == "." else os.path.join(relative, name)
                names.add(path.replace(os.sep, "/"))
    return frozenset(names)


# Import paths protoc resolves by itself, as grpcio-tools bundles them.
_BUNDLED_FILES = _bundled_files()

# Runs protoc in a bare interpreter (-I -S: no site, no PYTHON* variables) through the
# extension that ``grpc_tools.protoc.main`` wraps: importing ``grpc_tools.protoc`` itself
# drags in importlib.resources, which triples the start-up time.
_PROTOC_BOOTSTRAP = (
    "import sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from grpc_tools import _protoc_compiler\n"
    "sys.exit(_protoc_compiler.run_main([a.encode() for a in ['protoc', *sys.argv[2:]]]))\n"
)

_DIAGNOSTIC_LINE = re.compile(r"^(?P<file>[^:\n]+?):(?:(?P<line>\d+):(?P<column>\d+):)?\s*(?P<message>.+)$")
_EDITION_DECLARATION = re.compile(r"^[ \t]*edition\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class _CompileFailure:
    message: str
    problems: tuple[SchemaProblem, ...]
    too_large: bool = False
    transient: bool = False  # a timeout: a busy machine may compile the same text in time later

    def error(self) -> InvalidSchema:
        error_class = SchemaTooLarge if self.too_large else InvalidSchema
        return error_class(self.message, problems=list(self.problems))


_CompileOutcome = ProtobufDocument | _CompileFailure


class _CompileCache:
    """LRU of compile outcomes keyed by the text, bounded in entries and in bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[_CompileOutcome, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # a handler may be shared by threads, not only greenlets

    def get(self, text: str) -> _CompileOutcome | None:
        with self._lock:
            entry = self._entries.get(text)
            if entry is None:
                return None
            self._entries.move_to_end(text)
            return entry[0]

    def put(self, text: str, outcome: _CompileOutcome) -> None:
        # Parsed descriptor protos take a few times their serialized size in memory.
        size = len(text) + (4 * len(outcome.descriptor_bytes) if isinstance(outcome, ProtobufDocument) else 512)
        if size > self._max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(text, None)
            if previous is not None:
                self._bytes -= previous[1]
            self._entries[text] = (outcome, size)
            self._bytes += size
            while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
                _, (_, evicted_size) = self._entries.popitem(last=False)
                self._bytes -= evicted_size

    def __len__(self) -> int:
        return len(self._entries)


def _run_protoc(text: str, limits: Limits, dependencies: Sequence[tuple[str, str]] = ()) -> _CompileOutcome:
    with tempfile.TemporaryDirectory(prefix="registry-proto-") as work_dir:
        # Sources in a directory of their own, so no dependency name can clash with the output.
        source_dir = os.path.join(work_dir, "src")
        os.mkdir(source_dir)
        source_path = os.path.join(source_dir, SCHEMA_FILE_NAME)
        with open(source_path, "w", encoding="utf-8") as source:
            source.write(text)
        for name, content in dependencies:
            # protoc finds an import by its path below --proto_path; names were checked
            # by _check_dependencies (relative, no "..").
            dependency_path = os.path.join(source_dir, *name.split("/"))
            try:
                os.makedirs(os.path.dirname(dependency_path), exist_ok=True)
                with open(dependency_path, "x", encoding="utf-8") as dependency_file:
                    dependency_file.write(content)
            except OSError:
                message = f"the reference {name!r} clashes with another file's path (one names the other's directory)"
                return _CompileFailure(message, (SchemaProblem(location="", message=message),))
        descriptor_set_path = os.path.join(work_dir, "descriptor_set.pb")
        command = [
            sys.executable,
            "-I",
            "-S",
            "-c",
            _PROTOC_BOOTSTRAP,
            _SITE_DIR,
            f"--proto_path={source_dir}",
            f"--proto_path={_WELL_KNOWN_INCLUDE_DIR}",
            "--include_imports",
            f"--descriptor_set_out={descriptor_set_path}",
            source_path,
        ]
        try:
            # Under gevent's monkey-patching this wait lets the worker's other greenlets run.
            completed = subprocess.run(
                command,
                cwd=work_dir,
                env={},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=limits.compile_timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired:
            message = f"the schema took longer than {limits.compile_timeout_seconds:g} s to compile"
            return _CompileFailure(
                message, (SchemaProblem(location="", message=message),), too_large=True, transient=True
            )
        if completed.returncode != 0:
            stderr = completed.stderr.decode("utf-8", errors="replace")
            stderr = stderr.replace(source_dir + os.sep, "").replace(work_dir + os.sep, "")
            return _failure_from_diagnostics(stderr, limits, frozenset(name for name, _ in dependencies))
        with open(descriptor_set_path, "rb") as compiled:
            descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(compiled.read())
    return _document_from(text, list(descriptor_set.file))


def _failure_from_diagnostics(
    stderr: str, limits: Limits, dependency_names: frozenset[str] = frozenset()
) -> _CompileFailure:
    problems: list[SchemaProblem] = []
    seen: set[tuple[str, str]] = set()
    for line in stderr.splitlines():
        match = _DIAGNOSTIC_LINE.match(line.strip())
        if match is None or match["message"].startswith("warning:"):
            continue
        file_name = match["file"]
        if file_name != SCHEMA_FILE_NAME and not file_name.endswith(".proto") and file_name not in dependency_names:
            continue  # not a diagnostic: noise from protoc's logging library
        location = f"{match['line']}:{match['column']}" if match["line"] else ""
        if location and file_name in dependency_names:
            location = f"{file_name}:{location}"  # a line of the dependency, not of the schema
        message = match["message"] if file_name == SCHEMA_FILE_NAME else f"{file_name}: {match['message']}"
        if not location and match["message"] == "File not found.":
            # protoc's words say nothing of where imports may come from.
            message = (
                f"{file_name}: File not found: an import must name one of the schema's references "
                "or a well-known google/protobuf file"
            )
        if (location, message) in seen:
            continue  # an unclosed block repeats the same complaint once per level
        seen.add((location, message))
        problems.append(SchemaProblem(location=location, message=message))
        if len(problems) >= limits.max_problems:
            break
    if not problems:
        problems.append(SchemaProblem(location="", message=stderr.strip()[:500] or "protoc failed"))
    return _CompileFailure(f"the schema is not valid Protobuf: {problems[0].message}", tuple(problems))


def _document_from(text: str, files: list[descriptor_pb2.FileDescriptorProto]) -> _CompileOutcome:
    schema_file = next(file for file in files if file.name == SCHEMA_FILE_NAME)
    if schema_file.syntax not in ("", "proto2", "proto3"):
        match = _EDITION_DECLARATION.search(text)
        offset = match.start() + len(match.group()) - len("edition") if match else 0
        message = 'Protobuf editions are not supported: declare syntax = "proto2" or syntax = "proto3"'
        return _CompileFailure(message, (SchemaProblem(location=_location_of(text, offset), message=message),))
    imports = tuple(file for file in files if file.name != SCHEMA_FILE_NAME)
    return ProtobufDocument(
        text=text,
        file=schema_file,
        imports=imports,
        descriptor_bytes=schema_file.SerializeToString(deterministic=True),
        types=_index_types([*imports, schema_file]),
    )


def compile_proto(text: str, limits: Limits | None = None, dependencies: Sequence[Dependency] = ()) -> ProtobufDocument:
    """Compile ``.proto`` text, without caching, with ``dependencies`` importable by their
    names; raise InvalidSchema (SchemaTooLarge)."""
    limits = limits or Limits()
    _check_text(text, limits)
    outcome = _run_protoc(text, limits, _check_dependencies(dependencies, limits))
    if isinstance(outcome, _CompileFailure):
        raise outcome.error()
    return outcome


def _check_text(text: object, limits: Limits) -> None:
    if not isinstance(text, str):
        raise InvalidSchema(
            "a Protobuf schema must be given as .proto text",
            problems=[SchemaProblem(location="", message=f"expected a string, got {type(text).__name__}")],
        )
    if len(text) > limits.max_text_length:
        message = f"the schema has {len(text)} characters; at most {limits.max_text_length} are accepted"
        raise SchemaTooLarge(message, problems=[SchemaProblem(location="", message=message)])
    if "\x00" in text:
        location = _location_of(text, text.index("\x00"))
        raise InvalidSchema(
            "the schema text contains a NUL character",
            problems=[SchemaProblem(location=location, message="NUL character")],
        )


def _check_dependencies(dependencies: Sequence[Dependency], limits: Limits) -> list[tuple[str, str]]:
    """(import path, text) of the dependencies protoc gets: checked, each name once, those
    named like a bundled file left out (protoc's own copy wins, as it must for
    ``json_format`` to handle the well-known types)."""
    if not dependencies:
        return []

    checked: list[tuple[str, str]] = []
    for dependency in distinct_dependencies(dependencies):
        name = dependency.name
        problem = _import_path_problem(name)
        if problem is not None:
            message = f"the reference {name!r} cannot be an import path: {problem}"
            raise InvalidSchema(message, problems=[SchemaProblem(location="", message=message)])
        try:
            _check_text(dependency.content, limits)
        except InvalidSchema as error:
            located = [SchemaProblem(f"{name}:{problem.location}", problem.message) for problem in error.problems]
            raise type(error)(f"the referenced schema {name!r}: {error.message}", problems=located) from None
        if name not in _BUNDLED_FILES:
            checked.append((name, dependency.content))
    return checked


def _import_path_problem(name: str) -> str | None:
    if not isinstance(name, str) or not name:
        return "it is empty"
    if name == SCHEMA_FILE_NAME:
        return f"{SCHEMA_FILE_NAME} is the name the schema itself is compiled under"
    if "\x00" in name or "\\" in name or name.startswith("/") or ":" in name:
        return "it must be a relative path with / between its parts"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "it may not have empty, '.' or '..' parts"
    return None


def _location_of(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


# --------------------------------------------------------------------------------------
# Schemas given as a base64-encoded FileDescriptorProto
# --------------------------------------------------------------------------------------

# The message class's own constants: reading them through the enum wrappers
# (``_FieldType.TYPE_GROUP``) costs microseconds, which add up over thousands of fields.
_F = descriptor_pb2.FieldDescriptorProto

# Standard base64, padding optional. The first byte of a serialized FileDescriptorProto is
# the tag of one of its fields, all numbered below 16: a byte below 0x80, whose base64
# starts with one of A-Z a-f. The only .proto texts made of base64 characters alone are
# "//comment" lines without spaces, and they start with "/": no valid text is taken for base64.
_BASE64_DESCRIPTOR = re.compile(r"[A-Za-f][A-Za-z0-9+/]*={0,2}")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FULL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_TYPE_REFERENCE = re.compile(r"\.?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
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


class _RenderError(Exception):
    """The descriptor holds something .proto text cannot say (or a name no text can hold)."""


def _descriptor_from_base64(text: str) -> descriptor_pb2.FileDescriptorProto | None:
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


def proto_text_from_descriptor(
    file: descriptor_pb2.FileDescriptorProto, options_pool: descriptor_pool.DescriptorPool | None = None
) -> str:
    """``.proto`` text that protoc compiles back to ``file`` (file name and source info
    aside). Type names are written fully qualified, with their leading dot. Custom options
    (extensions of the ``*Options`` messages) are written only with ``options_pool``, a pool
    holding the files ``file`` imports and its own declarations; without it they are left
    out. Raise InvalidSchema for what the text cannot say (editions, a name that is no
    identifier, ...)."""
    return _render(file, options_pool)[0]


def _render(file: descriptor_pb2.FileDescriptorProto, options_pool: Any) -> tuple[str, bool]:
    """The text, and whether custom options were left out for want of ``options_pool``."""
    writer = _ProtoWriter(file, options_pool)
    try:
        return writer.text(), writer.left_out_custom_options
    except _RenderError as error:
        message = f"the descriptor cannot be written as .proto text: {error}"
        raise InvalidSchema(message, problems=[SchemaProblem(location="", message=message)]) from None
    except RecursionError:
        message = "the descriptor nests messages too deeply to be written as .proto text"
        raise SchemaTooLarge(message, problems=[SchemaProblem(location="", message=message)]) from None


def _default_json_name(name: str) -> str:
    """protoc's ToJsonName: underscores dropped, the letter after each one capitalised."""
    parts = name.split("_")
    return parts[0] + "".join(part[:1].upper() + part[1:] for part in parts[1:])


def _quote(value: str | bytes) -> str:
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


def _checked(value: str, pattern: re.Pattern[str], what: str) -> str:
    # The text is built by concatenation: a name that is not one would change its meaning.
    if pattern.fullmatch(value) is None:
        raise _RenderError(f"{what} {_shorten(repr(value))} is not a valid name")
    return value


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


class _ProtoWriter:
    """Writes a FileDescriptorProto as .proto text, declarations in the descriptor's order.

    protoc puts a map field's entry message, and a group's message, among the nested
    types at the place where the field is declared; to get the same ``nested_type`` order
    back, fields are written interleaved with the nested messages accordingly."""

    def __init__(self, file: descriptor_pb2.FileDescriptorProto, options_pool: Any) -> None:
        self._file = file
        self._pool = options_pool
        self._proto3 = file.syntax == "proto3"
        self._lines: list[str] = []
        self.left_out_custom_options = False

    def text(self) -> str:
        file = self._file
        if file.syntax == "editions" or file.HasField("edition") or file.option_dependency:
            raise _RenderError('Protobuf editions are not supported: only syntax "proto2" or "proto3"')
        if file.syntax not in ("", "proto2", "proto3"):
            raise _RenderError(f"syntax {_shorten(repr(file.syntax))} is not supported (proto2 or proto3 only)")
        self._emit(0, f'syntax = "{"proto3" if self._proto3 else "proto2"}";')
        if file.package:
            self._emit(0, f"package {_checked(file.package, _FULL_NAME, 'package')};")
        public, weak = set(file.public_dependency), set(file.weak_dependency)
        if any(not 0 <= index < len(file.dependency) for index in public | weak):
            raise _RenderError("a public or weak import index names no import")
        for index, dependency in enumerate(file.dependency):
            modifier = "public " if index in public else "weak " if index in weak else ""
            self._emit(0, f"import {modifier}{_quote(dependency)};")
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
                    raise _RenderError(f"field {field_proto.name!r} names a oneof that does not exist")
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
        self._emit(depth, f"oneof {_checked(oneof.name, _IDENTIFIER, 'oneof')} {{")
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
                self._emit(depth, f"extend {_checked(extension.extendee, _TYPE_REFERENCE, 'extendee')} {{")
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
        name = _checked(field_proto.name, _IDENTIFIER, "field")
        options = []
        if field_proto.HasField("default_value"):
            options.append(f"default = {self._default(field_proto)}")
        if field_proto.HasField("json_name") and field_proto.json_name != _default_json_name(field_proto.name):
            options.append(f"json_name = {_quote(field_proto.json_name)}")
        if field_proto.HasField("options"):
            options.extend(self._option_assignments(field_proto.options))
        suffix = f" [{', '.join(options)}]" if options else ""
        number = field_proto.number
        label = "" if in_oneof else self._label(field_proto)
        if owned is not None and field_proto.type == _F.TYPE_GROUP:
            self._emit(depth, f"{label}group {_checked(owned.name, _IDENTIFIER, 'group')} = {number}{suffix} {{")
            self._message_body(depth + 1, f"{scope}.{owned.name}", owned)
            self._emit(depth, "}")
        elif owned is not None:
            key, value = sorted(owned.field, key=lambda entry_field: entry_field.number)
            self._emit(depth, f"map<{self._type(key)}, {self._type(value)}> {name} = {number}{suffix};")
        else:
            if field_proto.type == _F.TYPE_GROUP:
                raise _RenderError(f"group field {field_proto.name!r} does not name a message declared beside it")
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
        scalar = _SCALAR_TYPE_NAMES.get(field_proto.type)
        if scalar is not None:
            return scalar
        if not field_proto.type_name:
            raise _RenderError(f"field {field_proto.name!r} has no type")
        # Fully qualified names (with their leading dot) resolve the same from any scope.
        return _checked(field_proto.type_name, _TYPE_REFERENCE, "type")

    @staticmethod
    def _default(field_proto: descriptor_pb2.FieldDescriptorProto) -> str:
        value = field_proto.default_value
        field_type = field_proto.type
        if field_type == _F.TYPE_STRING:
            return _quote(value)
        if field_type == _F.TYPE_BYTES:
            return _quote(_c_unescape(value))
        if field_type == _F.TYPE_BOOL:
            if value not in ("true", "false"):
                raise _RenderError(f"field {field_proto.name!r} has the bool default {_shorten(repr(value))}")
            return value
        if field_type in (_F.TYPE_FLOAT, _F.TYPE_DOUBLE):
            pattern = _FLOAT_DEFAULT
        elif field_type in _INTEGER_TYPES:
            pattern = _INTEGER_DEFAULT
        elif field_type in (_F.TYPE_ENUM, 0):
            pattern = _IDENTIFIER
        else:
            raise _RenderError(f"message field {field_proto.name!r} has a default value")
        if pattern.fullmatch(value) is None:
            raise _RenderError(f"field {field_proto.name!r} has the default {_shorten(repr(value))}")
        return value

    # Messages, enums, services --------------------------------------------------------

    def _message(self, depth: int, scope: str, message: descriptor_pb2.DescriptorProto) -> None:
        self._emit(depth, f"message {_checked(message.name, _IDENTIFIER, 'message')} {{")
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
        self._emit(depth, f"enum {_checked(enum.name, _IDENTIFIER, 'enum')} {{")
        self._option_statements(depth + 1, enum)
        # Enum ranges include their end.
        self._reserved(depth + 1, [(item.start, item.end) for item in enum.reserved_range], enum.reserved_name)
        for value in enum.value:
            options = self._option_assignments(value.options) if value.HasField("options") else []
            suffix = f" [{', '.join(options)}]" if options else ""
            self._emit(depth + 1, f"{_checked(value.name, _IDENTIFIER, 'enum value')} = {value.number}{suffix};")
        self._emit(depth, "}")

    def _reserved(self, depth: int, ranges: list[tuple[int, int]], names: Sequence[str]) -> None:
        if ranges:
            self._emit(depth, f"reserved {', '.join(self._range(first, last) for first, last in ranges)};")
        if names:
            quoted = (_quote(_checked(name, _IDENTIFIER, "reserved name")) for name in names)
            self._emit(depth, f"reserved {', '.join(quoted)};")

    @staticmethod
    def _range(first: int, last: int) -> str:
        return str(first) if first == last else f"{first} to {last}"

    def _service(self, service: descriptor_pb2.ServiceDescriptorProto) -> None:
        self._emit(0, f"service {_checked(service.name, _IDENTIFIER, 'service')} {{")
        self._option_statements(1, service)
        for method in service.method:
            request = _checked(method.input_type, _TYPE_REFERENCE, "request type")
            response = _checked(method.output_type, _TYPE_REFERENCE, "response type")
            signature = (
                f"rpc {_checked(method.name, _IDENTIFIER, 'method')}"
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
        assignments = []
        for field_descriptor, value in resolved.ListFields():
            if field_descriptor.name == "uninterpreted_option" and not field_descriptor.is_extension:
                raise _RenderError("the descriptor holds uninterpreted options (it was not compiled)")
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
            raise _RenderError(f"it sets custom {options_type} but imports no declaration of them") from None
        resolved = message_class.FromString(options.SerializeToString())
        unknown = sorted({item.field_number for item in unknown_fields.UnknownFieldSet(resolved)})
        if unknown:
            numbers = ", ".join(str(number) for number in unknown)
            raise _RenderError(f"neither the schema nor its imports declare the {options_type} extension {numbers}")
        return resolved

    def _option_value(self, field_descriptor: Any, value: Any) -> str:
        field_type = field_descriptor.type
        if field_type in (_F.TYPE_MESSAGE, _F.TYPE_GROUP):
            # An aggregate value: protoc reads text format between braces.
            return "{ " + text_format.MessageToString(value, as_one_line=True, descriptor_pool=self._pool) + " }"
        if field_type in (_F.TYPE_STRING, _F.TYPE_BYTES):
            return _quote(value)
        if field_type == _F.TYPE_BOOL:
            return "true" if value else "false"
        if field_type == _F.TYPE_ENUM:
            enum_value = field_descriptor.enum_type.values_by_number.get(value)
            return enum_value.name if enum_value is not None else str(value)
        if field_type in (_F.TYPE_FLOAT, _F.TYPE_DOUBLE):
            return _float_text(value)
        return str(value)


def _options_pool(document: ProtobufDocument) -> descriptor_pool.DescriptorPool:
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
            field_proto.json_name = _default_json_name(field_proto.name)
    return normal


def _first_difference(expected: Any, actual: Any, path: str) -> str | None:
    """Where two descriptor messages first differ, as a readable path, or None."""
    for field_descriptor in expected.DESCRIPTOR.fields:
        name = field_descriptor.name
        here = f"{path}.{name}" if path else name
        expected_value, actual_value = getattr(expected, name), getattr(actual, name)
        if field_descriptor.is_repeated and field_descriptor.type == _F.TYPE_MESSAGE:
            for index, (expected_item, actual_item) in enumerate(zip(expected_value, actual_value, strict=False)):
                label = getattr(expected_item, "name", "") or str(index)
                difference = _first_difference(expected_item, actual_item, f"{here}[{label}]")
                if difference is not None:
                    return difference
            if len(expected_value) != len(actual_value):
                return f"{here}: {len(expected_value)} given, {len(actual_value)} after compiling the text"
        elif field_descriptor.type == _F.TYPE_MESSAGE:
            if expected.HasField(name) != actual.HasField(name):
                return f"{here}: {'set' if expected.HasField(name) else 'unset'} in the descriptor only"
            if expected.HasField(name):
                difference = _first_difference(expected_value, actual_value, here)
                if difference is not None:
                    return difference
        elif field_descriptor.is_repeated:
            if list(expected_value) != list(actual_value):
                return f"{here}: {_shorten(repr(list(expected_value)))} given, {_shorten(repr(list(actual_value)))}"
        elif expected.HasField(name) != actual.HasField(name) or expected_value != actual_value:
            return f"{here}: {_shorten(repr(expected_value))} given, {_shorten(repr(actual_value))} after compiling"
    if expected.SerializeToString(deterministic=True) != actual.SerializeToString(deterministic=True):
        return f"{path or 'the file'}: options this registry cannot read"
    return None


def _check_round_trip(file: descriptor_pb2.FileDescriptorProto, document: ProtobufDocument) -> None:
    """Refuse a descriptor whose text compiles to a different one: the registered schema
    must describe the bytes its producers write, not an approximation of them."""
    expected = _as_compiled(file)
    if expected.SerializeToString(deterministic=True) == document.descriptor_bytes:
        return
    difference = _first_difference(expected, document.file, "") or "the file"
    message = f"the descriptor cannot be written as .proto text that compiles back to it: {difference}"
    raise InvalidSchema(message, problems=[SchemaProblem(location="", message=message)])


# --------------------------------------------------------------------------------------
# The handler
# --------------------------------------------------------------------------------------


class ProtobufHandler:
    format = SchemaFormat.PROTOBUF

    def __init__(self, limits: Limits | None = None) -> None:
        self._limits = limits or Limits()
        self._cache = _CompileCache(self._limits.cache_entries, self._limits.cache_bytes)

    def parse(self, schema: Any, dependencies: Sequence[Dependency] = ()) -> ParsedSchema:
        """Compile ``.proto`` text, which may import ``dependencies`` by their names; raise
        InvalidSchema with ``line:column`` problems (``<name>:line:column`` in a dependency).

        ``schema`` may also be a base64-encoded ``FileDescriptorProto``, the form in which
        Confluent's Protobuf serializers register and look up schemas: it is written as
        ``.proto`` text (see ``proto_text_from_descriptor``), which becomes the content and
        is compiled like any text, so it hashes as the equivalent hand-written text does."""

        _check_text(schema, self._limits)
        descriptor = _descriptor_from_base64(schema)
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

    def backward_violations(
        self, old: ProtobufDocument, new: ProtobufDocument, policy: CompatibilityPolicy
    ) -> list[Violation]:
        """What a reader using ``new`` cannot accept from data written with ``old``.

        Confluent's rules do not depend on a policy, so ``policy`` is ignored."""
        del policy
        return [
            Violation(type=difference.type, path=difference.path, message=difference.message)
            for difference in schema_differences(old, new)
            if not difference.compatible
        ]

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
        text, custom_options_left_out = _render(descriptor, None)
        document = self._compile_written(text, dependencies)
        if custom_options_left_out:
            # Custom options are extensions declared in the imports: written once these are
            # compiled (the first text, without them, imports the same files).
            text, _ = _render(descriptor, _options_pool(document))
            document = self._compile_written(text, dependencies)
        _check_round_trip(descriptor, document)
        return document

    def _compile_written(self, text: str, dependencies: Sequence[Dependency]) -> ProtobufDocument:
        try:
            return self._compile(text, dependencies)
        except InvalidSchema as error:
            # Its line:column problems point into the written text, which the client never saw.
            message = f"the .proto text written from the descriptor does not compile: {error.message}"
            raise type(error)(message, problems=error.problems) from None

    def _compile(self, text: Any, dependencies: Sequence[Dependency] = ()) -> ProtobufDocument:
        _check_text(text, self._limits)
        checked = _check_dependencies(dependencies, self._limits)
        # No text holds a NUL (_check_text), so joining with NULs keys unambiguously.
        key = "\x00".join([text, *(part for name, content in checked for part in (name, content))])
        outcome = self._cache.get(key)
        if outcome is None:
            outcome = _run_protoc(text, self._limits, checked)
            if not (isinstance(outcome, _CompileFailure) and outcome.transient):
                self._cache.put(key, outcome)
        if isinstance(outcome, _CompileFailure):
            raise outcome.error()
        return outcome


def _dependency_files(document: ProtobufDocument) -> dict[str, bytes]:
    """The files the schema imports from its dependencies, without deprecation options."""
    return {file.name: _without_deprecation(file) for file in document.imports if file.name not in _BUNDLED_FILES}


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


# --------------------------------------------------------------------------------------
# Compatibility: Confluent Schema Registry's Protobuf rules
# --------------------------------------------------------------------------------------

# Confluent's SchemaDiff.COMPATIBLE_CHANGES; every other change type is a violation.
COMPATIBLE_CHANGES = frozenset(
    {
        "MESSAGE_ADDED",
        "MESSAGE_MOVED",
        "ENUM_ADDED",
        "ENUM_REMOVED",
        "ENUM_CONST_ADDED",
        "ENUM_CONST_CHANGED",
        "ENUM_CONST_REMOVED",
        "FIELD_ADDED",
        "FIELD_REMOVED",
        "FIELD_NAME_CHANGED",
        "FIELD_STRING_OR_BYTES_LABEL_CHANGED",
        "ONEOF_ADDED",
        "ONEOF_REMOVED",
        "ONEOF_FIELD_ADDED",
    }
)

INCOMPATIBLE_CHANGES = frozenset(
    {
        "PACKAGE_CHANGED",
        "MESSAGE_REMOVED",
        "FIELD_KIND_CHANGED",
        "FIELD_SCALAR_KIND_CHANGED",
        "FIELD_NAMED_TYPE_CHANGED",
        "FIELD_NUMERIC_LABEL_CHANGED",
        "REQUIRED_FIELD_ADDED",
        "REQUIRED_FIELD_REMOVED",
        "ONEOF_FIELD_REMOVED",
        "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
        "FIELD_MOVED_TO_EXISTING_ONEOF",
    }
)

# Scalars that read each other's encoding (the language guide's rules for updating a
# message type), grouped as Confluent groups them; enums count as general numbers.
_SCALAR_KIND = {
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

_SCALAR_TYPE_NAMES = {
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

# Message types compared inside one another (A's field has type B, whose field has type
# C, ...) past this depth make the check give up before Python's stack does.
_MAX_REFERENCE_DEPTH = 100


@dataclass(frozen=True, slots=True)
class SchemaDifference:
    """One change between two schemas, compatible or not, named as Confluent names it."""

    type: str
    path: str
    message: str

    @property
    def compatible(self) -> bool:
        return self.type in COMPATIBLE_CHANGES


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


@dataclass(frozen=True, slots=True)
class _FieldShape:
    """What a field holds, as the compatibility rules see it."""

    kind: str  # SCALAR (enums included), MESSAGE, GROUP or MAP
    type: int  # FieldDescriptorProto.Type
    repeated: bool
    type_info: _TypeInfo | None  # the message, enum or map entry the field names
    map_key: _FieldShape | None = None
    map_value: _FieldShape | None = None

    @staticmethod
    def of(field_proto: descriptor_pb2.FieldDescriptorProto, types: Mapping[str, _TypeInfo]) -> _FieldShape:
        type_info = types.get(field_proto.type_name.lstrip(".")) if field_proto.type_name else None
        repeated = field_proto.label == _Label.LABEL_REPEATED
        if field_proto.type == _FieldType.TYPE_GROUP:
            return _FieldShape("GROUP", field_proto.type, repeated, type_info)
        if field_proto.type != _FieldType.TYPE_MESSAGE:
            return _FieldShape("SCALAR", field_proto.type, repeated, type_info)
        if type_info is None or not type_info.is_map_entry:
            return _FieldShape("MESSAGE", field_proto.type, repeated, type_info)
        assert type_info.message is not None
        entry = {entry_field.number: entry_field for entry_field in type_info.message.field}
        return _FieldShape(
            "MAP", field_proto.type, False, type_info, _FieldShape.of(entry[1], types), _FieldShape.of(entry[2], types)
        )

    def describe(self) -> str:
        if self.kind == "MAP":
            return "a map"
        if self.kind == "GROUP":
            return "a group"
        if self.type_info is not None:
            return f"{'enum' if self.type_info.enum is not None else 'message'} {self.type_info.local_name}"
        return _SCALAR_TYPE_NAMES.get(self.type, "a scalar")


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
        old_shape = _FieldShape.of(old, self.old.types)
        new_shape = _FieldShape.of(new, self.new.types)
        self._compare_shapes(path, described, old_shape, new_shape, depth, compare_labels=True)

    def _compare_shapes(
        self, path: list[str], described: str, old: _FieldShape, new: _FieldShape, depth: int, compare_labels: bool
    ) -> None:
        if old.kind != new.kind:
            self.add("FIELD_KIND_CHANGED", path, f"{described} changed from {old.describe()} to {new.describe()}")
        elif old.kind == "SCALAR":
            old_scalar, new_scalar = _SCALAR_KIND[old.type], _SCALAR_KIND[new.type]
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
        self, path: list[str], described: str, old: _FieldShape, new: _FieldShape, depth: int
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

    def _message_types_compatible(self, old: _TypeInfo, new: _TypeInfo, depth: int) -> bool:
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


# --------------------------------------------------------------------------------------
# Validating proto3 JSON documents
# --------------------------------------------------------------------------------------

_INT_RANGES = {
    _FieldType.TYPE_INT32: (-(2**31), 2**31 - 1),
    _FieldType.TYPE_SINT32: (-(2**31), 2**31 - 1),
    _FieldType.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    _FieldType.TYPE_UINT32: (0, 2**32 - 1),
    _FieldType.TYPE_FIXED32: (0, 2**32 - 1),
    _FieldType.TYPE_INT64: (-(2**63), 2**63 - 1),
    _FieldType.TYPE_SINT64: (-(2**63), 2**63 - 1),
    _FieldType.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    _FieldType.TYPE_UINT64: (0, 2**64 - 1),
    _FieldType.TYPE_FIXED64: (0, 2**64 - 1),
}
_FLOAT32_MAX = 3.4028234663852886e38
# Numbers may be quoted and may use exponent notation ("1e3"); the bounds keep turning one
# into an int cheap.
_NUMBER_TEXT = re.compile(r"-?(?:0|[1-9]\d{0,39})(?:\.\d{1,40})?(?:[eE][+-]?\d{1,3})?")
_FLOAT_WORDS = frozenset({"NaN", "Infinity", "-Infinity"})
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")
_UNPAIRED_SURROGATE = re.compile(r"[\ud800-\udfff]")
_WELL_KNOWN_MAX_DEPTH = 100  # json_format's own nesting limit, for the values it parses
_MAX_MESSAGE_LENGTH = 300


@dataclass(frozen=True, slots=True)
class _EnumPlan:
    full_name: str
    names: frozenset[str]
    numbers: frozenset[int]
    closed: bool  # proto2 enums reject numbers they do not declare


@dataclass(frozen=True, slots=True)
class _FieldPlan:
    name: str
    json_name: str
    number: int
    type: int
    repeated: bool
    required: bool
    oneof: str | None  # real oneofs only
    schema_path: str
    message: str | None = None  # full name of a message the schema or a dependency declares
    well_known: Any = None  # class of a well-known message type, parsed by json_format
    enum: _EnumPlan | None = None
    map_key: _FieldPlan | None = None
    map_value: _FieldPlan | None = None


@dataclass(frozen=True, slots=True)
class _MessagePlan:
    full_name: str
    schema_path: str
    fields_by_key: Mapping[str, _FieldPlan]  # by JSON name and by proto name
    required: tuple[_FieldPlan, ...]


_Task = tuple[_MessagePlan, object, str]  # a nested message still to check, and where


class ProtobufValidator:
    """Validates the proto3 JSON form of one message. Immutable after construction: safe
    to share between threads and greenlets and to reuse for any number of documents."""

    __slots__ = ("message_name", "_plans", "_pool", "_root")

    def __init__(self, document: ProtobufDocument, message: str | None = None) -> None:
        root = _select_message(document, message)
        self.message_name = root.full_name
        self._pool = descriptor_pool.DescriptorPool()  # per schema: names never clash
        for file in (*document.imports, document.file):
            self._pool.Add(file)
        self._plans = _Planner(document, self._pool).plan_all(root.full_name)
        self._root = self._plans[root.full_name]

    def validate(self, instance: object, max_errors: int = 100) -> list[ValidationIssue]:
        """Every reason ``instance`` is not the proto3 JSON form of the message, stopping
        after ``max_errors``. Empty list: valid."""
        issues: list[ValidationIssue] = []
        # An explicit stack, not recursion: a document may nest as deep as it likes.
        pending: list[_Task] = [(self._root, instance, "")]
        while pending and len(issues) < max_errors:
            plan, value, path = pending.pop()
            nested: list[_Task] = []
            for issue in self._check_message(plan, value, path, nested):
                issues.append(issue)
                if len(issues) >= max_errors:
                    break
            pending.extend(reversed(nested))  # so nested messages are checked in document order
        return issues

    def _check_message(
        self, plan: _MessagePlan, value: object, path: str, nested: list[_Task]
    ) -> Iterator[ValidationIssue]:
        if not isinstance(value, dict):
            yield _issue(
                path, f"expected a JSON object for message {plan.full_name}, got {_json_type(value)}", "type",
                plan.schema_path,
            )  # fmt: skip
            return
        keys_by_number: dict[int, str] = {}
        keys_by_oneof: dict[str, str] = {}
        for key, item in value.items():
            key_path = f"{path}/{escape_token(str(key))}"
            field_plan = plan.fields_by_key.get(key) if isinstance(key, str) else None
            if field_plan is None:
                yield _issue(
                    key_path, f"message {plan.full_name} has no field {key!r}", "unknown-field", plan.schema_path
                )
                continue
            if field_plan.number in keys_by_number:
                yield _issue(
                    key_path,
                    f"field {field_plan.name} is given twice, as {keys_by_number[field_plan.number]!r} and {key!r}",
                    "duplicate-field",
                    field_plan.schema_path,
                )
                continue
            keys_by_number[field_plan.number] = key
            if item is None:
                continue  # null stands for the default value (for google.protobuf.Value too)
            if field_plan.oneof is not None:
                other = keys_by_oneof.setdefault(field_plan.oneof, key)
                if other != key:
                    yield _issue(
                        key_path,
                        f"{other!r} and {key!r} belong to oneof {field_plan.oneof}: at most one may be set",
                        "oneof",
                        field_plan.schema_path,
                    )
                    continue
            yield from self._check_field(field_plan, item, key_path, nested)
        for required in plan.required:
            key = keys_by_number.get(required.number)
            if key is None or value[key] is None:
                yield _issue(path, f"required field {required.name!r} is missing", "required", required.schema_path)

    def _check_field(
        self, plan: _FieldPlan, value: object, path: str, nested: list[_Task]
    ) -> Iterator[ValidationIssue]:
        if plan.map_key is not None and plan.map_value is not None:
            if not isinstance(value, dict):
                yield _issue(
                    path, f"expected a JSON object for map field {plan.name}, got {_json_type(value)}", "type",
                    plan.schema_path,
                )  # fmt: skip
                return
            for key, item in value.items():
                item_path = f"{path}/{escape_token(str(key))}"
                yield from _check_map_key(plan.map_key, key, item_path)
                if item is None and not _accepts_null(plan.map_value):
                    yield _issue(item_path, "a map value cannot be null", "type", plan.schema_path)
                else:
                    yield from self._check_value(plan.map_value, item, item_path, nested)
        elif plan.repeated:
            if not isinstance(value, (list, tuple)):
                yield _issue(
                    path, f"expected a JSON array for repeated field {plan.name}, got {_json_type(value)}", "type",
                    plan.schema_path,
                )  # fmt: skip
                return
            for index, item in enumerate(value):
                item_path = f"{path}/{index}"
                if item is None and not _accepts_null(plan):
                    yield _issue(item_path, "a repeated field cannot hold null", "type", plan.schema_path)
                else:
                    yield from self._check_value(plan, item, item_path, nested)
        else:
            yield from self._check_value(plan, value, path, nested)

    def _check_value(
        self, plan: _FieldPlan, value: object, path: str, nested: list[_Task]
    ) -> Iterator[ValidationIssue]:
        """One value of the field's type: a single value, an element or a map value."""
        if plan.message is not None:
            nested.append((self._plans[plan.message], value, path))
        elif plan.well_known is not None:
            problem = self._well_known_problem(plan.well_known, value)
            if problem is not None:
                yield _issue(path, problem, "format", plan.schema_path)
        elif plan.enum is not None:
            problem = _enum_problem(plan.enum, value)
            if problem is not None:
                yield _issue(path, problem[0], problem[1], plan.schema_path)
        else:
            problem = _scalar_problem(plan.type, value)
            if problem is not None:
                yield _issue(path, problem[0], problem[1], plan.schema_path)

    def _well_known_problem(self, message_class: Any, value: object) -> str | None:
        if message_class.DESCRIPTOR.full_name == "google.protobuf.Any":
            # json_format deletes "@type" from an Any's object while it parses it (and puts
            # it back): a thread validating the same document meanwhile would see it missing.
            value = _copy_json(value)
        try:
            json_format.ParseDict(
                value, message_class(), descriptor_pool=self._pool, max_recursion_depth=_WELL_KNOWN_MAX_DEPTH
            )
        except json_format.ParseError as error:
            return _shorten(str(error))
        except RecursionError:
            return "the value is nested too deeply"
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            # json_format lets some malformed input escape as these (an Any that is an array).
            return _shorten(f"not a valid {message_class.DESCRIPTOR.full_name}: {error}")
        return None


def _copy_json(value: object) -> object:
    """A deep copy of JSON containers, without recursion."""
    if not isinstance(value, (dict, list)):
        return value
    root: Any = {} if isinstance(value, dict) else []
    pending: list[tuple[Any, Any]] = [(value, root)]
    while pending:
        source, target = pending.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            if isinstance(item, (dict, list)):
                copy: Any = {} if isinstance(item, dict) else []
                pending.append((item, copy))
                item = copy
            if isinstance(target, dict):
                target[key] = item
            else:
                target.append(item)
    return root


def _accepts_null(plan: _FieldPlan) -> bool:
    """google.protobuf.Value, and the NullValue enum, spell their null as JSON null."""
    if plan.well_known is not None:
        return plan.well_known.DESCRIPTOR.full_name == "google.protobuf.Value"
    return plan.enum is not None and plan.enum.full_name == "google.protobuf.NullValue"


def _check_map_key(plan: _FieldPlan, key: object, path: str) -> Iterator[ValidationIssue]:
    if not isinstance(key, str):
        yield _issue(path, f"a map key must be a string, got {_json_type(key)}", "type", plan.schema_path)
    elif plan.type == _FieldType.TYPE_BOOL:
        if key not in ("true", "false"):
            yield _issue(path, f'a bool map key must be "true" or "false", not {key!r}', "format", plan.schema_path)
    elif plan.type in _INT_RANGES:
        problem = _integer_problem(plan.type, key)
        if problem is not None:
            yield _issue(path, f"map key: {problem[0]}", problem[1], plan.schema_path)
    elif _UNPAIRED_SURROGATE.search(key):
        yield _issue(path, "the map key contains an unpaired surrogate", "format", plan.schema_path)


def _enum_problem(enum: _EnumPlan, value: object) -> tuple[str, str] | None:
    if isinstance(value, str):
        if value not in enum.names:
            return f"{_shorten(repr(value))} is not a value of enum {enum.full_name}", "enum"
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if not -(2**31) <= value <= 2**31 - 1:
            return f"{_shorten(str(value))} is out of range for an enum (int32)", "range"
        if enum.closed and value not in enum.numbers:
            return f"{value} is not a number of enum {enum.full_name}", "enum"
        return None
    return f"expected the name or number of a value of enum {enum.full_name}, got {_json_type(value)}", "type"


def _scalar_problem(field_type: int, value: object) -> tuple[str, str] | None:
    """(message, keyword) when ``value`` is not the JSON form of a scalar of this type."""
    if field_type in _INT_RANGES:
        return _integer_problem(field_type, value)
    if field_type in (_FieldType.TYPE_DOUBLE, _FieldType.TYPE_FLOAT):
        return _floating_problem(field_type, value)
    if field_type == _FieldType.TYPE_BOOL:
        return None if isinstance(value, bool) else (f"expected true or false, got {_json_type(value)}", "type")
    if field_type == _FieldType.TYPE_STRING:
        if not isinstance(value, str):
            return f"expected a string, got {_json_type(value)}", "type"
        if _UNPAIRED_SURROGATE.search(value):
            return "the string contains an unpaired surrogate", "format"
        return None
    if field_type == _FieldType.TYPE_BYTES:
        if not isinstance(value, str):
            return f"expected a base64 string for a bytes field, got {_json_type(value)}", "type"
        unpadded = value.rstrip("=")
        if _BASE64_TEXT.fullmatch(value) is None or len(unpadded) % 4 == 1:
            return "expected base64 (standard or URL-safe alphabet) for a bytes field", "format"
        try:
            base64.urlsafe_b64decode(unpadded.replace("+", "-").replace("/", "_") + "=" * (-len(unpadded) % 4))
        except (binascii.Error, ValueError):
            return "expected base64 (standard or URL-safe alphabet) for a bytes field", "format"
        return None
    return None


def _floating_problem(field_type: int, value: object) -> tuple[str, str] | None:
    type_name = _SCALAR_TYPE_NAMES[field_type]
    if isinstance(value, str):
        if value in _FLOAT_WORDS:
            return None
        if _NUMBER_TEXT.fullmatch(value) is None:
            return f"{_shorten(repr(value))} is not a {type_name}", "format"
        number = float(value)
    elif isinstance(value, float):
        if math.isnan(value):
            return 'NaN must be written as the string "NaN"', "format"
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
    else:
        return f"expected a number for a {type_name} field, got {_json_type(value)}", "type"
    limit = _FLOAT32_MAX if field_type == _FieldType.TYPE_FLOAT else sys.float_info.max
    if math.isinf(number) or abs(number) > limit:
        return f"{_shorten(str(value))} is out of range for a {type_name}", "range"
    return None


def _integer_problem(field_type: int, value: object) -> tuple[str, str] | None:
    type_name = _SCALAR_TYPE_NAMES[field_type]
    if isinstance(value, str):
        number = _integer_from_text(value)
        if number is None:
            return f"{_shorten(repr(value))} is not an integer", "format"
    elif isinstance(value, float) and not isinstance(value, bool):
        if not value.is_integer():
            return f"{value!r} is not an integer", "type"
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        return f"expected an integer for a {type_name} field, got {_json_type(value)}", "type"
    low, high = _INT_RANGES[field_type]
    if not low <= number <= high:
        return f"{_shorten(str(number))} is out of range for a {type_name} ({low}..{high})", "range"
    return None


def _integer_from_text(text: str) -> int | None:
    if _NUMBER_TEXT.fullmatch(text) is None:
        return None
    number = decimal.Decimal(text)
    if number != number.to_integral_value():
        return None
    return int(number)


def _select_message(document: ProtobufDocument, wanted: str | None) -> _TypeInfo:
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


class _Planner:
    """Turns descriptors into the validator's lookup tables, once per validator."""

    def __init__(self, document: ProtobufDocument, pool: descriptor_pool.DescriptorPool) -> None:
        self._document = document
        self._pool = pool
        self._classes: dict[str, Any] = {}

    def plan_all(self, root: str) -> dict[str, _MessagePlan]:
        """Plans for ``root`` and every message of the schema reachable from it."""
        plans: dict[str, _MessagePlan] = {}
        pending = [root]
        while pending:
            name = pending.pop()
            if name not in plans:
                plans[name] = self._plan_message(self._document.types[name], pending)
        return plans

    def _plan_message(self, info: _TypeInfo, referenced: list[str]) -> _MessagePlan:
        assert info.message is not None
        schema_path = "/" + escape_token(info.local_name)
        fields_by_key: dict[str, _FieldPlan] = {}
        for field_proto in info.message.field:
            field_plan = self._plan_field(info.message, field_proto, schema_path, referenced)
            fields_by_key[field_plan.json_name] = field_plan
        for field_plan in list(fields_by_key.values()):
            fields_by_key.setdefault(field_plan.name, field_plan)
        required = tuple(plan for plan in fields_by_key.values() if plan.required)
        return _MessagePlan(info.full_name, schema_path, fields_by_key, tuple(dict.fromkeys(required)))

    def _plan_field(
        self,
        message: descriptor_pb2.DescriptorProto,
        field_proto: descriptor_pb2.FieldDescriptorProto,
        message_path: str,
        referenced: list[str],
    ) -> _FieldPlan:
        oneof = None
        if field_proto.HasField("oneof_index") and not field_proto.proto3_optional:
            oneof = message.oneof_decl[field_proto.oneof_index].name
        plan = _FieldPlan(
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

    def _message_class(self, full_name: str) -> Any:
        message_class = self._classes.get(full_name)
        if message_class is None:
            message_class = message_factory.GetMessageClass(self._pool.FindMessageTypeByName(full_name))
            self._classes[full_name] = message_class
        return message_class


def _enum_plan(info: _TypeInfo) -> _EnumPlan:
    assert info.enum is not None
    return _EnumPlan(
        full_name=info.full_name,
        names=frozenset(value.name for value in info.enum.value),
        numbers=frozenset(value.number for value in info.enum.value),
        closed=info.syntax == "proto2",
    )


def _issue(path: str, message: str, keyword: str, schema_path: str) -> ValidationIssue:
    return ValidationIssue(path=path, message=message, keyword=keyword, schema_path=schema_path)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE_LENGTH else text[: _MAX_MESSAGE_LENGTH - 1] + "…"
