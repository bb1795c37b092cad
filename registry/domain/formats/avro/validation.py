"""Validating JSON documents against a schema's type graph.

Decisions worth knowing:

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

import math
import reprlib
from collections.abc import Callable
from enum import StrEnum

from registry.domain.compute import check_budget
from registry.domain.formats.avro.types import (
    ArrayType,
    AvroType,
    EnumType,
    FixedType,
    MapType,
    RecordField,
    RecordType,
    UnionType,
)
from registry.domain.formats.avro.wording import article, json_type
from registry.domain.model import ValidationIssue
from registry.domain.pointers import escape_token


class AvroJsonEncoding(StrEnum):
    JSON = "json"  # plain JSON: union values bare
    AVRO_JSON = "avro-json"  # Avro's JSON encoding: non-null union values wrapped


_INT_RANGE = (-(2**31), 2**31 - 1)
_LONG_RANGE = (-(2**63), 2**63 - 1)
_FLOAT_MAX = 3.4028234663852886e38
_DOUBLE_MAX = 1.7976931348623157e308

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


class ValidationRun:
    """The state of one ``validate`` call (never shared between calls)."""

    __slots__ = ("wrapped_unions", "limit", "_trials", "_unions_trying")

    def __init__(self, *, wrapped_unions: bool, limit: int) -> None:
        self.wrapped_unions = wrapped_unions
        self.limit = limit
        # Results of trying a union branch at an instance location: a recursive schema
        # with ambiguous unions would otherwise retry the same subtrees exponentially. They
        # are only asked for while the outermost union being tried is, so they are dropped
        # then: kept for a whole document, they would grow with it (a million per second
        # for a wide union over a long array).
        self._trials: dict[tuple[int, str], list[ValidationIssue]] = {}
        self._unions_trying = 0

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
        self._report(issues, path, node, "type", f"expected {node.describe()}, got {json_type(value)}")

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
        else:
            self._check_scalar(node, value, path, issues)

    def _check_scalar(self, node: AvroType, value: object, path: str, issues: list[ValidationIssue]) -> None:
        """A value of the JSON kind its type takes: the range, bytes, symbol or size it may have."""
        if isinstance(node, EnumType):
            if value not in node.symbol_set:
                self._report(issues, path, node, "enum", f"{_repr.repr(value)} is not one of {', '.join(node.symbols)}")
            return
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
                    issues, path, node, "range", f"{_repr.repr(value)} is out of the range of {article(kind)} {kind}"
                )
        elif kind == "bytes":
            assert isinstance(value, str)
            self._check_byte_string(node, value, path, issues)
        elif isinstance(node, FixedType):
            assert isinstance(value, str)
            if self._check_byte_string(node, value, path, issues) and len(value) != node.size:
                self._report(issues, path, node, "fixed-size", f"expected exactly {node.size} bytes, got {len(value)}")

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
                f"{json_type(value)} matches none of the branches of the {node.describe()}",
            )
            return
        if len(candidates) == 1:
            self._check(candidates[0], value, path, issues)
            return
        closest = self._closest_branch(candidates, value, path)
        if closest is None:
            return
        for issue in closest:
            issues.append(issue)
            if len(issues) >= self.limit:
                raise _IssueLimitReached(issues)

    def _closest_branch(self, candidates: list[AvroType], value: object, path: str) -> list[ValidationIssue] | None:
        """None when a branch accepts ``value``, else the issues of the branch that came closest."""
        self._unions_trying += 1
        try:
            closest: list[ValidationIssue] | None = None
            for branch in candidates:
                trial = self._trial(branch, value, path)
                if not trial:
                    return None
                if closest is None or len(trial) < len(closest):
                    closest = trial
            return closest
        finally:
            self._unions_trying -= 1
            if not self._unions_trying:
                self._trials.clear()

    def _trial(self, branch: AvroType, value: object, path: str) -> list[ValidationIssue]:
        key = (id(branch), path)
        known = self._trials.get(key)
        if known is not None:
            return known
        check_budget()  # each value may be tried against every branch of a union
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
            f"({labels or 'none besides null'}); got {json_type(value)}",
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
        return ValidationRun(wrapped_unions=self._wrapped_unions, limit=max_errors).run(self._root, instance)
