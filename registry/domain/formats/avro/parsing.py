"""Checking a schema against the Avro specification while building its type graph.

Decisions worth knowing:

* Checking (``parse``): our own walk enforces the Avro 1.12 specification and reports
  every problem with a JSON pointer (names and namespaces, name definition before use,
  no redefinition, primitive names not definable, union rules, field names and orders,
  enum symbols and defaults, fixed sizes, doc/aliases types, and every field default
  against its type: a union default may match any branch, as Avro 1.12 allows). Then the
  reference implementation, ``avro.schema.parse``, must accept the schema too
  (``library_check.py``; its complaints come with location ""), so a registered schema
  also loads in that library.
  Stricter than the spec on purpose: ``{"type": "SomeNamedType"}`` (use the bare name) and
  ``"error"`` types (protocol-only) are refused, as ``avro.schema`` refuses them. Per the
  spec, invalid logical types are accepted and mean their underlying type: a decimal whose
  ``precision`` or ``scale`` is not an integer, out of order or too large for its fixed, as
  Avro's Java and Python libraries ignore it.
* Integers are Java ints where Avro's Java library reads them as such: a fixed ``size`` is
  at most 2^31 - 9, the longest byte array it reads (larger sizes would register here and
  fail in every Java client), and a decimal's integer ``precision`` or ``scale`` beyond a
  32-bit int is refused rather than quietly read as plain bytes (Java could only ignore it).
* Names are resolved as the specification says: a dotless reference is looked up in the
  enclosing namespace only (no fallback to the null namespace, unlike Java).
* References (Confluent's): the schemas given as dependencies are walked first, in order,
  each from the null namespace, so their named types are defined before the schema uses
  them by name (full name, or short name within the enclosing namespace). They become
  nodes of the schema's type graph; a type defined twice (also across dependencies) is
  refused. Locations inside a dependency read ``<dependency name>#<JSON pointer>``. The
  normalised text, and so ``content_hash``, is the schema's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from registry.domain.errors import InvalidSchema
from registry.domain.formats.avro.types import (
    PRIMITIVE_TYPES,
    ArrayType,
    AvroSchema,
    AvroType,
    EnumType,
    FixedType,
    MapType,
    NamedType,
    PrimitiveType,
    RecordField,
    RecordType,
    UnionType,
    branch_label,
    qualify,
)
from registry.domain.formats.avro.validation import ValidationRun
from registry.domain.formats.avro.wording import article, json_type
from registry.domain.model import SchemaProblem

_DEFINABLE_TYPES = ("record", "enum", "fixed", "array", "map")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIELD_ORDERS = ("ascending", "descending", "ignore")
# Avro Java's SystemLimitException.checkMaxBytesLength: Integer.MAX_VALUE - 8.
_MAX_FIXED_SIZE = 2**31 - 9
_JAVA_INT_RANGE = (-(2**31), 2**31 - 1)

_MAX_SCHEMA_PROBLEMS = 100


class _InvalidType(AvroType):
    """Stands in for a schema position that has problems; never leaves this module."""

    __slots__ = ()

    def __init__(self, pointer: str) -> None:
        super().__init__("invalid", pointer)


def _where(pointer: str) -> str:
    return pointer or "the root"


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
        self.problem(pointer, f"a schema is a type name, an object or an array (a union), not {json_type(schema)}")
        return _InvalidType(pointer)

    def _reference(self, name: str, pointer: str, namespace: str) -> AvroType:
        if name in PRIMITIVE_TYPES:
            return PrimitiveType(name, pointer)
        if name in _DEFINABLE_TYPES:
            self.problem(pointer, f'{article(name)} {name} is written as an object: {{"type": "{name}", ...}}')
            return _InvalidType(pointer)
        fullname = qualify(name, namespace)
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
            label = branch_label(node)
            if label in first_at:
                what = (
                    f"the named type {label!r}" if isinstance(node, NamedType) else f"{article(label)} {label} branch"
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
            self._check_decimal_integers(schema, pointer)
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
        elif qualify(type_name, namespace) in self.named:
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
            self.problem(location, f"{article(kind)} {kind} needs a name (a non-empty string)")
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
            fullname = qualify(name, space)
        if not all(_NAME.fullmatch(part) for part in name.split(".")):
            self.problem(f"{pointer}/name", f"{name!r} is not a valid name: {_NAME_RULE}")
        simple_name = fullname.rpartition(".")[2]
        if simple_name in PRIMITIVE_TYPES:
            self.problem(
                f"{pointer}/name", f"{simple_name!r} is a primitive type name and cannot name {article(kind)} {kind}"
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
            full_names.add(qualify(alias, space))
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
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= _MAX_FIXED_SIZE:
            self.problem(
                f"{pointer}/size" if "size" in schema else pointer,
                f'a fixed needs "size": a non-negative integer up to {_MAX_FIXED_SIZE} (the number of bytes; '
                "Avro's Java library reads no larger fixed)",
            )
            size = 0
        self._check_decimal_integers(schema, pointer)
        node = FixedType(pointer, fullname, aliases, size)
        self._register(node)
        return node

    def _check_decimal_integers(self, schema: dict[str, Any], pointer: str) -> None:
        if schema.get("logicalType") != "decimal":
            return
        low, high = _JAVA_INT_RANGE
        for attribute in ("precision", "scale"):
            value = schema.get(attribute)
            if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
                self.problem(
                    f"{pointer}/{attribute}",
                    f"a decimal's {attribute} must fit a 32-bit int ({low} to {high}), as Avro's Java library reads it",
                )

    def _container(self, schema: dict[str, Any], pointer: str, namespace: str, attribute: str) -> AvroType:
        self._check_doc(schema, pointer)
        if attribute not in schema:
            self.problem(
                pointer,
                f'{article(schema["type"])} {schema["type"]} needs "{attribute}": the schema of its {attribute}',
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
            issues = ValidationRun(wrapped_unions=False, limit=5).run(field.type, field.default)
            for issue in issues:
                self.problem(
                    f"{field.pointer}/default{issue.path}",
                    f"the default of field {field.name!r} does not match its type: {issue.message}",
                )


_NAME_RULE = "names start with a letter or _ and go on with letters, digits or _ (dots separate namespace parts)"


def build_schema(
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
