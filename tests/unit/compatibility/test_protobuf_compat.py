"""Protobuf compatibility: Confluent Schema Registry's rules, and agreement with
``buf breaking`` (WIRE rules) where the two mean the same thing.

Each table row is an (old, new) pair written from Confluent's Protobuf rules (its
``SchemaDiff`` change types and their compatible set). BACKWARD is
``backward_violations(old, new)``: a reader of ``new`` reads data written with ``old``;
FORWARD swaps the roles. ``changes`` lists every change type found from old to new,
compatible ones included.

The buf cross-check runs ``buf breaking NEW --against OLD`` with the WIRE category on the
rows marked ``buf=True`` and expects buf to call the change breaking exactly when our
BACKWARD verdict is "incompatible". Rows where the two rule sets mean different things are
left out of it (``buf=False``), for these reasons:

* deleting a field (also by renumbering it, or by deleting its oneof) without reserving
  its number: buf's FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED breaks; Confluent allows
  FIELD_REMOVED and ONEOF_REMOVED. Deletions whose number is reserved are in the subset;
* deleting a message: WIRE has no MESSAGE_NO_DELETE, Confluent flags MESSAGE_REMOVED;
* a string, bytes or message field becoming repeated: buf's
  FIELD_WIRE_COMPATIBLE_CARDINALITY breaks, Confluent allows it (the encodings read
  each other);
* oneof membership (one field moved into a new oneof, a field moved out of one, a renamed
  oneof): buf's FIELD_SAME_ONEOF breaks on any such move, Confluent allows them; rows
  that also retype the moved field break for both, but buf would break anyway;
* an integer becoming an enum, or one enum another: buf's FIELD_WIRE_COMPATIBLE_TYPE
  breaks, Confluent counts enums as integers;
* a field switching from a well-known type to the schema's own message of the same local
  name and shape: buf compares full type names, Confluent local names and then contents;
* proto2 defaults (buf's FIELD_SAME_DEFAULT): not part of Confluent's rules.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from registry.domain.compatibility.checker import pair_violations
from registry.domain.compatibility.protobuf import (
    COMPATIBLE_CHANGES,
    INCOMPATIBLE_CHANGES,
    ProtobufCompatibility,
    schema_differences,
)
from registry.domain.compatibility.registry import default_compatibility
from registry.domain.errors import SchemaTooLarge
from registry.domain.formats.protobuf import ProtobufDocument, ProtobufHandler
from registry.domain.model import CompatibilityMode, CompatibilityPolicy, SchemaFormat

HANDLER = ProtobufHandler()
RULES = ProtobufCompatibility()
STRICT = CompatibilityPolicy.STRICT


@dataclass(frozen=True)
class Case:
    id: str
    old: str
    new: str
    changes: frozenset[str]  # every change type from old to new
    backward: frozenset[str]  # violations under BACKWARD
    forward: frozenset[str]  # violations under FORWARD
    buf: bool = False  # in the subset cross-checked against buf
    paths: tuple[str, ...] = field(default=())  # paths of the changes from old to new, when checked


def case(
    id: str,
    old: str,
    new: str,
    changes: set[str] | None = None,
    backward: set[str] | None = None,
    forward: set[str] | None = None,
    buf: bool = False,
    paths: tuple[str, ...] = (),
) -> Case:
    return Case(
        id,
        _text(old),
        _text(new),
        frozenset(changes or ()),
        frozenset(backward or ()),
        frozenset(forward or ()),
        buf,
        paths,
    )


def _text(body: str) -> str:
    """A row's schema: a proto3 file in package ``t`` unless it declares its own header."""
    if body.lstrip().startswith(("syntax", "package")):
        return body
    return f'syntax = "proto3";\npackage t;\n{body}\n'


TS = 'import "google/protobuf/timestamp.proto";\nimport "google/protobuf/duration.proto";\n'
WRAP = 'import "google/protobuf/wrappers.proto";\n'


def proto2(body: str) -> str:
    return f'syntax = "proto2";\npackage t;\n{body}\n'


