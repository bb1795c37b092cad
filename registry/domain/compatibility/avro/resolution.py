"""Avro's schema resolution rules: what a reader schema cannot read of a writer's data.

Decisions worth knowing:

* The rules follow the specification's schema resolution and agree with
  ``avro.compatibility``'s verdicts (a test cross-checks thousands of pairs). Violation
  types are that module's ``SchemaIncompatibilityType`` names in upper case. Paths are
  JSON pointers into the *reader* schema; inside a named type they point at its
  definition (where the fix goes).
* Two knowing differences from ``avro.compatibility``: a type alias written without a dot
  is relative to the reader's namespace, as the specification says
  (``avro.compatibility`` compares the raw text); a reader field missing from the writer
  with no default is always READER_FIELD_MISSING_DEFAULT_VALUE (``avro.compatibility``
  says TYPE_MISMATCH when the field is an enum that has a default; both call it
  incompatible).
"""

from __future__ import annotations

from collections.abc import Iterable

from registry.domain.formats.avro import (
    ArrayType,
    AvroType,
    EnumType,
    FixedType,
    MapType,
    NamedType,
    RecordField,
    RecordType,
    UnionType,
)
from registry.domain.model import Violation

# Incompatibility types, named as avro.compatibility.SchemaIncompatibilityType (upper case).
NAME_MISMATCH = "NAME_MISMATCH"
FIXED_SIZE_MISMATCH = "FIXED_SIZE_MISMATCH"
MISSING_ENUM_SYMBOLS = "MISSING_ENUM_SYMBOLS"
READER_FIELD_MISSING_DEFAULT_VALUE = "READER_FIELD_MISSING_DEFAULT_VALUE"
TYPE_MISMATCH = "TYPE_MISMATCH"
MISSING_UNION_BRANCH = "MISSING_UNION_BRANCH"
# Not an avro.compatibility type: the pair could not be compared (see AvroCompatibility).
COMPARISON_TOO_DEEP = "COMPARISON_TOO_DEEP"

# Which reader types can read data written as a given type, besides the type itself.
_PROMOTIONS: dict[str, frozenset[str]] = {
    "int": frozenset({"long", "float", "double"}),
    "long": frozenset({"float", "double"}),
    "float": frozenset({"double"}),
    "string": frozenset({"bytes"}),
    "bytes": frozenset({"string"}),
}


def _names_match(reader: NamedType, writer: NamedType) -> bool:
    # Names compare unqualified, as the specification and avro.compatibility do.
    return reader.name == writer.name or writer.fullname in reader.aliases


def _might_read(reader: AvroType, writer: AvroType) -> bool:
    """False only when reading ``writer`` with ``reader`` surely fails at the top level
    (a cheap filter before trying a union branch). ``writer`` is not a union."""
    if reader.kind == writer.kind:
        if isinstance(reader, NamedType) and isinstance(writer, NamedType):
            return _names_match(reader, writer)
        return True
    return reader.kind in _PROMOTIONS.get(writer.kind, frozenset())


