"""Avro as a registry format: checking schemas, their normalised text, validating documents.

Pure domain code (no HTTP, no SQL). ``AvroHandler`` implements the ``FormatHandler``
protocol of ``registry.domain.formats.handlers``; its documents are ``AvroSchema``s (the
schema's JSON plus its resolved type graph).

Decisions worth knowing:

* Checking (``parse``): our own walk enforces the Avro 1.12 specification and reports
  every problem with a JSON pointer (names and namespaces, name definition before use,
  no redefinition, primitive names not definable, union rules, field names and orders,
  enum symbols and defaults, fixed sizes, doc/aliases types, and every field default
  against its type: a union default may match any branch, as Avro 1.12 allows). Then the
  reference implementation, ``avro.schema.parse``, must accept the schema too (its
  complaints come with location ""), so a registered schema also loads in that library.
  Stricter than the spec on purpose: ``{"type": "SomeNamedType"}`` (use the bare name) and
  ``"error"`` types (protocol-only) are refused, as ``avro.schema`` refuses them. Per the
  spec, invalid logical types are accepted and mean their underlying type.
* Names are resolved as the specification says: a dotless reference is looked up in the
  enclosing namespace only (no fallback to the null namespace, unlike Java).
* References (Confluent's): the schemas given as dependencies are walked first, in order,
  each from the null namespace, so their named types are defined before the schema uses
  them by name (full name, or short name within the enclosing namespace). They become
  nodes of the schema's type graph; a type defined twice (also across dependencies) is
  refused. Locations inside a dependency read ``<dependency name>#<JSON pointer>``. The
  normalised text, and so ``content_hash``, is the schema's own.
* Identity: ``content_hash`` is the sha256 of ``normalised_text``: sorted keys, no
  whitespace, full names, short spellings of types (equal for the spellings Confluent's
  normalisation merges), *not* the Parsing Canonical Form, which drops doc, aliases and
  defaults and would merge versions that differ in them.
* Annotations (``only_annotations_differ``): only ``doc`` attributes, plus the spelling
  ``{"type": "int"}`` for ``"int"``. Aliases change how data is resolved and other
  attributes may drive code generation, so neither is an annotation.
* Validation (``compile_validator``): documents are JSON. Encoding ``"json"`` (default)
  takes union values bare (``{"age": 5}``); ``"avro-json"`` is Avro's JSON encoding,
  where a non-null union value is wrapped in an object naming its branch
  (``{"age": {"int": 5}}``; named types by full name). In both, bytes and fixed are strings
  of code points U+0000..U+00FF (one per byte), fields the document does not carry must
  have a default, and fields the schema does not declare are ignored, as an Avro reader
  ignores them (rejecting them would break documents of newer, compatible versions).
  Logical types are validated as their underlying type. Issue keywords: ``type``,
  ``range``, ``bytes``, ``fixed-size``, ``enum``, ``required``, ``union``, ``nesting``.
  ``schema_path`` is the JSON pointer of the schema node, at a named type's definition.
"""

from __future__ import annotations

import hashlib
import math
import re
import reprlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import avro.errors
import avro.name
import avro.schema
import orjson

from registry.domain.errors import InvalidRequest, InvalidSchema, SchemaTooLarge
from registry.domain.formats.base import Dependency, ParsedSchema, distinct_dependencies
from registry.domain.model import (
    NO_VALIDATION_OPTIONS,
    SchemaFormat,
    SchemaProblem,
    ValidationIssue,
    ValidationOptions,
)
from registry.domain.pointers import escape_token

__all__ = [
    "AvroHandler",
    "AvroJsonEncoding",
    "AvroSchema",
    "AvroType",
    "AvroValidator",
    "Limits",
    "PRIMITIVE_TYPES",
    "normalised_text",
]

# Our own walk checks logical types the way the specification says (invalid ones are
# ignored, not errors); the library's warnings about the same would only be log noise.
warnings.filterwarnings("ignore", category=avro.errors.IgnoredLogicalType)


@dataclass(frozen=True, slots=True)
class Limits:
    # A nested record costs three JSON levels (type object, fields array, field object),
    # so this allows about 40 levels of nested records.
    max_depth: int = 128
    max_nodes: int = 100_000  # total JSON values in the schema


class AvroJsonEncoding(StrEnum):
    JSON = "json"  # plain JSON: union values bare
    AVRO_JSON = "avro-json"  # Avro's JSON encoding: non-null union values wrapped


PRIMITIVE_TYPES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
_DEFINABLE_TYPES = ("record", "enum", "fixed", "array", "map")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIELD_ORDERS = ("ascending", "descending", "ignore")

_INT_RANGE = (-(2**31), 2**31 - 1)
_LONG_RANGE = (-(2**63), 2**63 - 1)
_FLOAT_MAX = 3.4028234663852886e38
_DOUBLE_MAX = 1.7976931348623157e308
# orjson (used for the normalised text) only serialises integers in this range.
_JSON_INT_RANGE = (-(2**63), 2**64 - 1)

_MAX_SCHEMA_PROBLEMS = 100
_MAX_MESSAGE_LENGTH = 500
# Past this many cached documents, or this much cached schema text, the least recently
# loaded one is dropped.
_LOAD_CACHE_ENTRIES = 256
_LOAD_CACHE_CHARACTERS = 32 * 1024 * 1024

# --------------------------------------------------------------------------------------
# The type graph
# --------------------------------------------------------------------------------------