CASES = [
    # -- nothing that matters changed --------------------------------------------------
    case("identical", "message A { int32 a = 1; }", "message A { int32 a = 1; }", buf=True),
    case(
        "comments and layout",
        "message A { int32 a = 1; }",
        "// the A\nmessage A {\n  int32 a = 1; // count\n}",
        buf=True,
    ),
    case("json_name", "message A { int32 a = 1; }", 'message A { int32 a = 1 [json_name = "x"]; }', buf=True),
    case("deprecated", "message A { int32 a = 1; }", "message A { int32 a = 1 [deprecated = true]; }", buf=True),
    case(
        "service added",
        "message A { int32 a = 1; }",
        "message A { int32 a = 1; }\nservice S { rpc Go(A) returns (A); }",
        buf=True,
    ),
    case("proto3 optional", "message A { int32 a = 1; }", "message A { optional int32 a = 1; }", buf=True),
    # -- fields added, removed, renamed --------------------------------------------------
    case(
        "field added",
        "message A { int32 a = 1; }",
        "message A { int32 a = 1; string b = 2; }",
        changes={"FIELD_ADDED"},
        buf=True,
        paths=("/A/2",),
    ),
    case(
        "field removed",
        "message A { int32 a = 1; string b = 2; }",
        "message A { int32 a = 1; }",
        changes={"FIELD_REMOVED"},
        paths=("/A/2",),
    ),
    case(
        "field removed, number reserved",
        "message A { int32 a = 1; string b = 2; }",
        "message A { int32 a = 1; reserved 2; }",
        changes={"FIELD_REMOVED"},
        buf=True,
    ),
    case(
        "field renamed",
        "message A { int32 a = 1; }",
        "message A { int32 count = 1; }",
        changes={"FIELD_NAME_CHANGED"},
        buf=True,
        paths=("/A/1",),
    ),
    case(
        "field renumbered",
        "message A { int32 a = 1; }",
        "message A { int32 a = 2; }",
        changes={"FIELD_REMOVED", "FIELD_ADDED"},
    ),
    # -- scalar types --------------------------------------------------------------------
    case("int32 to int64", "message A { int32 a = 1; }", "message A { int64 a = 1; }", buf=True),
    case("int32 to uint64", "message A { int32 a = 1; }", "message A { uint64 a = 1; }", buf=True),
    case("int64 to bool", "message A { int64 a = 1; }", "message A { bool a = 1; }", buf=True),
    case("sint32 to sint64", "message A { sint32 a = 1; }", "message A { sint64 a = 1; }", buf=True),
    case("string to bytes", "message A { string a = 1; }", "message A { bytes a = 1; }", buf=True),
    case("fixed32 to sfixed32", "message A { fixed32 a = 1; }", "message A { sfixed32 a = 1; }", buf=True),
    case("fixed64 to sfixed64", "message A { fixed64 a = 1; }", "message A { sfixed64 a = 1; }", buf=True),
    *(
        case(
            f"{old} to {new}",
            f"message A {{ {old} a = 1; }}",
            f"message A {{ {new} a = 1; }}",
            changes={"FIELD_SCALAR_KIND_CHANGED"},
            backward={"FIELD_SCALAR_KIND_CHANGED"},
            forward={"FIELD_SCALAR_KIND_CHANGED"},
            buf=True,
            paths=("/A/1",),
        )
        for old, new in [
            ("int32", "sint32"),
            ("int64", "fixed64"),
            ("fixed32", "fixed64"),
            ("float", "double"),
            ("int32", "string"),
            ("bytes", "int64"),
            ("sfixed32", "float"),
            ("sint64", "uint64"),
        ]
    ),
    case(
        "int32 to enum",
        "message A { int32 a = 1; }\nenum E { Z = 0; }",
        "message A { E a = 1; }\nenum E { Z = 0; }",
    ),
    case(
        "one enum to another",
        "message A { E a = 1; }\nenum E { Z = 0; }\nenum F { Y = 0; }",
        "message A { F a = 1; }\nenum E { Z = 0; }\nenum F { Y = 0; }",
    ),
    case(
        "enum to string",
        "message A { E a = 1; }\nenum E { Z = 0; }",
        "message A { string a = 1; }\nenum E { Z = 0; }",
        changes={"FIELD_SCALAR_KIND_CHANGED"},
        backward={"FIELD_SCALAR_KIND_CHANGED"},
        forward={"FIELD_SCALAR_KIND_CHANGED"},
        buf=True,
    ),
    # -- kinds and named types -----------------------------------------------------------
    case(
        "scalar to message",
        "message A { int32 a = 1; }\nmessage B {}",
        "message A { B a = 1; }\nmessage B {}",
        changes={"FIELD_KIND_CHANGED"},
        backward={"FIELD_KIND_CHANGED"},
        forward={"FIELD_KIND_CHANGED"},
        buf=True,
        paths=("/A/1",),
    ),
    case(
        "message to map",
        "message A { B a = 1; }\nmessage B {}",
        "message A { map<string, B> a = 1; }\nmessage B {}",
        changes={"FIELD_KIND_CHANGED"},
        backward={"FIELD_KIND_CHANGED"},
        forward={"FIELD_KIND_CHANGED"},
        buf=True,
    ),
    case(
        "map to repeated entry message",
        "message A { map<string, int32> a = 1; }",
        "message A { repeated E a = 1; message E { string key = 1; int32 value = 2; } }",
        changes={"FIELD_KIND_CHANGED", "MESSAGE_ADDED"},
        backward={"FIELD_KIND_CHANGED"},
        forward={"FIELD_KIND_CHANGED", "MESSAGE_REMOVED"},
        buf=True,
    ),
    case(
        "message type renamed",
        "message A { B a = 1; }\nmessage B {}\nmessage C {}",
        "message A { C a = 1; }\nmessage B {}\nmessage C {}",
        changes={"FIELD_NAMED_TYPE_CHANGED"},
        backward={"FIELD_NAMED_TYPE_CHANGED"},
        forward={"FIELD_NAMED_TYPE_CHANGED"},
        buf=True,
        paths=("/A/1",),
    ),
    case(
        "message moved into another",
        "message A { B a = 1; }\nmessage B { int32 x = 1; }",
        "message A { B a = 1; message B { int32 x = 1; } }",
        changes={"MESSAGE_REMOVED", "MESSAGE_ADDED", "FIELD_NAMED_TYPE_CHANGED"},
        backward={"MESSAGE_REMOVED", "FIELD_NAMED_TYPE_CHANGED"},
        forward={"MESSAGE_REMOVED", "FIELD_NAMED_TYPE_CHANGED"},
        buf=True,
    ),
    case(
        "referenced message changes incompatibly",
        "message A { B b = 1; }\nmessage B { int32 x = 1; }",
        "message A { B b = 1; }\nmessage B { string x = 1; }",
        changes={"FIELD_SCALAR_KIND_CHANGED", "FIELD_NAMED_TYPE_CHANGED"},
        backward={"FIELD_SCALAR_KIND_CHANGED", "FIELD_NAMED_TYPE_CHANGED"},
        forward={"FIELD_SCALAR_KIND_CHANGED", "FIELD_NAMED_TYPE_CHANGED"},
        buf=True,
        paths=("/A/1", "/B/1"),
    ),
    case(
        "referenced message changes compatibly",
        "message A { B b = 1; }\nmessage B { int32 x = 1; }",
        "message A { B b = 1; }\nmessage B { int64 x = 1; string y = 2; }",
        changes={"FIELD_ADDED"},
        buf=True,
        paths=("/B/2",),
    ),
    case(
        "recursive message, compatible change",
        "message Node { repeated Node children = 1; int32 v = 2; }",
        "message Node { repeated Node children = 1; int64 v = 2; bool leaf = 3; }",
        changes={"FIELD_ADDED"},
        buf=True,
    ),
    case(
        "recursive message, incompatible change",
        "message Node { Node next = 1; int32 v = 2; }",
        "message Node { Node next = 1; double v = 2; }",
        changes={"FIELD_SCALAR_KIND_CHANGED"},
        backward={"FIELD_SCALAR_KIND_CHANGED"},
        forward={"FIELD_SCALAR_KIND_CHANGED"},
        buf=True,
        paths=("/Node/2",),
    ),
    case(
        "mutually recursive messages",
        "message P { Q q = 1; int32 n = 2; }\nmessage Q { P p = 1; }",
        "message P { Q q = 1; sint32 n = 2; }\nmessage Q { P p = 1; }",
        changes={"FIELD_SCALAR_KIND_CHANGED", "FIELD_NAMED_TYPE_CHANGED"},
        backward={"FIELD_SCALAR_KIND_CHANGED", "FIELD_NAMED_TYPE_CHANGED"},
        forward={"FIELD_SCALAR_KIND_CHANGED", "FIELD_NAMED_TYPE_CHANGED"},
        buf=True,
        paths=("/P/2", "/Q/1"),
    ),
    case(
        "well-known type unchanged",
        TS + "message A { google.protobuf.Timestamp at = 1; }",
        TS + "message A { google.protobuf.Timestamp at = 1; }",
        buf=True,
    ),
    case(
        "timestamp to duration",
        TS + "message A { google.protobuf.Timestamp at = 1; }",
        TS + "message A { google.protobuf.Duration at = 1; }",
        changes={"FIELD_NAMED_TYPE_CHANGED"},
        backward={"FIELD_NAMED_TYPE_CHANGED"},
        forward={"FIELD_NAMED_TYPE_CHANGED"},
        buf=True,
    ),
    case(
        "wrapper to scalar",
        WRAP + "message A { google.protobuf.Int32Value a = 1; }",
        WRAP + "message A { int32 a = 1; }",
        changes={"FIELD_KIND_CHANGED"},
        backward={"FIELD_KIND_CHANGED"},
        forward={"FIELD_KIND_CHANGED"},
        buf=True,
    ),
    case(
        "own message named like a well-known type",
        TS + "message A { google.protobuf.Timestamp at = 1; }",
        TS + "message A { Timestamp at = 1; }\nmessage Timestamp { int64 seconds = 1; int32 nanos = 2; }",
        changes={"MESSAGE_ADDED"},
        forward={"MESSAGE_REMOVED"},
    ),
    # -- maps ----------------------------------------------------------------------------
    case(
        "map value widened",
        "message A { map<string, int32> m = 1; }",
        "message A { map<string, int64> m = 1; }",
        buf=True,
    ),
    case(
        "map key changed",
        "message A { map<string, int32> m = 1; }",
        "message A { map<int32, int32> m = 1; }",
        changes={"FIELD_SCALAR_KIND_CHANGED"},
        backward={"FIELD_SCALAR_KIND_CHANGED"},
        forward={"FIELD_SCALAR_KIND_CHANGED"},
        buf=True,
        paths=("/A/1",),
    ),
    case(
        "map value changed",
        "message A { map<string, int32> m = 1; }",
        "message A { map<string, string> m = 1; }",
        changes={"FIELD_SCALAR_KIND_CHANGED"},
        backward={"FIELD_SCALAR_KIND_CHANGED"},
        forward={"FIELD_SCALAR_KIND_CHANGED"},
        buf=True,
    ),
    case(
        "map value message renamed",
        "message A { map<string, B> m = 1; }\nmessage B {}\nmessage C {}",
        "message A { map<string, C> m = 1; }\nmessage B {}\nmessage C {}",
        changes={"FIELD_NAMED_TYPE_CHANGED"},
        backward={"FIELD_NAMED_TYPE_CHANGED"},
        forward={"FIELD_NAMED_TYPE_CHANGED"},
        buf=True,
    ),
    # -- labels --------------------------------------------------------------------------
    case(
        "int32 becomes repeated",
        "message A { int32 a = 1; }",
        "message A { repeated int32 a = 1; }",
        changes={"FIELD_NUMERIC_LABEL_CHANGED"},
        backward={"FIELD_NUMERIC_LABEL_CHANGED"},
        forward={"FIELD_NUMERIC_LABEL_CHANGED"},
        buf=True,
        paths=("/A/1",),
    ),
    case(
        "enum becomes repeated",
        "message A { E a = 1; }\nenum E { Z = 0; }",
        "message A { repeated E a = 1; }\nenum E { Z = 0; }",
        changes={"FIELD_NUMERIC_LABEL_CHANGED"},
        backward={"FIELD_NUMERIC_LABEL_CHANGED"},
        forward={"FIELD_NUMERIC_LABEL_CHANGED"},
        buf=True,
    ),
    case(
        "string becomes repeated",
        "message A { string a = 1; }",
        "message A { repeated string a = 1; }",
        changes={"FIELD_STRING_OR_BYTES_LABEL_CHANGED"},
    ),
    case(
        "message becomes repeated",
        "message A { B a = 1; }\nmessage B {}",
        "message A { repeated B a = 1; }\nmessage B {}",
    ),
    case(
        "proto2 optional double becomes repeated",
        proto2("message A { optional double a = 1; }"),
        proto2("message A { repeated double a = 1; }"),
        changes={"FIELD_NUMERIC_LABEL_CHANGED"},
        backward={"FIELD_NUMERIC_LABEL_CHANGED"},
        forward={"FIELD_NUMERIC_LABEL_CHANGED"},
        buf=True,
    ),
    case(
        "proto2 optional bytes becomes repeated",
        proto2("message A { optional bytes a = 1; }"),
        proto2("message A { repeated bytes a = 1; }"),
        changes={"FIELD_STRING_OR_BYTES_LABEL_CHANGED"},
    ),
    # -- required fields (proto2) --------------------------------------------------------
    case(
        "required field added",
        proto2("message A { optional int32 a = 1; }"),
        proto2("message A { optional int32 a = 1; required string b = 2; }"),
        changes={"REQUIRED_FIELD_ADDED"},
        backward={"REQUIRED_FIELD_ADDED"},
        forward={"REQUIRED_FIELD_REMOVED"},
        buf=True,
        paths=("/A/2",),
    ),
    case(
        "required field removed",
        proto2("message A { optional int32 a = 1; required string b = 2; }"),
        proto2("message A { optional int32 a = 1; reserved 2; }"),
        changes={"REQUIRED_FIELD_REMOVED"},
        backward={"REQUIRED_FIELD_REMOVED"},
        forward={"REQUIRED_FIELD_ADDED"},
        buf=True,
    ),
    case(
        "optional string becomes required",
        proto2("message A { optional string a = 1; }"),
        proto2("message A { required string a = 1; }"),
        changes={"REQUIRED_FIELD_ADDED"},
        backward={"REQUIRED_FIELD_ADDED"},
        forward={"REQUIRED_FIELD_REMOVED"},
        buf=True,
    ),
    case(
        "proto2 default changed",
        proto2("message A { optional int32 a = 1 [default = 1]; }"),
        proto2("message A { optional int32 a = 1 [default = 2]; }"),
    ),
    case(
        "group becomes a message",
        proto2("message A { optional group G = 1 { optional int32 x = 2; } }"),
        proto2("message A { optional G g = 1; message G { optional int32 x = 2; } }"),
        changes={"FIELD_KIND_CHANGED"},
        backward={"FIELD_KIND_CHANGED"},
        forward={"FIELD_KIND_CHANGED"},
        buf=True,
    ),
    # -- messages and the package --------------------------------------------------------
    case(
        "message added",
        "message A { int32 a = 1; }",
        "message A { int32 a = 1; }\nmessage B { int32 b = 1; }",
        changes={"MESSAGE_ADDED"},
        forward={"MESSAGE_REMOVED"},
        buf=True,
        paths=("/B",),
    ),
    case(
        "message removed",
        "message A { int32 a = 1; }\nmessage B { int32 b = 1; }",
        "message A { int32 a = 1; }",
        changes={"MESSAGE_REMOVED"},
        backward={"MESSAGE_REMOVED"},
        paths=("/B",),
    ),
    case(
        "messages reordered",
        "message A { int32 a = 1; }\nmessage B { int32 b = 1; }",
        "message B { int32 b = 1; }\nmessage A { int32 a = 1; }",
        changes={"MESSAGE_MOVED"},
        buf=True,
    ),
    case(
        "nested message added",
        "message A { int32 a = 1; }",
        "message A { int32 a = 1; message In { int32 x = 1; } }",
        changes={"MESSAGE_ADDED"},
        forward={"MESSAGE_REMOVED"},
        buf=True,
        paths=("/A/In",),
    ),
    case(
        "nested message removed",
        "message A { int32 a = 1; message In { int32 x = 1; } }",
        "message A { int32 a = 1; }",
        changes={"MESSAGE_REMOVED"},
        backward={"MESSAGE_REMOVED"},
        paths=("/A/In",),
    ),
    case(
        "nested message field changed",
        "message A { message In { int32 x = 1; } }",
        "message A { message In { float x = 1; } }",
        changes={"FIELD_SCALAR_KIND_CHANGED"},
        backward={"FIELD_SCALAR_KIND_CHANGED"},
        forward={"FIELD_SCALAR_KIND_CHANGED"},
        buf=True,
        paths=("/A/In/1",),
    ),
    case(
        "package changed",
        'syntax = "proto3";\npackage t.v1;\nmessage A { int32 a = 1; }',
        'syntax = "proto3";\npackage t.v2;\nmessage A { int32 a = 1; }',
        changes={"PACKAGE_CHANGED"},
        backward={"PACKAGE_CHANGED"},
        forward={"PACKAGE_CHANGED"},
        buf=True,
        paths=("",),
    ),
    case(
        "package added",
        'syntax = "proto3";\nmessage A { int32 a = 1; }',
        'syntax = "proto3";\npackage t;\nmessage A { int32 a = 1; }',
        changes={"PACKAGE_CHANGED"},
        backward={"PACKAGE_CHANGED"},
        forward={"PACKAGE_CHANGED"},
        buf=True,
    ),
    case(
        "package changed, fields of own types",
        'syntax = "proto3";\npackage a;\nmessage A { B b = 1; }\nmessage B {}',
        'syntax = "proto3";\npackage b;\nmessage A { B b = 1; }\nmessage B {}',
        changes={"PACKAGE_CHANGED"},
        backward={"PACKAGE_CHANGED"},
        forward={"PACKAGE_CHANGED"},
        buf=True,
    ),
    # -- enums ---------------------------------------------------------------------------
    case(
        "enum added",
        "message A { int32 a = 1; }",
        "message A { int32 a = 1; }\nenum E { Z = 0; }",
        changes={"ENUM_ADDED"},
        buf=True,
    ),
    case(
        "enum removed",
        "message A { int32 a = 1; }\nenum E { Z = 0; }",
        "message A { int32 a = 1; }",
        changes={"ENUM_REMOVED"},
        paths=("/E",),
        buf=True,
    ),
    case(
        "enum value added",
        "message A { E e = 1; }\nenum E { Z = 0; }",
        "message A { E e = 1; }\nenum E { Z = 0; ONE = 1; }",
        changes={"ENUM_CONST_ADDED"},
        buf=True,
        paths=("/E/1",),
    ),
    case(
        "enum value removed, number reserved",
        "message A { E e = 1; }\nenum E { Z = 0; ONE = 1; }",
        "message A { E e = 1; }\nenum E { Z = 0; reserved 1; }",
        changes={"ENUM_CONST_REMOVED"},
        buf=True,
    ),
    case(
        "enum value renamed",
        "message A { E e = 1; }\nenum E { Z = 0; ONE = 1; }",
        "message A { E e = 1; }\nenum E { Z = 0; UNO = 1; }",
        changes={"ENUM_CONST_CHANGED"},
        buf=True,
        paths=("/E/1",),
    ),
    case(
        "nested enum value added",
        "message A { enum K { Z = 0; } K k = 1; }",
        "message A { enum K { Z = 0; X = 7; } K k = 1; }",
        changes={"ENUM_CONST_ADDED"},
        paths=("/A/K/7",),
        buf=True,
    ),
    # -- oneofs --------------------------------------------------------------------------
    case(
        "oneof added with new fields",
        "message A { int32 a = 1; }",
        "message A { int32 a = 1; oneof o { string b = 2; int32 c = 3; } }",
        changes={"ONEOF_ADDED"},
        buf=True,
        paths=("/A/o",),
    ),
    case(
        "oneof removed with its fields",
        "message A { int32 a = 1; oneof o { string b = 2; } }",
        "message A { int32 a = 1; }",
        changes={"ONEOF_REMOVED"},
    ),
    case(
        "oneof field added",
        "message A { oneof o { string b = 2; } }",
        "message A { oneof o { string b = 2; int32 c = 3; } }",
        changes={"ONEOF_FIELD_ADDED"},
        forward={"ONEOF_FIELD_REMOVED"},
        buf=True,
        paths=("/A/o/3",),
    ),
    case(
        "oneof field removed",
        "message A { oneof o { string b = 2; int32 c = 3; } }",
        "message A { oneof o { string b = 2; } }",
        changes={"ONEOF_FIELD_REMOVED"},
        backward={"ONEOF_FIELD_REMOVED"},
        buf=True,
        paths=("/A/o/3",),
    ),
    case(
        "oneof field type changed",
        "message A { oneof o { string b = 2; int32 c = 3; } }",
        "message A { oneof o { string b = 2; fixed32 c = 3; } }",
        changes={"FIELD_SCALAR_KIND_CHANGED"},
        backward={"FIELD_SCALAR_KIND_CHANGED"},
        forward={"FIELD_SCALAR_KIND_CHANGED"},
        buf=True,
        paths=("/A/o/3",),
    ),
    case(
        "one field moved into a new oneof",
        "message A { int32 a = 1; string b = 2; }",
        "message A { oneof o { int32 a = 1; } string b = 2; }",
        changes={"ONEOF_ADDED"},
    ),
    case(
        "two fields moved into a new oneof",
        "message A { int32 a = 1; string b = 2; }",
        "message A { oneof o { int32 a = 1; string b = 2; } }",
        changes={"ONEOF_ADDED", "MULTIPLE_FIELDS_MOVED_TO_ONEOF"},
        backward={"MULTIPLE_FIELDS_MOVED_TO_ONEOF"},
        buf=True,
        paths=("/A/o", "/A/o"),
    ),
    case(
        "field moved into an existing oneof",
        "message A { int32 a = 1; oneof o { string b = 2; } }",
        "message A { oneof o { string b = 2; int32 a = 1; } }",
        changes={"FIELD_MOVED_TO_EXISTING_ONEOF", "ONEOF_FIELD_ADDED"},
        backward={"FIELD_MOVED_TO_EXISTING_ONEOF"},
        buf=True,
        paths=("/A/o", "/A/o/1"),
    ),
    case(
        "field moved out of a oneof",
        "message A { oneof o { int32 a = 1; string b = 2; } }",
        "message A { int32 a = 1; oneof o { string b = 2; } }",
        changes={"FIELD_ADDED"},
        forward={"FIELD_MOVED_TO_EXISTING_ONEOF"},
    ),
    case(
        "oneof renamed",
        "message A { oneof o { int32 a = 1; } }",
        "message A { oneof p { int32 a = 1; } }",
        changes={"ONEOF_REMOVED", "ONEOF_ADDED"},
    ),
    case(
        "oneof renamed and its field retyped",
        "message A { oneof o { int32 a = 1; } }",
        "message A { oneof p { string a = 1; } }",
        changes={"ONEOF_REMOVED", "ONEOF_ADDED", "FIELD_SCALAR_KIND_CHANGED"},
        backward={"FIELD_SCALAR_KIND_CHANGED"},
        forward={"FIELD_SCALAR_KIND_CHANGED"},
        paths=("/A/o", "/A/p", "/A/1"),
    ),
    case(
        "field moved into a oneof and retyped",
        "message A { int32 a = 1; }",
        "message A { oneof o { double a = 1; } }",
        changes={"ONEOF_ADDED", "FIELD_SCALAR_KIND_CHANGED"},
        backward={"FIELD_SCALAR_KIND_CHANGED"},
        forward={"FIELD_SCALAR_KIND_CHANGED"},
    ),
    # -- several changes at once ---------------------------------------------------------
    case(
        "several changes",
        "message A { int32 a = 1; string b = 2; E e = 3; }\nenum E { Z = 0; }\nmessage Gone {}",
        "message A { int64 a = 1; bytes bee = 2; E e = 3; repeated int32 d = 4; }\nenum E { Z = 0; ONE = 1; }",
        changes={"FIELD_NAME_CHANGED", "FIELD_ADDED", "MESSAGE_REMOVED", "ENUM_CONST_ADDED"},
        backward={"MESSAGE_REMOVED"},
    ),
]

