"""Validating the proto3 JSON form of a message.

``ProtobufHandler.compile_validator`` (a ``ProtobufValidator``) checks the proto3 JSON
form of one message and reports every problem it finds, each with a JSON pointer into the
document and a ``schema_path`` of ``/<message>/<field>`` (message names relative to the
package, nested ones dotted: ``/Order.Line/price``). Messages of dependencies are checked
like the schema's own. Values of the well-known types (Timestamp, Duration, Struct, Value,
ListValue, Any, wrappers, FieldMask, Empty) are checked by ``json_format``, which reports
the first problem inside each such value.
"""

from __future__ import annotations

import base64
import binascii
import decimal
import math
import re
import sys
from collections.abc import Iterator
from typing import Any, cast

from google.protobuf import descriptor_pb2, descriptor_pool, json_format
from google.protobuf.message import Message

from registry.domain.formats.protobuf.document import SCALAR_TYPE_NAMES, ProtobufDocument
from registry.domain.formats.protobuf.limits import shorten
from registry.domain.formats.protobuf.validation_plans import EnumPlan, FieldPlan, MessagePlan, Planner, select_message
from registry.domain.model import ValidationIssue
from registry.domain.pointers import escape_token

_FieldType = descriptor_pb2.FieldDescriptorProto.Type

_INT_RANGES: dict[int, tuple[int, int]] = {
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

_Task = tuple[MessagePlan, object, str]  # a nested message still to check, and where


class ProtobufValidator:
    """Validates the proto3 JSON form of one message. Immutable after construction: safe
    to share between threads and greenlets and to reuse for any number of documents."""

    __slots__ = ("message_name", "_plans", "_pool", "_root")

    def __init__(self, document: ProtobufDocument, message: str | None = None) -> None:
        root = select_message(document, message)
        self.message_name = root.full_name
        self._pool = descriptor_pool.DescriptorPool()  # per schema: names never clash
        for file in (*document.imports, document.file):
            self._pool.Add(file)
        self._plans = Planner(document, self._pool).plan_all(root.full_name)
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
        self, plan: MessagePlan, value: object, path: str, nested: list[_Task]
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

    def _check_field(self, plan: FieldPlan, value: object, path: str, nested: list[_Task]) -> Iterator[ValidationIssue]:
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

    def _check_value(self, plan: FieldPlan, value: object, path: str, nested: list[_Task]) -> Iterator[ValidationIssue]:
        """One value of the field's type: a single value, an element or a map value."""
        if plan.message is not None:
            nested.append((self._plans[plan.message], value, path))
        elif plan.well_known is not None:
            well_known_problem = self._well_known_problem(plan.well_known, value)
            if well_known_problem is not None:
                yield _issue(path, well_known_problem, "format", plan.schema_path)
        else:
            problem = _enum_problem(plan.enum, value) if plan.enum is not None else _scalar_problem(plan.type, value)
            if problem is not None:
                yield _issue(path, problem[0], problem[1], plan.schema_path)

    def _well_known_problem(self, message_class: type[Message], value: object) -> str | None:
        if message_class.DESCRIPTOR.full_name == "google.protobuf.Any":
            # json_format deletes "@type" from an Any's object while it parses it (and puts
            # it back): a thread validating the same document meanwhile would see it missing.
            value = _copy_json(value)
        try:
            # Any JSON value (a Timestamp is a string), though the stub says a dict.
            json_format.ParseDict(
                cast(Any, value), message_class(), descriptor_pool=self._pool, max_recursion_depth=_WELL_KNOWN_MAX_DEPTH
            )
        except json_format.ParseError as error:
            return shorten(str(error))
        except RecursionError:
            return "the value is nested too deeply"
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            # json_format lets some malformed input escape as these (an Any that is an array).
            return shorten(f"not a valid {message_class.DESCRIPTOR.full_name}: {error}")
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


def _accepts_null(plan: FieldPlan) -> bool:
    """google.protobuf.Value, and the NullValue enum, spell their null as JSON null."""
    if plan.well_known is not None:
        return plan.well_known.DESCRIPTOR.full_name == "google.protobuf.Value"
    return plan.enum is not None and plan.enum.full_name == "google.protobuf.NullValue"


def _check_map_key(plan: FieldPlan, key: object, path: str) -> Iterator[ValidationIssue]:
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


def _enum_problem(enum: EnumPlan, value: object) -> tuple[str, str] | None:
    if isinstance(value, str):
        if value not in enum.names:
            return f"{shorten(repr(value))} is not a value of enum {enum.full_name}", "enum"
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if not -(2**31) <= value <= 2**31 - 1:
            return f"{shorten(str(value))} is out of range for an enum (int32)", "range"
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
    type_name = SCALAR_TYPE_NAMES[field_type]
    if isinstance(value, str):
        if value in _FLOAT_WORDS:
            return None
        if _NUMBER_TEXT.fullmatch(value) is None:
            return f"{shorten(repr(value))} is not a {type_name}", "format"
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
        return f"{shorten(str(value))} is out of range for a {type_name}", "range"
    return None


def _integer_problem(field_type: int, value: object) -> tuple[str, str] | None:
    type_name = SCALAR_TYPE_NAMES[field_type]
    if isinstance(value, str):
        number = _integer_from_text(value)
        if number is None:
            return f"{shorten(repr(value))} is not an integer", "format"
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
        return f"{shorten(str(number))} is out of range for a {type_name} ({low}..{high})", "range"
    return None


def _integer_from_text(text: str) -> int | None:
    if _NUMBER_TEXT.fullmatch(text) is None:
        return None
    number = decimal.Decimal(text)
    if number != number.to_integral_value():
        return None
    return int(number)


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