class AvroType:
    """One node of a schema's type graph. A named type is one node shared by all its
    references, so the graph of a recursive schema has cycles. ``pointer`` is the JSON
    pointer of the node's definition in the schema. Never modified once built."""

    __slots__ = ("kind", "pointer")

    def __init__(self, kind: str, pointer: str) -> None:
        self.kind = kind
        self.pointer = pointer

    def describe(self) -> str:
        return self.kind


class PrimitiveType(AvroType):
    __slots__ = ("logical_type",)

    def __init__(self, kind: str, pointer: str, logical_type: str | None = None) -> None:
        super().__init__(kind, pointer)
        self.logical_type = logical_type

    def describe(self) -> str:
        return f"{self.kind} ({self.logical_type})" if self.logical_type else self.kind


class NamedType(AvroType):
    __slots__ = ("fullname", "name", "aliases")

    def __init__(self, kind: str, pointer: str, fullname: str, aliases: frozenset[str]) -> None:
        super().__init__(kind, pointer)
        self.fullname = fullname
        self.name = fullname.rpartition(".")[2]
        self.aliases = aliases  # full names

    def describe(self) -> str:
        return f"{self.kind} {self.fullname!r}"


class RecordField:
    __slots__ = ("name", "aliases", "type", "has_default", "default", "pointer")

    def __init__(
        self, name: str, aliases: tuple[str, ...], type_: AvroType, has_default: bool, default: Any, pointer: str
    ) -> None:
        self.name = name
        self.aliases = aliases
        self.type = type_
        self.has_default = has_default
        self.default = default
        self.pointer = pointer


class RecordType(NamedType):
    __slots__ = ("fields", "fields_by_name")

    def __init__(self, pointer: str, fullname: str, aliases: frozenset[str]) -> None:
        super().__init__("record", pointer, fullname, aliases)
        # Filled in right after the fields are built (they may refer to the record itself).
        self.fields: tuple[RecordField, ...] = ()
        self.fields_by_name: dict[str, RecordField] = {}


class EnumType(NamedType):
    __slots__ = ("symbols", "symbol_set", "default")

    def __init__(
        self, pointer: str, fullname: str, aliases: frozenset[str], symbols: tuple[str, ...], default: str | None
    ) -> None:
        super().__init__("enum", pointer, fullname, aliases)
        self.symbols = symbols
        self.symbol_set = frozenset(symbols)
        self.default = default


class FixedType(NamedType):
    __slots__ = ("size",)

    def __init__(self, pointer: str, fullname: str, aliases: frozenset[str], size: int) -> None:
        super().__init__("fixed", pointer, fullname, aliases)
        self.size = size


class ArrayType(AvroType):
    __slots__ = ("items",)

    def __init__(self, pointer: str, items: AvroType) -> None:
        super().__init__("array", pointer)
        self.items = items


class MapType(AvroType):
    __slots__ = ("values",)

    def __init__(self, pointer: str, values: AvroType) -> None:
        super().__init__("map", pointer)
        self.values = values


class UnionType(AvroType):
    __slots__ = ("branches", "branches_by_label")

    def __init__(self, pointer: str, branches: tuple[AvroType, ...]) -> None:
        super().__init__("union", pointer)
        self.branches = branches
        # Avro's JSON encoding labels a union value with its branch's type name.
        self.branches_by_label = {_branch_label(branch): branch for branch in branches}

    def describe(self) -> str:
        return "union [" + ", ".join(_branch_label(branch) for branch in self.branches) + "]"


class _InvalidType(AvroType):
    """Stands in for a schema position that has problems; never leaves this module."""

    __slots__ = ()

    def __init__(self, pointer: str) -> None:
        super().__init__("invalid", pointer)


def _branch_label(node: AvroType) -> str:
    return node.fullname if isinstance(node, NamedType) else node.kind


@dataclass(frozen=True, slots=True, eq=False)
class AvroSchema:
    """A checked Avro schema: its JSON (as registered) and its resolved type graph, which
    includes the named types of the schemas it references. Immutable, so one instance is
    shared by every caller."""

    schema_json: Any
    root: AvroType
    dependencies: tuple[tuple[str, Any], ...] = ()  # (name, JSON) of the referenced schemas, as given


# --------------------------------------------------------------------------------------
# Checking a schema and building its graph
# --------------------------------------------------------------------------------------


def _article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


def _where(pointer: str) -> str:
    return pointer or "the root"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _check_size_and_values(document: object, limits: Limits, root_pointer: str = "") -> None:
    """Refuse oversized schemas before any recursive walk, and values JSON cannot carry."""
    stack: list[tuple[object, int, str]] = [(document, 1, root_pointer)]
    count = 0
    while stack:
        value, depth, pointer = stack.pop()
        count += 1
        if count > limits.max_nodes:
            message = f"the schema has more than {limits.max_nodes} JSON values"
            raise SchemaTooLarge(message, problems=[SchemaProblem(location="", message=message)])
        if depth > limits.max_depth:
            message = f"the schema is nested more than {limits.max_depth} levels deep"
            raise SchemaTooLarge(message, problems=[SchemaProblem(location=pointer, message=message)])
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    _raise_invalid(pointer, f"object keys must be strings, not {_json_type(key)}")
                stack.append((item, depth + 1, f"{pointer}/{escape_token(key)}"))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, f"{pointer}/{index}") for index, item in enumerate(value))
        elif isinstance(value, bool) or value is None or isinstance(value, str):
            continue
        elif isinstance(value, int):
            if not _JSON_INT_RANGE[0] <= value <= _JSON_INT_RANGE[1]:
                _raise_invalid(pointer, "integer out of the range JSON numbers are kept in (64 bits)")
        elif isinstance(value, float):
            if not math.isfinite(value):
                _raise_invalid(pointer, f"{value} is not a JSON number")
        else:
            _raise_invalid(pointer, f"a {type(value).__name__} is not JSON data")