assert len(CASES) >= 55, len(CASES)
assert len({row.id for row in CASES}) == len(CASES), "row ids must be unique"


def compiled(text: str) -> ProtobufDocument:
    return HANDLER.load(_text(text))


def types_of(old: ProtobufDocument, new: ProtobufDocument) -> set[str]:
    return {violation.type for violation in RULES.backward_violations(old, new, STRICT)}


@pytest.mark.parametrize("row", CASES, ids=[row.id for row in CASES])
def test_backward(row: Case) -> None:
    assert types_of(compiled(row.old), compiled(row.new)) == row.backward


@pytest.mark.parametrize("row", CASES, ids=[row.id for row in CASES])
def test_forward(row: Case) -> None:
    assert types_of(compiled(row.new), compiled(row.old)) == row.forward


@pytest.mark.parametrize("row", CASES, ids=[row.id for row in CASES])
def test_change_types(row: Case) -> None:
    differences = schema_differences(compiled(row.old), compiled(row.new))
    assert {difference.type for difference in differences} == row.changes
    if row.paths:
        assert sorted(difference.path for difference in differences) == sorted(row.paths)
    assert all(difference.message for difference in differences)


@pytest.mark.parametrize("row", CASES, ids=[row.id for row in CASES])
def test_modes_through_the_checker(row: Case) -> None:
    old, new = compiled(row.old), compiled(row.new)
    for mode, expected in [
        (CompatibilityMode.BACKWARD, row.backward),
        (CompatibilityMode.FORWARD, row.forward),
        (CompatibilityMode.FULL, row.backward | row.forward),
        (CompatibilityMode.NONE, frozenset()),
    ]:
        found = {violation.type for violation in pair_violations(RULES, new, old, mode, STRICT)}
        assert found == expected, mode


