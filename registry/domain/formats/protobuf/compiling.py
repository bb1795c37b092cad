"""Compiling ``.proto`` text with protoc, and the cache of compile outcomes.

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
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf import descriptor_pb2

from registry.domain.compute import budget_left, budget_spent, hand_over
from registry.domain.errors import InvalidSchema, SchemaTooLarge
from registry.domain.formats.base import Dependency, distinct_dependencies
from registry.domain.formats.protobuf.document import SCHEMA_FILE_NAME, ProtobufDocument, index_types
from registry.domain.formats.protobuf.limits import Limits
from registry.domain.formats.protobuf.well_known import BUNDLED_FILES, SITE_DIR, WELL_KNOWN_INCLUDE_DIR
from registry.domain.model import SchemaProblem

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
class CompileFailure:
    message: str
    problems: tuple[SchemaProblem, ...]
    too_large: bool = False
    transient: bool = False  # a timeout: a busy machine may compile the same text in time later

    def error(self) -> InvalidSchema:
        error_class = SchemaTooLarge if self.too_large else InvalidSchema
        return error_class(self.message, problems=list(self.problems))


CompileOutcome = ProtobufDocument | CompileFailure


class CompileCache:
    """LRU of compile outcomes keyed by the text, bounded in entries and in bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[CompileOutcome, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # a handler may be shared by threads, not only greenlets

    def get(self, text: str) -> CompileOutcome | None:
        with self._lock:
            entry = self._entries.get(text)
            if entry is None:
                return None
            self._entries.move_to_end(text)
            return entry[0]

    def put(self, text: str, outcome: CompileOutcome) -> None:
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


def run_protoc(text: str, limits: Limits, dependencies: Sequence[tuple[str, str]] = ()) -> CompileOutcome:
    with tempfile.TemporaryDirectory(prefix="registry-proto-") as work_dir:
        # Sources in a directory of their own, so no dependency name can clash with the output.
        source_dir = os.path.join(work_dir, "src")
        os.mkdir(source_dir)
        source_path = os.path.join(source_dir, SCHEMA_FILE_NAME)
        with open(source_path, "w", encoding="utf-8") as source:
            source.write(text)
        for name, content in dependencies:
            # protoc finds an import by its path below --proto_path; names were checked
            # by check_dependencies (relative, no "..").
            dependency_path = os.path.join(source_dir, *name.split("/"))
            try:
                os.makedirs(os.path.dirname(dependency_path), exist_ok=True)
                with open(dependency_path, "x", encoding="utf-8") as dependency_file:
                    dependency_file.write(content)
            except OSError:
                message = f"the reference {name!r} clashes with another file's path (one names the other's directory)"
                return CompileFailure(message, (SchemaProblem(location="", message=message),))
        descriptor_set_path = os.path.join(work_dir, "descriptor_set.pb")
        command = [
            sys.executable,
            "-I",
            "-S",
            "-c",
            _PROTOC_BOOTSTRAP,
            SITE_DIR,
            f"--proto_path={source_dir}",
            f"--proto_path={WELL_KNOWN_INCLUDE_DIR}",
            "--include_imports",
            f"--descriptor_set_out={descriptor_set_path}",
            source_path,
        ]
        # Within the request's compute budget too, when it runs as a step of one.
        timeout = limits.compile_timeout_seconds
        step_left = budget_left()
        if step_left is not None:
            timeout = min(timeout, step_left)
        try:
            # Under gevent's monkey-patching this wait lets the worker's other greenlets run.
            completed = subprocess.run(
                command,
                cwd=work_dir,
                env={},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            if timeout < limits.compile_timeout_seconds:
                budget_spent()
            message = f"the schema took longer than {limits.compile_timeout_seconds:g} s to compile"
            return CompileFailure(
                message, (SchemaProblem(location="", message=message),), too_large=True, transient=True
            )
        if completed.returncode != 0:
            stderr = completed.stderr.decode("utf-8", errors="replace")
            stderr = stderr.replace(source_dir + os.sep, "").replace(work_dir + os.sep, "")
            return _failure_from_diagnostics(stderr, limits, frozenset(name for name, _ in dependencies))
        with open(descriptor_set_path, "rb") as compiled:
            descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(compiled.read())
    # Indexing every type is pure and, for a large schema, long: handed over (see registry.domain.compute).
    return hand_over(lambda: _document_from(text, list(descriptor_set.file)), weight=len(text))


def _failure_from_diagnostics(
    stderr: str, limits: Limits, dependency_names: frozenset[str] = frozenset()
) -> CompileFailure:
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
    return CompileFailure(f"the schema is not valid Protobuf: {problems[0].message}", tuple(problems))


def _document_from(text: str, files: list[descriptor_pb2.FileDescriptorProto]) -> CompileOutcome:
    schema_file = next(file for file in files if file.name == SCHEMA_FILE_NAME)
    if schema_file.syntax not in ("", "proto2", "proto3"):
        match = _EDITION_DECLARATION.search(text)
        offset = match.start() + len(match.group()) - len("edition") if match else 0
        message = 'Protobuf editions are not supported: declare syntax = "proto2" or syntax = "proto3"'
        return CompileFailure(message, (SchemaProblem(location=_location_of(text, offset), message=message),))
    imports = tuple(file for file in files if file.name != SCHEMA_FILE_NAME)
    return ProtobufDocument(
        text=text,
        file=schema_file,
        imports=imports,
        descriptor_bytes=schema_file.SerializeToString(deterministic=True),
        types=index_types([*imports, schema_file]),
    )


def compile_proto(text: str, limits: Limits | None = None, dependencies: Sequence[Dependency] = ()) -> ProtobufDocument:
    """Compile ``.proto`` text, without caching, with ``dependencies`` importable by their
    names; raise InvalidSchema (SchemaTooLarge)."""
    limits = limits or Limits()
    check_text(text, limits)
    outcome = run_protoc(text, limits, check_dependencies(dependencies, limits))
    if isinstance(outcome, CompileFailure):
        raise outcome.error()
    return outcome


def check_text(text: object, limits: Limits) -> None:
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


def check_dependencies(dependencies: Sequence[Dependency], limits: Limits) -> list[tuple[str, str]]:
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
            check_text(dependency.content, limits)
        except InvalidSchema as error:
            located = [SchemaProblem(f"{name}:{problem.location}", problem.message) for problem in error.problems]
            raise type(error)(f"the referenced schema {name!r}: {error.message}", problems=located) from None
        if name not in BUNDLED_FILES:
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


def serialized_descriptor(document: ProtobufDocument | str, dependencies: Sequence[Dependency] = ()) -> bytes:
    """The schema as a serialized ``FileDescriptorProto`` (deterministic, no source info):
    the form in which Kafka Protobuf serializers exchange schemas. Only the schema's own
    file: its ``dependency`` list names its imports, whose files are not included (as
    Confluent's ``format=serialized``). ``document`` may be ``.proto`` text, compiled here
    with ``dependencies``; a compiled document already holds its dependencies."""
    if isinstance(document, str):
        document = compile_proto(document, dependencies=dependencies)
    return document.descriptor_bytes