def _raise_invalid(location: str, message: str) -> None:
    raise InvalidSchema(f"schema is not a valid Avro schema: {message}", problems=[SchemaProblem(location, message)])


class _GraphBuilder:
    """Walks a schema's JSON once, checking it against the specification and building
    its graph. Problems are collected (with JSON pointers), not raised, so one response
    lists them all."""

    def __init__(self, *, with_dependencies: bool = False) -> None:
        self.named: dict[str, NamedType] = {}
        self.problems: list[SchemaProblem] = []
        self.fields_with_defaults: list[RecordField] = []
        self.with_dependencies = with_dependencies

    def problem(self, location: str, message: str) -> None:
        if len(self.problems) < _MAX_SCHEMA_PROBLEMS:
            self.problems.append(SchemaProblem(location=location, message=message))

    def build(self, schema: object, pointer: str, namespace: str) -> AvroType:
        if isinstance(schema, str):
            return self._reference(schema, pointer, namespace)
        if isinstance(schema, list):
            return self._union(schema, pointer, namespace)
        if isinstance(schema, dict):
            return self._object(schema, pointer, namespace)
        self.problem(pointer, f"a schema is a type name, an object or an array (a union), not {_json_type(schema)}")
        return _InvalidType(pointer)

    def _reference(self, name: str, pointer: str, namespace: str) -> AvroType:
        if name in PRIMITIVE_TYPES:
            return PrimitiveType(name, pointer)
        if name in _DEFINABLE_TYPES:
            self.problem(pointer, f'{_article(name)} {name} is written as an object: {{"type": "{name}", ...}}')
            return _InvalidType(pointer)
        fullname = _qualify(name, namespace)
        node = self.named.get(fullname)
        if node is None:
            looked_up = f" (looked up as {fullname!r})" if fullname != name else ""
            where = " or by a referenced schema" if self.with_dependencies else ""
            self.problem(
                pointer,
                f"unknown type {name!r}{looked_up}: not a primitive type, nor a named type defined before this "
                f"point{where}",
            )
            return _InvalidType(pointer)
        return node

    def _union(self, branches: list[Any], pointer: str, namespace: str) -> AvroType:
        nodes: list[AvroType] = []
        first_at: dict[str, str] = {}
        for index, branch in enumerate(branches):
            at = f"{pointer}/{index}"
            if isinstance(branch, list):
                self.problem(at, "a union may not directly contain another union")
                continue
            node = self.build(branch, at, namespace)
            if isinstance(node, _InvalidType):
                continue
            label = _branch_label(node)
            if label in first_at:
                what = (
                    f"the named type {label!r}" if isinstance(node, NamedType) else f"{_article(label)} {label} branch"
                )
                self.problem(
                    at, f"the union already has {what} (at {_where(first_at[label])}); each type may appear once"
                )
                continue
            first_at[label] = at
            nodes.append(node)
        return UnionType(pointer, tuple(nodes))

    def _object(self, schema: dict[str, Any], pointer: str, namespace: str) -> AvroType:
        if "type" not in schema:
            self.problem(pointer, 'a schema object needs a "type" attribute')
            return _InvalidType(pointer)
        type_name = schema["type"]
        at = f"{pointer}/type"
        if not isinstance(type_name, str):
            self.problem(
                at,
                '"type" must be a type name; a union or a nested schema is written directly where a type '
                'is expected, not wrapped in {"type": ...}',
            )
            return _InvalidType(pointer)
        if type_name in PRIMITIVE_TYPES:
            self._check_doc(schema, pointer)
            logical_type = schema.get("logicalType")
            return PrimitiveType(type_name, pointer, logical_type if isinstance(logical_type, str) else None)
        if type_name == "record":
            return self._record(schema, pointer, namespace)
        if type_name == "enum":
            return self._enum(schema, pointer, namespace)
        if type_name == "fixed":
            return self._fixed(schema, pointer, namespace)
        if type_name == "array":
            return self._container(schema, pointer, namespace, "items")
        if type_name == "map":
            return self._container(schema, pointer, namespace, "values")
        if type_name == "error":
            self.problem(at, '"error" types are only valid inside an Avro protocol; use "record"')
        elif _qualify(type_name, namespace) in self.named:
            self.problem(
                at,
                f'{type_name!r} is a named type: refer to it by its name alone, not as {{"type": "{type_name}"}}',
            )
        else:
            self.problem(
                at, f"unknown type {type_name!r}: expected a primitive type or one of {', '.join(_DEFINABLE_TYPES)}"
            )
        return _InvalidType(pointer)

    def _check_doc(self, schema: dict[str, Any], pointer: str) -> None:
        if "doc" in schema and not isinstance(schema["doc"], str):
            self.problem(f"{pointer}/doc", '"doc" must be a string')

    def _define(self, schema: dict[str, Any], pointer: str, namespace: str, kind: str) -> tuple[str, frozenset[str]]:
        """The full name and aliases of a named type, checked; registers nothing."""
        name = schema.get("name")
        if not isinstance(name, str) or not name:
            location = f"{pointer}/name" if "name" in schema else pointer
            self.problem(location, f"{_article(kind)} {kind} needs a name (a non-empty string)")
            return "", frozenset()
        space_attribute = schema.get("namespace")
        if space_attribute is not None and not isinstance(space_attribute, str):
            self.problem(f"{pointer}/namespace", '"namespace" must be a string')
            space_attribute = None
        if "." in name:
            fullname = name  # a dotted name is a full name; any "namespace" is ignored
        else:
            space = namespace if space_attribute is None else space_attribute
            if space_attribute and not all(_NAME.fullmatch(part) for part in space_attribute.split(".")):
                self.problem(f"{pointer}/namespace", f"{space_attribute!r} is not a valid namespace: {_NAME_RULE}")
                space = ""
            fullname = _qualify(name, space)
        if not all(_NAME.fullmatch(part) for part in name.split(".")):
            self.problem(f"{pointer}/name", f"{name!r} is not a valid name: {_NAME_RULE}")
        simple_name = fullname.rpartition(".")[2]
        if simple_name in PRIMITIVE_TYPES:
            self.problem(
                f"{pointer}/name", f"{simple_name!r} is a primitive type name and cannot name {_article(kind)} {kind}"
            )
        if fullname in self.named:
            self.problem(
                f"{pointer}/name",
                f"the named type {fullname!r} is already defined (at {_where(self.named[fullname].pointer)})",
            )
        self._check_doc(schema, pointer)
        own_space = fullname.rpartition(".")[0]
        return fullname, self._type_aliases(schema, pointer, own_space)

    def _type_aliases(self, schema: dict[str, Any], pointer: str, space: str) -> frozenset[str]:
        if "aliases" not in schema:
            return frozenset()
        aliases = schema["aliases"]
        if not isinstance(aliases, list):
            self.problem(f"{pointer}/aliases", '"aliases" must be an array of names')
            return frozenset()
        full_names = set()
        for index, alias in enumerate(aliases):
            if not isinstance(alias, str) or not all(_NAME.fullmatch(part) for part in alias.split(".")):
                self.problem(f"{pointer}/aliases/{index}", f"{alias!r} is not a valid name: {_NAME_RULE}")
                continue
            # A dotless alias is relative to the namespace of the type it names.
            full_names.add(_qualify(alias, space))
        return frozenset(full_names)

    def _register(self, node: NamedType) -> None:
        if node.fullname and node.fullname not in self.named:
            self.named[node.fullname] = node

    def _record(self, schema: dict[str, Any], pointer: str, namespace: str) -> AvroType:
        fullname, aliases = self._define(schema, pointer, namespace, "record")
        record = RecordType(pointer, fullname, aliases)
        self._register(record)  # before the fields, which may refer to the record
        fields_json = schema.get("fields")
        if not isinstance(fields_json, list):
            self.problem(
                f"{pointer}/fields" if "fields" in schema else pointer,
                'a record needs "fields": an array of field objects (it may be empty)',
            )
            return record
        space = fullname.rpartition(".")[0]
        fields: list[RecordField] = []
        first_at: dict[str, str] = {}
        for index, field_json in enumerate(fields_json):
            field = self._field(field_json, f"{pointer}/fields/{index}", space, first_at)
            if field is not None:
                fields.append(field)
        record.fields = tuple(fields)
        record.fields_by_name = {field.name: field for field in fields}
        return record

    def _field(self, field: object, pointer: str, space: str, first_at: dict[str, str]) -> RecordField | None:
        if not isinstance(field, dict):
            self.problem(pointer, "a field is an object with a name and a type")
            return None
        name = field.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            self.problem(f"{pointer}/name" if "name" in field else pointer, f"a field needs a valid name: {_NAME_RULE}")
            name = None
        elif name in first_at:
            self.problem(f"{pointer}/name", f"duplicate field name {name!r} (also at {first_at[name]})")
        else:
            first_at[name] = pointer
        self._check_doc(field, pointer)
        if "order" in field and field["order"] not in _FIELD_ORDERS:
            self.problem(f"{pointer}/order", f'"order" must be one of {", ".join(_FIELD_ORDERS)}')
        aliases = self._field_aliases(field, pointer)
        if "type" not in field:
            self.problem(pointer, 'a field needs a "type"')
            return None
        field_type = self.build(field["type"], f"{pointer}/type", space)
        if name is None:
            return None
        built = RecordField(name, aliases, field_type, "default" in field, field.get("default"), pointer)
        if built.has_default:
            self.fields_with_defaults.append(built)
        return built

    def _field_aliases(self, field: dict[str, Any], pointer: str) -> tuple[str, ...]:
        if "aliases" not in field:
            return ()
        aliases = field["aliases"]
        if not isinstance(aliases, list):
            self.problem(f"{pointer}/aliases", '"aliases" must be an array of field names')
            return ()
        valid = []
        for index, alias in enumerate(aliases):
            if isinstance(alias, str) and _NAME.fullmatch(alias):
                valid.append(alias)
            else:
                self.problem(f"{pointer}/aliases/{index}", f"{alias!r} is not a valid field name: {_NAME_RULE}")
        return tuple(valid)

    def _enum(self, schema: dict[str, Any], pointer: str, namespace: str) -> AvroType:
        fullname, aliases = self._define(schema, pointer, namespace, "enum")
        symbols_json = schema.get("symbols")
        symbols: list[str] = []
        if not isinstance(symbols_json, list):
            self.problem(
                f"{pointer}/symbols" if "symbols" in schema else pointer, 'an enum needs "symbols": an array of names'
            )
        else:
            seen: set[str] = set()
            for index, symbol in enumerate(symbols_json):
                if not isinstance(symbol, str) or not _NAME.fullmatch(symbol):
                    self.problem(f"{pointer}/symbols/{index}", f"{symbol!r} is not a valid symbol: {_NAME_RULE}")
                elif symbol in seen:
                    self.problem(f"{pointer}/symbols/{index}", f"duplicate symbol {symbol!r}")
                else:
                    seen.add(symbol)
                    symbols.append(symbol)
        default = schema.get("default")
        if "default" in schema and (not isinstance(default, str) or default not in symbols):
            self.problem(f"{pointer}/default", "an enum's default must be one of its symbols")
            default = None
        node = EnumType(pointer, fullname, aliases, tuple(symbols), default)
        self._register(node)
        return node

    def _fixed(self, schema: dict[str, Any], pointer: str, namespace: str) -> AvroType:
        fullname, aliases = self._define(schema, pointer, namespace, "fixed")
        size = schema.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            self.problem(
                f"{pointer}/size" if "size" in schema else pointer,
                'a fixed needs "size": a non-negative integer (the number of bytes)',
            )
            size = 0
        node = FixedType(pointer, fullname, aliases, size)
        self._register(node)
        return node

    def _container(self, schema: dict[str, Any], pointer: str, namespace: str, attribute: str) -> AvroType:
        self._check_doc(schema, pointer)
        if attribute not in schema:
            self.problem(
                pointer,
                f'{_article(schema["type"])} {schema["type"]} needs "{attribute}": the schema of its {attribute}',
            )
            return _InvalidType(pointer)
        element = self.build(schema[attribute], f"{pointer}/{attribute}", namespace)
        if attribute == "items":
            return ArrayType(pointer, element)
        return MapType(pointer, element)

    def check_defaults(self) -> None:
        """Defaults are checked once the graph is complete: a default may hold a value of
        a record that was still being built when the field was."""
        for field in self.fields_with_defaults:
            issues = _ValidationRun(wrapped_unions=False, limit=5).run(field.type, field.default)
            for issue in issues:
                self.problem(
                    f"{field.pointer}/default{issue.path}",
                    f"the default of field {field.name!r} does not match its type: {issue.message}",
                )