def test_the_change_type_sets_are_confluents() -> None:
    assert len(COMPATIBLE_CHANGES) == 14
    assert not COMPATIBLE_CHANGES & INCOMPATIBLE_CHANGES
    seen = {change for row in CASES for change in row.changes}
    assert seen == COMPATIBLE_CHANGES | INCOMPATIBLE_CHANGES, "every change type has a row"


def test_the_registry_finds_the_rules_apart_from_the_format_handler() -> None:
    rules = default_compatibility().get(SchemaFormat.PROTOBUF)
    assert isinstance(rules, ProtobufCompatibility)
    assert rules.format is SchemaFormat.PROTOBUF
    assert not hasattr(HANDLER, "backward_violations")


def test_the_policy_does_not_matter() -> None:
    old = compiled("message A { int32 a = 1; }\nmessage B {}")
    new = compiled("message A { string a = 1; }")
    assert RULES.backward_violations(old, new, CompatibilityPolicy.STRICT) == RULES.backward_violations(
        old, new, CompatibilityPolicy.LENIENT
    )


def test_violations_read_well() -> None:
    old = compiled("message Order { int32 qty = 3; }")
    new = compiled("message Order { string qty = 3; }")
    (violation,) = RULES.backward_violations(old, new, STRICT)
    assert violation.to_dict() == {
        "type": "FIELD_SCALAR_KIND_CHANGED",
        "path": "/Order/3",
        "message": "field 3 (qty) of Order changed from int32 to string, which do not share an encoding",
    }


