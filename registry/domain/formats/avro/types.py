"""The type graph of a checked Avro schema: one node per type, named types shared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRIMITIVE_TYPES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})


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
        self.branches_by_label = {branch_label(branch): branch for branch in branches}

    def describe(self) -> str:
        return "union [" + ", ".join(branch_label(branch) for branch in self.branches) + "]"


def branch_label(node: AvroType) -> str:
    return node.fullname if isinstance(node, NamedType) else node.kind


def qualify(name: str, namespace: str) -> str:
    """The full name that ``name`` means inside ``namespace`` (a dotted name is already full)."""
    return name if "." in name or not namespace else f"{namespace}.{name}"


@dataclass(frozen=True, slots=True, eq=False)
class AvroSchema:
    """A checked Avro schema: its JSON (as registered) and its resolved type graph, which
    includes the named types of the schemas it references. Immutable, so one instance is
    shared by every caller."""

    schema_json: Any
    root: AvroType
    dependencies: tuple[tuple[str, Any], ...] = ()  # (name, JSON) of the referenced schemas, as given