def _qualify(name: str, namespace: str) -> str:
    """The full name that ``name`` means inside ``namespace`` (a dotted name is already full)."""
    return name if "." in name or not namespace else f"{namespace}.{name}"


_NAME_RULE = "names start with a letter or _ and go on with letters, digits or _ (dots separate namespace parts)"


def _build_schema(
    schema_json: object, *, check_defaults: bool, dependencies: Sequence[tuple[str, Any]] = ()
) -> AvroSchema:
    builder = _GraphBuilder(with_dependencies=bool(dependencies))
    for name, dependency_json in dependencies:
        # Each referenced schema is a file of its own: it starts in the null namespace.
        builder.build(dependency_json, f"{name}#", "")
    root = builder.build(schema_json, "", "")
    if check_defaults and not builder.problems:
        builder.check_defaults()
    if builder.problems:
        raise InvalidSchema("schema is not a valid Avro schema", problems=builder.problems)
    return AvroSchema(schema_json, root, tuple(dependencies))


def _library_complaint(schema_json: object, dependencies: Sequence[tuple[str, Any]] = ()) -> str | None:
    """What the reference implementation finds wrong with a schema our walk accepted."""
    try:
        if dependencies:
            # One name table for all, as Confluent's parser does: the schema sees their types.
            names = avro.name.Names()
            for _, dependency_json in dependencies:
                avro.schema.make_avsc_object(dependency_json, names)
            avro.schema.make_avsc_object(schema_json, names)
        else:
            avro.schema.parse(orjson.dumps(schema_json).decode())
    except RecursionError:
        return "the schema is nested too deeply for the Avro library"
    except Exception as error:  # noqa: BLE001 - any failure of the library is a refusal
        return _shorten(f"{type(error).__name__}: {error}")
    return None