def test_long_reference_chains_are_refused_not_crashed() -> None:
    def chain(last_type: str) -> str:
        links = "\n".join(f"message M{index} {{ M{index + 1} next = 1; }}" for index in range(300))
        return f"{links}\nmessage M300 {{ {last_type} v = 1; }}"

    old, new = compiled(chain("int32")), compiled(chain("string"))
    with pytest.raises(SchemaTooLarge):
        RULES.backward_violations(old, new, STRICT)


def test_a_schema_is_compatible_with_itself() -> None:
    text = """syntax = "proto3";
package big;
import "google/protobuf/any.proto";
message Root { repeated Item items = 1; map<string, Item> by_id = 2; oneof o { Item one = 3; string none = 4; }
  google.protobuf.Any extra = 5; message Item { Root parent = 1; Kind kind = 2; } enum Kind { K = 0; } }
"""
    document = compiled(text)
    assert schema_differences(document, document) == []


# --------------------------------------------------------------------------------------
# Cross-check with buf breaking (WIRE)
# --------------------------------------------------------------------------------------

BUF_ROWS = [row for row in CASES if row.buf]
BUF_CONFIG = "version: v2\nbreaking:\n  use:\n    - WIRE\n"


def _buf_binary() -> str | None:
    beside_python = os.path.join(os.path.dirname(sys.executable), "buf")
    return beside_python if os.access(beside_python, os.X_OK) else shutil.which("buf")