class CompatibilityCheck:
    """One comparison of a reader with a writer schema (per-call state, never shared).

    Recursive types are compared co-inductively: a pair met again while it is still
    being compared is assumed compatible, as in avro.compatibility. Results are
    memoised, except that trying a reader union's branch that fails forgets the
    "compatible" results computed during the try: they may rest on the assumption
    that just failed. (A failure found under such assumptions is a real one.)
    """

    def __init__(self) -> None:
        self._results: dict[tuple[int, int], tuple[Violation, ...]] = {}
        self._in_progress: set[tuple[int, int]] = set()
        self._journal: list[tuple[int, int]] = []

    def compare(self, reader: AvroType, writer: AvroType) -> tuple[Violation, ...]:
        key = (id(reader), id(writer))
        known = self._results.get(key)
        if known is not None:
            return known
        if key in self._in_progress:
            return ()
        self._in_progress.add(key)
        try:
            result = self._compare_uncached(reader, writer)
        finally:
            self._in_progress.discard(key)
        self._results[key] = result
        self._journal.append(key)
        return result

    def _compare_uncached(self, reader: AvroType, writer: AvroType) -> tuple[Violation, ...]:
        if isinstance(writer, UnionType):
            if isinstance(reader, UnionType):
                return tuple(
                    Violation(
                        MISSING_UNION_BRANCH,
                        reader.pointer,
                        f"the reader's {reader.describe()} has no branch that can read the writer's "
                        f"{branch.describe()} (branch {index} of the writer's union)",
                    )
                    for index, branch in enumerate(writer.branches)
                    if not self._some_branch_reads(reader, branch)
                )
            # Every value the writer may write must be readable.
            return _unique(violation for branch in writer.branches for violation in self.compare(reader, branch))
        if isinstance(reader, UnionType):
            if self._some_branch_reads(reader, writer):
                return ()
            return (
                Violation(
                    MISSING_UNION_BRANCH,
                    reader.pointer,
                    f"the reader's {reader.describe()} has no branch that can read the writer's {writer.describe()}",
                ),
            )
        if reader.kind != writer.kind:
            if reader.kind in _PROMOTIONS.get(writer.kind, frozenset()):
                return ()
            return (
                Violation(
                    TYPE_MISMATCH,
                    reader.pointer,
                    f"the reader's {reader.describe()} cannot read the writer's {writer.describe()}",
                ),
            )
        if isinstance(reader, ArrayType) and isinstance(writer, ArrayType):
            return self.compare(reader.items, writer.items)
        if isinstance(reader, MapType) and isinstance(writer, MapType):
            return self.compare(reader.values, writer.values)
        if isinstance(reader, NamedType) and isinstance(writer, NamedType):
            return self._compare_named(reader, writer)
        return ()  # the same primitive type

    def _compare_named(self, reader: NamedType, writer: NamedType) -> tuple[Violation, ...]:
        violations = [] if _names_match(reader, writer) else [_name_mismatch(reader, writer)]
        if isinstance(reader, RecordType) and isinstance(writer, RecordType):
            violations.extend(self._compare_fields(reader, writer))
        elif isinstance(reader, EnumType) and isinstance(writer, EnumType):
            violations.extend(_compare_symbols(reader, writer))
        elif isinstance(reader, FixedType) and isinstance(writer, FixedType):
            violations.extend(_compare_sizes(reader, writer))
        return _unique(violations)

    def _compare_fields(self, reader: RecordType, writer: RecordType) -> list[Violation]:
        violations: list[Violation] = []
        for field in reader.fields:
            writer_field = _writer_field(writer, field)
            if writer_field is not None:
                violations.extend(self.compare(field.type, writer_field.type))
            elif not field.has_default:
                violations.append(
                    Violation(
                        READER_FIELD_MISSING_DEFAULT_VALUE,
                        field.pointer,
                        f"the reader's field {field.name!r} has no default, and the writer's record "
                        f"{writer.fullname!r} has no field of that name or of its aliases",
                    )
                )
        return violations

    def _some_branch_reads(self, reader: UnionType, writer: AvroType) -> bool:
        for branch in reader.branches:
            if not _might_read(branch, writer):
                continue
            mark = len(self._journal)
            if not self.compare(branch, writer):
                return True
            self._forget_successes_since(mark)
        return False

    def _forget_successes_since(self, mark: int) -> None:
        kept = []
        for key in self._journal[mark:]:
            if self._results[key]:
                kept.append(key)
            else:
                del self._results[key]
        del self._journal[mark:]
        self._journal.extend(kept)


def _writer_field(writer: RecordType, reader_field: RecordField) -> RecordField | None:
    found = writer.fields_by_name.get(reader_field.name)
    if found is not None:
        return found
    for alias in reader_field.aliases:
        found = writer.fields_by_name.get(alias)
        if found is not None:
            return found
    return None


def _name_mismatch(reader: NamedType, writer: NamedType) -> Violation:
    return Violation(
        NAME_MISMATCH,
        f"{reader.pointer}/name",
        f"the reader's {reader.kind} {reader.fullname!r} cannot read the writer's {writer.kind} "
        f"{writer.fullname!r}: the names differ and {writer.fullname!r} is not one of the reader's aliases",
    )


def _compare_symbols(reader: EnumType, writer: EnumType) -> list[Violation]:
    missing = [symbol for symbol in writer.symbols if symbol not in reader.symbol_set]
    if not missing or reader.default is not None:
        return []  # a reader's default stands in for symbols it does not know
    return [
        Violation(
            MISSING_ENUM_SYMBOLS,
            f"{reader.pointer}/symbols",
            f"the reader's enum {reader.fullname!r} lacks the writer's symbols {', '.join(missing)} and has no default",
        )
    ]


def _compare_sizes(reader: FixedType, writer: FixedType) -> list[Violation]:
    if reader.size == writer.size:
        return []
    return [
        Violation(
            FIXED_SIZE_MISMATCH,
            f"{reader.pointer}/size",
            f"the reader's fixed {reader.fullname!r} holds {reader.size} bytes, "
            f"the writer's {writer.fullname!r} {writer.size}",
        )
    ]


def _unique(violations: Iterable[Violation]) -> tuple[Violation, ...]:
    return tuple(dict.fromkeys(violations))