def _shorten(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE_LENGTH else message[: _MAX_MESSAGE_LENGTH - 1] + "…"


def normalised_text(schema_json: object) -> str:
    """Equal for schemas that differ only in how they are written: layout and key order,
    ``{"type": "int"}`` for ``"int"``, and a name given as ``name`` + ``namespace``, or
    relative to the enclosing namespace, rather than in full (every name becomes full).
    Docs, defaults, aliases and other attributes stay: they are part of the schema."""
    return orjson.dumps(_spelled_out(schema_json, ""), option=orjson.OPT_SORT_KEYS).decode()


_NAMED_KINDS = frozenset({"record", "error", "enum", "fixed"})
_CONTAINER_KINDS = frozenset({"array", "map"})


def _spelled_out(schema: object, namespace: str) -> object:
    """The schema with full names and the short spellings of primitive and named types."""
    if isinstance(schema, str):
        return schema if schema in PRIMITIVE_TYPES else _qualify(schema, namespace)
    if isinstance(schema, list):
        return [_spelled_out(branch, namespace) for branch in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if not isinstance(kind, str) or not (kind in _NAMED_KINDS or kind in _CONTAINER_KINDS):
        if len(schema) == 1 and "type" in schema:  # {"type": X} is only another spelling of X
            return _spelled_out(kind, namespace)
        if isinstance(kind, (dict, list)):
            return {**schema, "type": _spelled_out(kind, namespace)}
        return schema  # a primitive with attributes (logicalType...): as written
    spelled = dict(schema)
    if kind in _NAMED_KINDS and isinstance(schema.get("name"), str):
        declared = schema.get("namespace")
        full = _qualify(schema["name"], declared if isinstance(declared, str) else namespace)
        spelled.pop("namespace", None)
        spelled["name"] = full
        namespace = full.rpartition(".")[0]
        if isinstance(schema.get("aliases"), list):
            spelled["aliases"] = [
                _qualify(alias, namespace) if isinstance(alias, str) else alias for alias in schema["aliases"]
            ]
        if kind in ("record", "error") and isinstance(schema.get("fields"), list):
            spelled["fields"] = [
                {**field, "type": _spelled_out(field["type"], namespace)}
                if isinstance(field, dict) and "type" in field
                else field
                for field in schema["fields"]
            ]
    elif kind == "array" and "items" in schema:
        spelled["items"] = _spelled_out(schema["items"], namespace)
    elif kind == "map" and "values" in schema:
        spelled["values"] = _spelled_out(schema["values"], namespace)
    return spelled


def _without_docs(schema: object) -> object:
    """The schema JSON without ``doc`` at schema and field positions (default values,
    which may hold a key named doc, are data and stay)."""
    if isinstance(schema, list):
        return [_without_docs(branch) for branch in schema]
    if not isinstance(schema, dict):
        return schema
    stripped = {key: value for key, value in schema.items() if key != "doc"}
    type_name = stripped.get("type")
    if type_name == "record" and isinstance(stripped.get("fields"), list):
        stripped["fields"] = [_field_without_docs(field) for field in stripped["fields"]]
    elif type_name == "array" and "items" in stripped:
        stripped["items"] = _without_docs(stripped["items"])
    elif type_name == "map" and "values" in stripped:
        stripped["values"] = _without_docs(stripped["values"])
    elif type_name in PRIMITIVE_TYPES and len(stripped) == 1:
        return type_name  # {"type": "int"} is only another spelling of "int"
    return stripped


def _field_without_docs(field: object) -> object:
    if not isinstance(field, dict):
        return field
    stripped = {key: value for key, value in field.items() if key != "doc"}
    if "type" in stripped:
        stripped["type"] = _without_docs(stripped["type"])
    return stripped


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxdict = 6
_repr.maxlevel = 2


class _IssueLimitReached(Exception):
    def __init__(self, issues: list[ValidationIssue]) -> None:
        super().__init__()
        self.issues = issues


_FITS_JSON_KIND: dict[str, Callable[[object], bool]] = {
    "null": lambda value: value is None,
    "boolean": lambda value: isinstance(value, bool),
    "int": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "long": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "float": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "double": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "string": lambda value: isinstance(value, str),
    "bytes": lambda value: isinstance(value, str),
    "enum": lambda value: isinstance(value, str),
    "fixed": lambda value: isinstance(value, str),
    "array": lambda value: isinstance(value, list),
    "map": lambda value: isinstance(value, dict),
    "record": lambda value: isinstance(value, dict),
}


class _ValidationRun:
    """The state of one ``validate`` call (never shared between calls)."""

    __slots__ = ("wrapped_unions", "limit", "_trials")

    def __init__(self, *, wrapped_unions: bool, limit: int) -> None:
        self.wrapped_unions = wrapped_unions
        self.limit = limit
        # Results of trying a union branch at an instance location: a recursive schema
        # with ambiguous unions would otherwise retry the same subtrees exponentially.
        self._trials: dict[tuple[int, str], list[ValidationIssue]] = {}

    def run(self, node: AvroType, instance: object) -> list[ValidationIssue]:
        issues: list[ValidationIssue] = []
        if self.limit <= 0:
            return issues
        try:
            self._check(node, instance, "", issues)
        except _IssueLimitReached as reached:
            if reached.issues is not issues:
                raise
        except RecursionError:
            issues.append(
                ValidationIssue(
                    path="",
                    message="document is nested too deeply to be validated against this schema",
                    keyword="nesting",
                    schema_path="",
                )
            )
        return issues

    def _report(
        self,
        issues: list[ValidationIssue],
        path: str,
        node: AvroType | RecordField,
        keyword: str,
        message: str,
    ) -> None:
        issues.append(ValidationIssue(path=path, message=message, keyword=keyword, schema_path=node.pointer))
        if len(issues) >= self.limit:
            raise _IssueLimitReached(issues)

    def _wrong_type(self, issues: list[ValidationIssue], path: str, node: AvroType, value: object) -> None:
        self._report(issues, path, node, "type", f"expected {node.describe()}, got {_json_type(value)}")

    def _check(self, node: AvroType, value: object, path: str, issues: list[ValidationIssue]) -> None:
        if isinstance(node, UnionType):
            if self.wrapped_unions:
                self._check_wrapped_union(node, value, path, issues)
            else:
                self._check_bare_union(node, value, path, issues)
            return
        if not _FITS_JSON_KIND[node.kind](value):
            self._wrong_type(issues, path, node, value)
            return
        if isinstance(node, RecordType):
            assert isinstance(value, dict)
            for field in node.fields:
                if field.name in value:
                    self._check(field.type, value[field.name], f"{path}/{escape_token(field.name)}", issues)
                elif not field.has_default:
                    self._report(
                        issues,
                        path,
                        field,
                        "required",
                        f"missing field {field.name!r} ({field.type.describe()}), which has no default",
                    )
        elif isinstance(node, ArrayType):
            assert isinstance(value, list)
            for index, item in enumerate(value):
                self._check(node.items, item, f"{path}/{index}", issues)
        elif isinstance(node, MapType):
            assert isinstance(value, dict)
            for key, item in value.items():
                self._check(node.values, item, f"{path}/{escape_token(str(key))}", issues)
        elif isinstance(node, EnumType):
            if value not in node.symbol_set:
                self._report(issues, path, node, "enum", f"{_repr.repr(value)} is not one of {', '.join(node.symbols)}")
        elif isinstance(node, FixedType):
            assert isinstance(value, str)
            if self._check_byte_string(node, value, path, issues) and len(value) != node.size:
                self._report(issues, path, node, "fixed-size", f"expected exactly {node.size} bytes, got {len(value)}")
        else:
            self._check_primitive(node, value, path, issues)

    def _check_primitive(self, node: AvroType, value: object, path: str, issues: list[ValidationIssue]) -> None:
        kind = node.kind
        if kind in ("int", "long"):
            low, high = _INT_RANGE if kind == "int" else _LONG_RANGE
            assert isinstance(value, int)
            if not low <= value <= high:
                bits = 32 if kind == "int" else 64
                self._report(issues, path, node, "range", f"{value} does not fit in a {bits}-bit {kind}")
        elif kind in ("float", "double"):
            assert isinstance(value, (int, float))
            largest = _FLOAT_MAX if kind == "float" else _DOUBLE_MAX
            if (isinstance(value, int) or math.isfinite(value)) and abs(value) > largest:
                self._report(
                    issues, path, node, "range", f"{_repr.repr(value)} is out of the range of {_article(kind)} {kind}"
                )
        elif kind == "bytes":
            assert isinstance(value, str)
            self._check_byte_string(node, value, path, issues)

    def _check_byte_string(self, node: AvroType, value: str, path: str, issues: list[ValidationIssue]) -> bool:
        if value.isascii():
            return True
        for index, character in enumerate(value):
            if ord(character) > 0xFF:
                self._report(
                    issues,
                    path,
                    node,
                    "bytes",
                    f"bytes are written as a string of code points U+0000..U+00FF, one per byte; "
                    f"found U+{ord(character):04X} at index {index}",
                )
                return False
        return True

    def _check_bare_union(self, node: UnionType, value: object, path: str, issues: list[ValidationIssue]) -> None:
        candidates = [branch for branch in node.branches if _FITS_JSON_KIND[branch.kind](value)]
        if not candidates:
            self._report(
                issues,
                path,
                node,
                "union",
                f"{_json_type(value)} matches none of the branches of the {node.describe()}",
            )
            return
        if len(candidates) == 1:
            self._check(candidates[0], value, path, issues)
            return
        closest: list[ValidationIssue] | None = None
        for branch in candidates:
            trial = self._trial(branch, value, path)
            if not trial:
                return
            if closest is None or len(trial) < len(closest):
                closest = trial
        assert closest is not None
        for issue in closest:
            issues.append(issue)
            if len(issues) >= self.limit:
                raise _IssueLimitReached(issues)

    def _trial(self, branch: AvroType, value: object, path: str) -> list[ValidationIssue]:
        key = (id(branch), path)
        known = self._trials.get(key)
        if known is not None:
            return known
        issues: list[ValidationIssue] = []
        try:
            self._check(branch, value, path, issues)
        except _IssueLimitReached as reached:
            if reached.issues is not issues:
                raise
        self._trials[key] = issues
        return issues

    def _check_wrapped_union(self, node: UnionType, value: object, path: str, issues: list[ValidationIssue]) -> None:
        labels = ", ".join(repr(label) for label in node.branches_by_label if label != "null")
        if value is None:
            if "null" not in node.branches_by_label:
                self._report(issues, path, node, "union", f"null is not allowed: the {node.describe()} has no null")
            return
        if isinstance(value, dict) and len(value) == 1:
            ((label, inner),) = value.items()
            branch = node.branches_by_label.get(label)
            if branch is not None and branch.kind != "null":
                self._check(branch, inner, f"{path}/{escape_token(str(label))}", issues)
                return
            message = f"{label!r} is not a branch of the {node.describe()}; expected one of {labels}"
            self._report(issues, path, node, "union", message)
            return
        self._report(
            issues,
            path,
            node,
            "union",
            f"in Avro's JSON encoding a union value is null or an object with one key naming its branch "
            f"({labels or 'none besides null'}); got {_json_type(value)}",
        )


class AvroValidator:
    """Validates documents against one schema. Immutable: share it between threads and
    greenlets and reuse it for any number of documents."""

    __slots__ = ("_root", "_wrapped_unions")

    def __init__(self, root: AvroType, encoding: AvroJsonEncoding) -> None:
        self._root = root
        self._wrapped_unions = encoding is AvroJsonEncoding.AVRO_JSON

    def validate(self, instance: object, max_errors: int = 100) -> list[ValidationIssue]:
        """Every reason ``instance`` does not conform, in document order, stopping after
        ``max_errors``. Empty list: valid."""
        return _ValidationRun(wrapped_unions=self._wrapped_unions, limit=max_errors).run(self._root, instance)


# --------------------------------------------------------------------------------------
# The handler
# --------------------------------------------------------------------------------------


class _LoadedSchemas:
    """A small LRU of loaded schemas, keyed by their text and bounded in entries and in
    characters; the lock makes it safe under real threads as well as greenlets."""

    def __init__(self, max_entries: int, max_characters: int) -> None:
        self._entries: OrderedDict[str, AvroSchema] = OrderedDict()
        self._characters = 0
        self._max_entries = max_entries
        self._max_characters = max_characters
        self._lock = threading.Lock()

    def get(self, content: str) -> AvroSchema | None:
        with self._lock:
            found = self._entries.get(content)
            if found is not None:
                self._entries.move_to_end(content)
            return found

    def put(self, content: str, schema: AvroSchema) -> None:
        if len(content) > self._max_characters:
            return
        with self._lock:
            if content in self._entries:
                return
            self._entries[content] = schema
            self._characters += len(content)
            while len(self._entries) > self._max_entries or self._characters > self._max_characters:
                evicted, _ = self._entries.popitem(last=False)
                self._characters -= len(evicted)

    def __len__(self) -> int:
        return len(self._entries)


class AvroHandler:
    format = SchemaFormat.AVRO

    def __init__(self, limits: Limits | None = None, *, cache_entries: int = _LOAD_CACHE_ENTRIES) -> None:
        self._limits = limits or Limits()
        self._loaded = _LoadedSchemas(cache_entries, _LOAD_CACHE_CHARACTERS)

    def parse(self, schema: Any, dependencies: Sequence[Dependency] = ()) -> ParsedSchema:
        """Check a schema given as JSON text or as parsed JSON; raise InvalidSchema
        (SchemaTooLarge past the limits). A ``str`` is always the schema's text: the
        primitive type string is ``'"string"'``. ``dependencies`` (flattened, each before
        those using it) define the named types the schema may use besides its own."""

        if isinstance(schema, str):
            content = schema
            try:
                schema_json = orjson.loads(schema)
            except orjson.JSONDecodeError as exc:
                hint = ""
                if schema.strip() in PRIMITIVE_TYPES:
                    hint = f' (a primitive type is the JSON string "{schema.strip()}", with quotes)'
                raise InvalidSchema(
                    f"the schema text is not valid JSON{hint}",
                    problems=[SchemaProblem(location=f"char {exc.pos}", message=exc.msg)],
                ) from None
        else:
            schema_json = schema
            content = None
        if not isinstance(schema_json, (str, list, dict)):
            _raise_invalid("", f"an Avro schema is a JSON string, object or array, not {_json_type(schema_json)}")
        _check_size_and_values(schema_json, self._limits)
        loaded = self._load_dependencies(dependencies, check=True)
        document = _build_schema(schema_json, check_defaults=True, dependencies=loaded)
        complaint = _library_complaint(schema_json, loaded)
        if complaint is not None:
            raise InvalidSchema(
                "schema is not a valid Avro schema (refused by the Avro library)",
                problems=[SchemaProblem(location="", message=complaint)],
            )
        if content is None:
            content = orjson.dumps(schema_json).decode()
        content_hash = hashlib.sha256(normalised_text(schema_json).encode()).hexdigest()
        return ParsedSchema(self.format, document, content, content_hash)

    def load(self, content: str, dependencies: Sequence[Dependency] = ()) -> AvroSchema:
        """The document of content that ``parse`` accepted (with these dependencies) when
        it was registered (not checked again; cached)."""
        key = content
        if dependencies:
            # A schema text is JSON, so it never starts with this prefix; the rest is unambiguous.
            texts = [content, [[item.name, item.content] for item in dependencies]]
            key = "with references:" + orjson.dumps(texts).decode()
        cached = self._loaded.get(key)
        if cached is not None:
            return cached
        loaded = self._load_dependencies(dependencies, check=False)
        document = _build_schema(orjson.loads(content), check_defaults=False, dependencies=loaded)
        self._loaded.put(key, document)
        return document

    def _load_dependencies(self, dependencies: Sequence[Dependency], *, check: bool) -> list[tuple[str, Any]]:
        if not dependencies:
            return []

        loaded: list[tuple[str, Any]] = []
        for dependency in distinct_dependencies(dependencies):
            try:
                dependency_json = orjson.loads(dependency.content)
            except orjson.JSONDecodeError as exc:
                message = f"the referenced schema {dependency.name!r} is not valid JSON: {exc.msg}"
                raise InvalidSchema(message, problems=[SchemaProblem(f"{dependency.name}#", message)]) from None
            if check:
                _check_size_and_values(dependency_json, self._limits, f"{dependency.name}#")
            loaded.append((dependency.name, dependency_json))
        return loaded

    def only_annotations_differ(self, old: Any, new: Any) -> bool:
        old_schema, new_schema = self._as_schema(old), self._as_schema(new)
        if normalised_text(_without_docs(old_schema.schema_json)) != normalised_text(
            _without_docs(new_schema.schema_json)
        ):
            return False
        # Conservative: a referenced schema added, dropped or changed beyond its docs counts.
        return _dependency_texts(old_schema) == _dependency_texts(new_schema)

    def compile_validator(self, document: Any, options: ValidationOptions = NO_VALIDATION_OPTIONS) -> AvroValidator:
        """A reusable validator for documents in ``options.encoding``: ``"json"`` (union
        values bare, the default) or ``"avro-json"`` (Avro's JSON encoding, union values wrapped)."""
        encoding = options.encoding or AvroJsonEncoding.JSON
        try:
            chosen = AvroJsonEncoding(encoding)
        except ValueError:
            raise InvalidRequest(
                f"unknown encoding {encoding!r}; expected one of "
                + ", ".join(repr(choice.value) for choice in AvroJsonEncoding),
                field="encoding",
            ) from None
        return AvroValidator(self._as_schema(document).root, chosen)

    def _as_schema(self, document: Any) -> AvroSchema:
        """Documents come from ``parse`` or ``load``; schema text or parsed JSON is
        accepted too (and checked), which keeps callers and tests simple."""
        if isinstance(document, AvroSchema):
            return document
        if isinstance(document, str):
            return self.load(document)
        parsed: AvroSchema = self.parse(document).document
        return parsed


def _dependency_texts(schema: AvroSchema) -> dict[str, str]:
    return {name: normalised_text(_without_docs(dependency_json)) for name, dependency_json in schema.dependencies}