def _buf_breaks(buf: str, row: Case, cache_dir: str) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory(prefix="buf-pair-") as work_dir:
        for side, text in (("old", row.old), ("new", row.new)):
            os.makedirs(os.path.join(work_dir, side))
            with open(os.path.join(work_dir, side, "buf.yaml"), "w") as config:
                config.write(BUF_CONFIG)
            with open(os.path.join(work_dir, side, "schema.proto"), "w") as source:
                source.write(text)
        completed = subprocess.run(
            [buf, "breaking", "new", "--against", "old", "--error-format", "json"],
            cwd=work_dir,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "BUF_CACHE_DIR": cache_dir},
            check=False,
        )
    if completed.returncode not in (0, 100):
        raise AssertionError(f"buf failed on {row.id!r}: {completed.stderr or completed.stdout}")
    return completed.returncode == 100, completed.stdout


@pytest.fixture(scope="module")
def buf_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bool, str]]:
    buf = _buf_binary()
    if buf is None:
        pytest.fail("buf is missing: install requirements-test.txt (buf-bin)")
    cache_dir = str(tmp_path_factory.mktemp("buf-cache"))
    # One buf run per pair, two at a time (the machine has two cores).
    with ThreadPoolExecutor(max_workers=2) as pool:
        verdicts = list(pool.map(lambda row: _buf_breaks(buf, row, cache_dir), BUF_ROWS))
    return {row.id: verdict for row, verdict in zip(BUF_ROWS, verdicts, strict=True)}


def test_the_buf_subset_covers_both_verdicts() -> None:
    assert len(BUF_ROWS) >= 30
    assert any(row.backward for row in BUF_ROWS) and any(not row.backward for row in BUF_ROWS)


@pytest.mark.slow  # one `buf breaking` run per row: 4 s to 12 s for the module's fixture
@pytest.mark.xdist_group("buf")  # so that one xdist worker runs buf, not each one
@pytest.mark.parametrize("row", BUF_ROWS, ids=[row.id for row in BUF_ROWS])
def test_buf_wire_rules_agree(row: Case, buf_verdicts: dict[str, tuple[bool, str]]) -> None:
    breaks, report = buf_verdicts[row.id]
    assert breaks == bool(row.backward), report
