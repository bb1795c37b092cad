"""JSON Schema as a registry format: checking schemas, normalising them, validating documents.

Pure domain code (no HTTP, no SQL). Other layers use four functions:

* ``parse_schema`` accepts or rejects a submitted schema (size limits, metaschema,
  ECMA-262 patterns, local ``$ref`` resolution, ``$ref`` cycles);
* ``canonical_text`` gives the text used for duplicate detection;
* ``strip_annotations`` removes annotation keywords so an annotation-only change can be
  recognised;
* ``compile_validator`` builds a reusable, thread- and greenlet-safe validator whose
  ``validate`` returns ``ValidationIssue``s.

Decisions worth knowing:

* Dialects: draft-04, -06, -07, 2019-09 and 2020-12, chosen by the root ``$schema``
  (http or https, with or without a trailing ``#``); 2020-12 when absent.
* ``$ref``: local references only (JSON pointers, anchors, ids of resources inside the
  document) plus the official metaschemas bundled with ``jsonschema``, and the schemas
  the registry resolved from the schema's references (``reference_resources``). Nothing
  is ever fetched: every registry used here refuses retrieval.
* References: a ``$ref`` whose URI (before ``#``) is a reference's name, as written or
  resolved against the schema's ``$id``, reaches that schema; fragments point into it.
  A referenced schema without ``$schema`` is read in the referencing schema's dialect;
  one that names another dialect is refused (validation applies one dialect throughout).
  Problems inside a referenced schema are located as ``<name>#<JSON pointer>``.
* ``pattern``, ``patternProperties`` and ``format: "regex"`` use ECMA-262 semantics via
  the ``regex`` package with a per-match timeout and a per-validation time budget, so a
  catastrophic pattern cannot hang a worker. See ``translate_ecma_regex``.
* Formats are asserted (not just annotated) for a fixed set that needs no extra package:
  date-time, date, time, email, idn-email, ipv4, ipv6, uuid and regex, each only in the
  drafts that define it. Other formats stay annotations. Asserting is deliberate even in
  2019-09/2020-12 (where the spec makes it opt-in): producers expect "date-time" to mean it.
* Annotation keywords (see ``ANNOTATION_KEYWORDS``) are the metadata vocabulary:
  title, description, default, examples, $comment, deprecated, readOnly, writeOnly.
  Vendor extension keywords (``x-...``) and ``content*`` keywords are *not* stripped.
* ``schema_path`` of a validation issue is the keyword location along the evaluation path
  (the standard output format's ``keywordLocation``): it goes *through* ``$ref``, e.g.
  ``/properties/home/$ref/properties/zip/pattern``.
"""

from __future__ import annotations

import contextvars
import datetime
import ipaddress
import math
import re as _stdlib_re  # only for fixed, linear patterns written in this module
import reprlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

import jsonschema.validators
import orjson
import referencing
import referencing.exceptions
import referencing.jsonschema
import regex
from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from jsonschema_specifications import REGISTRY as _BUNDLED_METASCHEMAS

from registry.domain.errors import InvalidSchema, SchemaTooLarge
from registry.domain.model import SchemaProblem, ValidationIssue
from registry.domain.pointers import escape_token

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = [
    "ANNOTATION_KEYWORDS",
    "CompiledValidator",
    "Limits",
    "PATTERN_COMPILE_BUDGET_SECONDS",
    "PATTERN_MATCH_TIMEOUT_SECONDS",
    "PATTERN_TIME_BUDGET_SECONDS",
    "SchemaWithReferences",
    "canonical_text",
    "compile_validator",
    "ecma_pattern_error",
    "parse_schema",
    "reference_resources",
    "strip_annotations",
    "translate_ecma_regex",
]


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 64  # nesting depth of the schema document
    max_nodes: int = 100_000  # total JSON values in the schema


ANNOTATION_KEYWORDS = frozenset(
    {"title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly"}
)

# One pathological match may cost this much before the value is reported invalid.
PATTERN_MATCH_TIMEOUT_SECONDS = 0.1
# Total regex time one ``validate`` call may spend; bounds documents with many strings
# that each hit the per-match timeout.
PATTERN_TIME_BUDGET_SECONDS = 1.0

# Registering a schema may spend this long compiling its patterns (each one is bounded
# by _MAX_REPETITION_WEIGHT; this bounds schemas with very many of them).
PATTERN_COMPILE_BUDGET_SECONDS = 2.0

# Past this many, more problems with a submitted schema only make the response noisy.
_MAX_SCHEMA_PROBLEMS = 100
_MAX_MESSAGE_LENGTH = 500

# orjson (used for canonical text) only serialises integers in this range.
_MIN_JSON_INT = -(2**63)
_MAX_JSON_INT = 2**64 - 1


# --------------------------------------------------------------------------------------
# ECMA-262 regular expressions
# --------------------------------------------------------------------------------------


class InvalidEcmaPattern(ValueError):
    """A pattern is not a valid ECMA-262 regular expression (or cannot be supported)."""


_ECMA_WHITESPACE = r"\t\n\x0b\f\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ECMA_DOT = r"[^\n\r\u2028\u2029]"
_ASCII_WORD = "A-Za-z0-9_"
_QUANTIFIER_BRACES = _stdlib_re.compile(r"\{(\d+)(,(\d*))?\}", _stdlib_re.ASCII)
_GROUP_NAME = _stdlib_re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")
_HEX2 = _stdlib_re.compile(r"[0-9A-Fa-f]{2}")
_HEX4 = _stdlib_re.compile(r"[0-9A-Fa-f]{4}")
_BRACED_HEX = _stdlib_re.compile(r"\{([0-9A-Fa-f]{1,6})\}")
_PROPERTY_BODY = _stdlib_re.compile(r"\{[A-Za-z0-9_=]+\}")
_DIGITS = _stdlib_re.compile(r"\d+", _stdlib_re.ASCII)

# ``a{100000}`` compiles in about 0.1 s; the cost grows with the product of nested counts.
_MAX_REPETITION_WEIGHT = 100_000

# Escapes whose meaning is the same in ECMA-262 and in the ``regex`` package.
_SHARED_CONTROL_ESCAPES = frozenset("fnrtv")


def translate_ecma_regex(pattern: str) -> str:
    """Rewrite an ECMA-262 (unicode mode) pattern into an equivalent ``regex`` pattern.

    Differences handled: ``\\d``/``\\w``/``\\b`` are ASCII-only and ``\\s`` is ECMA's
    whitespace set; ``.`` excludes all four line terminators; ``$`` matches only at the
    very end (Python's also matches before a final newline); ``\\cX``, ``\\u{...}``,
    surrogate pairs, ``\\k<name>``, ``[]`` and ``[^]``; ``{`` that is not a quantifier is
    literal. Python-only syntax (inline flags, atomic groups, possessive quantifiers,
    ``\\A``/``\\Z``, backtracking verbs, ...) is rejected rather than silently accepted.
    Known residual difference: ``\\D``, ``\\W`` and ``\\S`` *inside* a character class keep
    Unicode semantics.

    Also refuses nested counted repetition whose product exceeds
    ``_MAX_REPETITION_WEIGHT`` (``(a{1000}){1000}``): the ``regex`` compiler unrolls it,
    taking seconds that no timeout interrupts. Raises ``InvalidEcmaPattern``.
    """
    out: list[str] = []
    index = 0
    length = len(pattern)
    in_class = False
    # Largest product of repetition bounds inside each open group (the root is index 0),
    # and that of the group just closed while the next token may still quantify it.
    group_weights = [1]
    closed_group_weight: int | None = None

    def quantified(bound: int) -> None:
        weight = (closed_group_weight or 1) * max(bound, 1)
        if weight > _MAX_REPETITION_WEIGHT:
            raise InvalidEcmaPattern(
                f"nested repetition counts multiply to {weight}, more than {_MAX_REPETITION_WEIGHT}"
            )
        group_weights[-1] = max(group_weights[-1], weight)

    while index < length:
        char = pattern[index]
        if char == ")" and not in_class:
            inner = group_weights.pop() if len(group_weights) > 1 else 1
            group_weights[-1] = max(group_weights[-1], inner)
            closed_group_weight = inner
            out.append(")")
            index += 1
            continue
        if not in_class and char in "*+?{":
            match = _QUANTIFIER_BRACES.match(pattern, index) if char == "{" else None
            if char != "{" or match is not None:
                quantified(_upper_repetition_bound(match))
        closed_group_weight = None
        if char == "\\":
            text, index = _translate_escape(pattern, index, in_class)
            out.append(text)
            continue
        if in_class:
            if char == "]":
                in_class = False
                out.append("]")
            elif char in "[&~|":
                # Literal in ECMA; nested sets / set operators in ``regex``.
                out.append("\\" + char)
            else:
                out.append(char)
            index += 1
            continue
        if char == "[":
            if pattern.startswith("[]", index):
                out.append("(?!)")  # ECMA: empty class, matches nothing
                index += 2
            elif pattern.startswith("[^]", index):
                out.append(r"[\s\S]")  # ECMA: any character at all
                index += 3
            else:
                in_class = True
                out.append("[")
                index += 1
                if index < length and pattern[index] == "^":
                    out.append("^")
                    index += 1
            continue
        if char == ".":
            out.append(_ECMA_DOT)
        elif char == "$":
            out.append(r"\Z")
        elif char == "(":
            text, index = _translate_group_opening(pattern, index)
            out.append(text)
            group_weights.append(1)
            continue
        elif char == "{":
            match = _QUANTIFIER_BRACES.match(pattern, index)
            if match is None:
                out.append(r"\{")
            else:
                out.append(match.group(0))
                index = _after_quantifier(pattern, match.end(), out)
                continue
        elif char == "}":
            out.append(r"\}")
        elif char in "*+?":
            out.append(char)
            index = _after_quantifier(pattern, index + 1, out)
            continue
        else:
            out.append(char)
        index += 1
    if in_class:
        raise InvalidEcmaPattern("unterminated character class")
    return "".join(out)


def _upper_repetition_bound(braces: _stdlib_re.Match[str] | None) -> int:
    """How many copies a counted quantifier may make; 1 for ``*``, ``+``, ``?`` and
    open ranges, which compile to loops rather than copies."""
    if braces is None:
        return 1
    if braces.group(2) is None:  # {n}
        return int(braces.group(1))
    upper = braces.group(3)
    return int(upper) if upper else 1


def _after_quantifier(pattern: str, index: int, out: list[str]) -> int:
    if index < len(pattern) and pattern[index] == "?":
        out.append("?")  # lazy quantifier, same in both dialects
        index += 1
    if index < len(pattern) and pattern[index] == "+":
        raise InvalidEcmaPattern("possessive quantifiers are not ECMA-262 (nothing to repeat)")
    return index


def _translate_group_opening(pattern: str, index: int) -> tuple[str, int]:
    following = pattern[index + 1 : index + 2]
    if following == "*":
        raise InvalidEcmaPattern("nothing to repeat after '('")
    if following != "?":
        return "(", index + 1
    for opening in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
        if pattern.startswith(opening, index):
            return opening, index + len(opening)
    name = _GROUP_NAME.match(pattern, index + 2)
    if name is not None:
        return f"(?P<{name.group(1)}>", name.end()
    raise InvalidEcmaPattern(
        f"unsupported group syntax at position {index}: ECMA-262 allows only "
        "(?:...), (?=...), (?!...), (?<=...), (?<!...) and (?<name>...)"
    )


def _translate_escape(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    if index + 1 >= len(pattern):
        raise InvalidEcmaPattern("pattern ends with a lone backslash")
    char = pattern[index + 1]
    after = index + 2
    if char == "d":
        return ("0-9" if in_class else "[0-9]"), after
    if char == "D":
        return (r"\D" if in_class else "[^0-9]"), after
    if char == "w":
        return (_ASCII_WORD if in_class else f"[{_ASCII_WORD}]"), after
    if char == "W":
        return (r"\W" if in_class else f"[^{_ASCII_WORD}]"), after
    if char == "s":
        return (_ECMA_WHITESPACE if in_class else f"[{_ECMA_WHITESPACE}]"), after
    if char == "S":
        return (r"\S" if in_class else f"[^{_ECMA_WHITESPACE}]"), after
    if char == "b":
        return (r"\x08" if in_class else r"(?a:\b)"), after
    if char == "B":
        if in_class:
            raise InvalidEcmaPattern(r"\B is not allowed in a character class")
        return r"(?a:\B)", after
    if char in _SHARED_CONTROL_ESCAPES:
        return "\\" + char, after
    if char == "c":
        letter = pattern[after : after + 1]
        if not ("a" <= letter.lower() <= "z"):
            raise InvalidEcmaPattern(r"\c must be followed by a letter")
        return f"\\x{ord(letter) % 32:02x}", after + 1
    if char == "x":
        if _HEX2.match(pattern, after) is None:
            raise InvalidEcmaPattern(r"\x must be followed by two hex digits")
        return pattern[index : after + 2], after + 2
    if char == "u":
        return _translate_unicode_escape(pattern, after)
    if char in "pP":
        body = _PROPERTY_BODY.match(pattern, after)
        if body is None:
            raise InvalidEcmaPattern(f"\\{char} must be followed by {{property}}")
        return "\\" + char + body.group(0), body.end()
    if char == "k":
        name = _GROUP_NAME.match(pattern, after)
        if name is None or in_class:
            raise InvalidEcmaPattern(r"\k must be followed by <group name> outside a class")
        return f"(?P={name.group(1)})", name.end()
    if char == "0":
        if pattern[after : after + 1].isdigit():
            raise InvalidEcmaPattern("octal escapes are not ECMA-262 (unicode mode)")
        return r"\x00", after
    if char in "123456789":
        if in_class:
            raise InvalidEcmaPattern("back-references are not allowed in a character class")
        digits = _DIGITS.match(pattern, index + 1)
        assert digits is not None
        return f"\\g<{digits.group(0)}>", digits.end()
    if char.isascii() and char.isalnum():
        raise InvalidEcmaPattern(f"\\{char} is not a valid ECMA-262 escape")
    # Identity escape of punctuation: a literal character.
    return regex.escape(char), after


def _translate_unicode_escape(pattern: str, after: int) -> tuple[str, int]:
    braced = _BRACED_HEX.match(pattern, after)
    if braced is not None:
        code_point = int(braced.group(1), 16)
        if code_point > 0x10FFFF:
            raise InvalidEcmaPattern(r"\u{...} code point out of range")
        return f"\\U{code_point:08x}", braced.end()
    if _HEX4.match(pattern, after) is None:
        raise InvalidEcmaPattern(r"\u must be followed by four hex digits or {code point}")
    code_unit = int(pattern[after : after + 4], 16)
    end = after + 4
    # In unicode mode a surrogate pair written as two escapes is one code point.
    if 0xD800 <= code_unit <= 0xDBFF and pattern.startswith("\\u", end) and _HEX4.match(pattern, end + 2):
        low = int(pattern[end + 2 : end + 6], 16)
        if 0xDC00 <= low <= 0xDFFF:
            code_point = 0x10000 + ((code_unit - 0xD800) << 10) + (low - 0xDC00)
            return f"\\U{code_point:08x}", end + 6
    return f"\\u{code_unit:04x}", end


@lru_cache(maxsize=1024)
def _compile_ecma(pattern: str) -> regex.Pattern[str]:
    translated = translate_ecma_regex(pattern)
    try:
        return regex.compile(translated, regex.V0)
    except (regex.error, OverflowError, RecursionError) as error:
        raise InvalidEcmaPattern(str(error)) from None


def ecma_pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` is not an acceptable ECMA-262 regex, or None when it is."""
    try:
        _compile_ecma(pattern)
    except InvalidEcmaPattern as error:
        return str(error)
    return None


class _ValidationContext:
    """State of one ``validate`` call (one per call, never shared): the regex time left,
    and the validator's precompiled patterns (so a schema with more patterns than the
    shared cache holds does not recompile them on every call)."""

    __slots__ = ("remaining", "patterns")

    def __init__(self, seconds: float, patterns: Mapping[str, regex.Pattern[str]]) -> None:
        self.remaining = seconds
        self.patterns = patterns


# Greenlets (gevent) and threads each see their own value.
_validation_context: contextvars.ContextVar[_ValidationContext | None] = contextvars.ContextVar(
    "json_schema_validation_context", default=None
)


def _pattern_matches(pattern: str, text: str) -> bool:
    """ECMA ``search`` semantics; raises TimeoutError (time spent) or InvalidEcmaPattern."""
    context = _validation_context.get()
    if context is None:
        return _compile_ecma(pattern).search(text, timeout=PATTERN_MATCH_TIMEOUT_SECONDS) is not None
    compiled = context.patterns.get(pattern) or _compile_ecma(pattern)
    if context.remaining <= 0:
        raise TimeoutError("regex time budget for this document is spent")
    started = time.perf_counter()
    try:
        return compiled.search(text, timeout=min(PATTERN_MATCH_TIMEOUT_SECONDS, context.remaining)) is not None
    finally:
        context.remaining -= time.perf_counter() - started


def _pattern_matches_or_unknown(pattern: str, text: str) -> bool:
    """For bookkeeping (which keys are 'covered'): an unanswerable match counts as a match,
    because the ``patternProperties`` keyword itself reports the failure."""
    try:
        return _pattern_matches(pattern, text)
    except (TimeoutError, InvalidEcmaPattern):
        return True


# --------------------------------------------------------------------------------------
# Formats (only checkers that need no extra package)
# --------------------------------------------------------------------------------------

_DATE = _stdlib_re.compile(r"(\d{4})-(\d{2})-(\d{2})", _stdlib_re.ASCII)
_TIME = _stdlib_re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))", _stdlib_re.ASCII)
_IPV4 = _stdlib_re.compile(r"\d{1,3}(?:\.\d{1,3}){3}", _stdlib_re.ASCII)


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE.fullmatch(value)
    if match is None:
        return False
    try:
        datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def _is_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _TIME.fullmatch(value)
    if match is None:
        return False
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    offset_hours = int(match[6] or 0)
    offset_minutes = int(match[7] or 0)
    if hour > 23 or minute > 59 or second > 60 or offset_hours > 23 or offset_minutes > 59:
        return False
    if second == 60:
        # RFC 3339: a leap second is only ever 23:59:60 in UTC.
        sign = -1 if match[5] == "-" else 1
        utc_minutes = (hour * 60 + minute - sign * (offset_hours * 60 + offset_minutes)) % (24 * 60)
        return utc_minutes == 23 * 60 + 59
    return True


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    date, separator, clock = value.partition("T") if "T" in value else value.partition("t")
    return bool(separator) and _is_date(date) and _is_time(clock)


def _is_email(value: object) -> bool:
    # Pragmatic: one '@' with something on both sides and no whitespace. Full RFC 5322
    # parsing rejects little that matters and accepts much that is surprising.
    if not isinstance(value, str):
        return True
    local, at, domain = value.rpartition("@")
    return bool(at and local and domain) and not any(char.isspace() for char in value)


def _is_ipv4(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _IPV4.fullmatch(value) is None:
        return False
    try:
        ipaddress.IPv4Address(value)  # rejects octets > 255 and leading zeros
    except ValueError:
        return False
    return True


def _is_ipv6(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not value.isascii() or "%" in value:  # zone ids are not part of the format
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def _is_ecma_regex(value: object) -> bool:
    return not isinstance(value, str) or ecma_pattern_error(value) is None


_FORMAT_CHECKS: dict[str, Callable[[object], bool]] = {
    "date-time": _is_date_time,
    "date": _is_date,
    "time": _is_time,
    "email": _is_email,
    "idn-email": _is_email,
    "ipv4": _is_ipv4,
    "ipv6": _is_ipv6,
    "regex": _is_ecma_regex,
}
_DRAFT4_FORMATS = frozenset({"date-time", "email", "ipv4", "ipv6", "regex"})
_DRAFT7_FORMATS = _DRAFT4_FORMATS | {"date", "time", "idn-email"}
# 2019-09 and 2020-12 made `format` an annotation unless a schema opts into the
# format-assertion vocabulary; the official test suite expects exactly that.
_ANNOTATION_ONLY: frozenset[str] = frozenset()


def _format_checker(formats: frozenset[str]) -> FormatChecker:
    checker = FormatChecker(formats=())
    for name in sorted(formats):
        checker.checks(name)(_FORMAT_CHECKS[name])
    return checker


# --------------------------------------------------------------------------------------
# Keyword implementations replacing jsonschema's (which use Python ``re``)
# --------------------------------------------------------------------------------------


def _ref_keyword(validator: Any, ref: str, instance: object, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    # jsonschema leaves "$ref" out of schema paths; the standard keyword location has it.
    for error in validator._validate_reference(ref=ref, instance=instance):
        error.relative_schema_path.appendleft("$ref")
        yield error


def _pattern_keyword(
    validator: Any, pattern: str, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        matched = _pattern_matches(pattern, instance)
    except TimeoutError:
        yield ValidationError(
            f"{_short_repr(instance)} could not be checked against pattern {pattern!r} in time "
            "(the pattern is too expensive for this value), so it is treated as not matching"
        )
        return
    except InvalidEcmaPattern as error:
        yield ValidationError(f"pattern {pattern!r} is not a valid ECMA-262 regular expression: {error}")
        return
    if not matched:
        yield ValidationError(f"{_short_repr(instance)} does not match {pattern!r}")


def _pattern_properties_keyword(
    validator: Any, pattern_properties: Mapping[str, Any], instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in pattern_properties.items():
        for name, value in instance.items():
            try:
                matched = _pattern_matches(pattern, name)
            except TimeoutError:
                yield ValidationError(
                    f"property name {_short_repr(name)} could not be checked against {pattern!r} in time",
                    path=(name,),
                    schema_path=(pattern,),
                )
                continue
            except InvalidEcmaPattern as error:
                yield ValidationError(
                    f"{pattern!r} is not a valid ECMA-262 regular expression: {error}", schema_path=(pattern,)
                )
                break
            if matched:
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_property_names(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    return [
        name
        for name in instance
        if name not in properties and not any(_pattern_matches_or_unknown(pattern, name) for pattern in patterns)
    ]


def _quoted_names(names: Iterable[str]) -> tuple[str, str]:
    names = list(names)
    return ", ".join(repr(name) for name in names), ("was" if len(names) == 1 else "were")


def _additional_properties_keyword(
    validator: Any, additional: object, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    extras = _additional_property_names(instance, schema)
    if validator.is_type(additional, "object"):
        for name in extras:
            yield from validator.descend(instance[name], additional, path=name)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            patterns = ", ".join(repr(pattern) for pattern in sorted(schema["patternProperties"]))
            joined = ", ".join(repr(name) for name in sorted(extras))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            joined, verb = _quoted_names(sorted(extras, key=str))
            yield ValidationError(f"Additional properties are not allowed ({joined} {verb} unexpected)")


def _is_valid(errors: Iterator[ValidationError]) -> bool:
    return next(errors, None) is None


def _evaluated_property_names(validator: Any, instance: Mapping[str, Any], schema: object, draft2019: bool) -> set[str]:
    """Port of jsonschema's helper (2020-12 and 2019-09 variants) with ECMA patterns."""
    if not isinstance(schema, dict):
        return set()
    evaluated: set[str] = set()

    def follow(resolved: Any) -> None:
        evaluated.update(
            _evaluated_property_names(
                validator.evolve(schema=resolved.contents, _resolver=resolved.resolver),
                instance,
                resolved.contents,
                draft2019,
            )
        )

    if (ref := schema.get("$ref")) is not None:
        follow(validator._resolver.lookup(ref))
    if draft2019:
        if "$recursiveRef" in schema:
            follow(referencing.jsonschema.lookup_recursive_ref(validator._resolver))
        for keyword in ("properties", "additionalProperties", "unevaluatedProperties"):
            value = schema.get(keyword)
            if value is True:
                evaluated.update(instance)
            elif isinstance(value, dict):
                evaluated.update(name for name in value if name in instance)
    else:
        if (dynamic_ref := schema.get("$dynamicRef")) is not None:
            follow(validator._resolver.lookup(dynamic_ref))
        properties = schema.get("properties")
        if isinstance(properties, dict):
            evaluated.update(properties.keys() & instance.keys())
        for keyword in ("additionalProperties", "unevaluatedProperties"):
            if (subschema := schema.get(keyword)) is None:
                continue
            evaluated.update(name for name, value in instance.items() if _is_valid(validator.descend(value, subschema)))

    for pattern in schema.get("patternProperties", {}):
        evaluated.update(name for name in instance if _pattern_matches_or_unknown(pattern, name))

    for name, subschema in schema.get("dependentSchemas", {}).items():
        if name in instance:
            evaluated |= _evaluated_property_names(validator, instance, subschema, draft2019)

    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _is_valid(validator.descend(instance, subschema)):
                evaluated |= _evaluated_property_names(validator, instance, subschema, draft2019)

    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            evaluated |= _evaluated_property_names(validator, instance, schema["if"], draft2019)
            if "then" in schema:
                evaluated |= _evaluated_property_names(validator, instance, schema["then"], draft2019)
        elif "else" in schema:
            evaluated |= _evaluated_property_names(validator, instance, schema["else"], draft2019)
    return evaluated


def _unevaluated_properties_keyword(draft2019: bool) -> Callable[..., Iterator[ValidationError]]:
    def unevaluated_properties(
        validator: Any, unevaluated: object, instance: object, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        if not validator.is_type(instance, "object"):
            return
        evaluated = _evaluated_property_names(validator, instance, schema, draft2019)
        failing = [
            name
            for name in instance
            if name not in evaluated
            and not _is_valid(validator.descend(instance[name], unevaluated, path=name, schema_path=name))
        ]
        if not failing:
            return
        if unevaluated is False:
            joined, verb = _quoted_names(sorted(failing, key=str))
            yield ValidationError(f"Unevaluated properties are not allowed ({joined} {verb} unexpected)")
        else:
            joined, verb = _quoted_names(failing)
            yield ValidationError(
                f"Unevaluated properties are not valid under the given schema ({joined} {verb} unevaluated and invalid)"
            )

    return unevaluated_properties


# --------------------------------------------------------------------------------------
# Dialects: which keywords hold subschemas, and the validator machinery for each
# --------------------------------------------------------------------------------------


class _Holds(Enum):
    SCHEMA = "schema"
    SCHEMA_ARRAY = "array of schemas"
    SCHEMA_MAP = "map of name to schema"  # keys are names, never keywords
    SCHEMA_OR_ARRAY = "schema or array of schemas"


@dataclass(frozen=True, slots=True)
class _SubschemaKeyword:
    holds: _Holds
    # Applies its subschema(s) to the *same* instance (a $ref cycle through only these
    # never terminates); False when it moves to a child value or is not applied at all.
    in_place: bool


_COMMON_KEYWORDS: dict[str, _SubschemaKeyword] = {
    "properties": _SubschemaKeyword(_Holds.SCHEMA_MAP, False),
    "patternProperties": _SubschemaKeyword(_Holds.SCHEMA_MAP, False),
    "additionalProperties": _SubschemaKeyword(_Holds.SCHEMA, False),
    "allOf": _SubschemaKeyword(_Holds.SCHEMA_ARRAY, True),
    "anyOf": _SubschemaKeyword(_Holds.SCHEMA_ARRAY, True),
    "oneOf": _SubschemaKeyword(_Holds.SCHEMA_ARRAY, True),
    "not": _SubschemaKeyword(_Holds.SCHEMA, True),
    # Both spellings in every draft: people mix them and reference them by JSON pointer.
    "definitions": _SubschemaKeyword(_Holds.SCHEMA_MAP, False),
    "$defs": _SubschemaKeyword(_Holds.SCHEMA_MAP, False),
}
_DRAFT4_KEYWORDS = _COMMON_KEYWORDS | {
    "items": _SubschemaKeyword(_Holds.SCHEMA_OR_ARRAY, False),
    "additionalItems": _SubschemaKeyword(_Holds.SCHEMA, False),
    "dependencies": _SubschemaKeyword(_Holds.SCHEMA_MAP, True),  # array values are skipped
}
_DRAFT6_KEYWORDS = _DRAFT4_KEYWORDS | {
    "contains": _SubschemaKeyword(_Holds.SCHEMA, False),
    "propertyNames": _SubschemaKeyword(_Holds.SCHEMA, False),
}
_DRAFT7_KEYWORDS = _DRAFT6_KEYWORDS | {
    "if": _SubschemaKeyword(_Holds.SCHEMA, True),
    "then": _SubschemaKeyword(_Holds.SCHEMA, True),
    "else": _SubschemaKeyword(_Holds.SCHEMA, True),
}
_DRAFT2019_KEYWORDS = {key: value for key, value in _DRAFT7_KEYWORDS.items() if key != "dependencies"} | {
    "dependentSchemas": _SubschemaKeyword(_Holds.SCHEMA_MAP, True),
    "unevaluatedItems": _SubschemaKeyword(_Holds.SCHEMA, False),
    "unevaluatedProperties": _SubschemaKeyword(_Holds.SCHEMA, False),
    "contentSchema": _SubschemaKeyword(_Holds.SCHEMA, False),
}
_DRAFT2020_KEYWORDS = _DRAFT2019_KEYWORDS | {
    "items": _SubschemaKeyword(_Holds.SCHEMA, False),
    "prefixItems": _SubschemaKeyword(_Holds.SCHEMA_ARRAY, False),
}
del _DRAFT2020_KEYWORDS["additionalItems"]


def _refuse_retrieval(uri: str) -> referencing.Resource[Any]:
    # Never fetch anything (SSRF, latency, non-reproducible validation).
    raise referencing.exceptions.NoSuchResource(ref=uri)


# Official metaschemas (bundled, no network) and nothing else.
_OFFLINE_REGISTRY: referencing.Registry[Any] = _BUNDLED_METASCHEMAS.combine(
    referencing.Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]
).crawl()


def _resolver_for(
    document: object,
    specification: referencing.Specification[Any],
    references: Mapping[str, object] | None = None,
) -> Resolver[Any]:
    resource = specification.create_resource(document)
    root_uri = resource.id() or ""
    registry = _OFFLINE_REGISTRY.with_resource(root_uri, resource)
    if references:
        # Referenced schemas are read in the referencing schema's dialect (parse_schema
        # refuses one that names another).
        registry = registry.with_resources(
            (uri, specification.create_resource(referenced))
            for uri, referenced in references.items()
            if uri != root_uri
        )
    # Crawled up front so lookups on the hot path are dictionary hits, not re-crawls.
    return registry.crawl().resolver(base_uri=root_uri)


@dataclass(frozen=True, slots=True)
class _Dialect:
    name: str
    keywords: Mapping[str, _SubschemaKeyword]
    ref_keywords: tuple[str, ...]
    ref_overrides_siblings: bool  # drafts up to 7 ignore every keyword next to $ref
    specification: referencing.Specification[Any]
    validator_class: type[Any]
    format_checker: FormatChecker
    metaschema_validator: Any


def _build_dialect(
    name: str,
    stock_class: type[Any],
    keywords: Mapping[str, _SubschemaKeyword],
    formats: frozenset[str],
    ref_keywords: tuple[str, ...],
) -> _Dialect:
    replacements: dict[str, Callable[..., Iterator[ValidationError]]] = {
        "$ref": _ref_keyword,
        "pattern": _pattern_keyword,
        "patternProperties": _pattern_properties_keyword,
        "additionalProperties": _additional_properties_keyword,
    }
    if name == "2019-09":
        replacements["unevaluatedProperties"] = _unevaluated_properties_keyword(draft2019=True)
    elif name == "2020-12":
        replacements["unevaluatedProperties"] = _unevaluated_properties_keyword(draft2019=False)
    specification = referencing.jsonschema.specification_with(stock_class.META_SCHEMA["$schema"])
    metaschema = stock_class.META_SCHEMA
    return _Dialect(
        name=name,
        keywords=keywords,
        ref_keywords=ref_keywords,
        ref_overrides_siblings=name in {"draft-04", "draft-06", "draft-07"},
        specification=specification,
        validator_class=jsonschema.validators.extend(stock_class, validators=replacements),
        format_checker=_format_checker(formats),
        # No format checking here: ``pattern`` values are checked by our own walk, with
        # precise pointers, and the stock "regex" format checker is Python ``re``.
        metaschema_validator=stock_class(metaschema, _resolver=_resolver_for(metaschema, specification)),
    )


_DIALECTS: dict[str, _Dialect] = {
    dialect.name: dialect
    for dialect in (
        _build_dialect("draft-04", jsonschema.validators.Draft4Validator, _DRAFT4_KEYWORDS, _DRAFT4_FORMATS, ("$ref",)),
        _build_dialect("draft-06", jsonschema.validators.Draft6Validator, _DRAFT6_KEYWORDS, _DRAFT4_FORMATS, ("$ref",)),
        _build_dialect("draft-07", jsonschema.validators.Draft7Validator, _DRAFT7_KEYWORDS, _DRAFT7_FORMATS, ("$ref",)),
        _build_dialect(
            "2019-09",
            jsonschema.validators.Draft201909Validator,
            _DRAFT2019_KEYWORDS,
            _ANNOTATION_ONLY,
            ("$ref", "$recursiveRef"),
        ),
        _build_dialect(
            "2020-12",
            jsonschema.validators.Draft202012Validator,
            _DRAFT2020_KEYWORDS,
            _ANNOTATION_ONLY,
            ("$ref", "$dynamicRef"),
        ),
    )
}
# Keyed by the URI without scheme and without a trailing '#'.
_DIALECT_BY_URI: dict[str, _Dialect] = {
    "json-schema.org/draft-04/schema": _DIALECTS["draft-04"],
    "json-schema.org/draft-06/schema": _DIALECTS["draft-06"],
    "json-schema.org/draft-07/schema": _DIALECTS["draft-07"],
    "json-schema.org/draft/2019-09/schema": _DIALECTS["2019-09"],
    "json-schema.org/draft/2020-12/schema": _DIALECTS["2020-12"],
}
_DEFAULT_DIALECT = _DIALECTS["2020-12"]


def _lookup_dialect(uri: object) -> _Dialect | None:
    if not isinstance(uri, str):
        return None
    for scheme in ("https://", "http://"):
        if uri[: len(scheme)].lower() == scheme:
            key = uri[len(scheme) :]
            break
    else:
        return None
    return _DIALECT_BY_URI.get(key[:-1] if key.endswith("#") else key)


def _dialect_of(document: object) -> _Dialect:
    if not isinstance(document, dict) or "$schema" not in document:
        return _DEFAULT_DIALECT
    uri = document["$schema"]
    if not isinstance(uri, str):
        raise InvalidSchema(
            "$schema must be a string",
            problems=[SchemaProblem(location="/$schema", message="$schema must be a string URI")],
        )
    dialect = _lookup_dialect(uri)
    if dialect is None:
        raise InvalidSchema(
            f"unknown $schema {uri!r}",
            problems=[
                SchemaProblem(
                    location="/$schema",
                    message=f"unknown $schema {uri!r}; supported: "
                    "http(s)://json-schema.org/draft-04/schema#, draft-06, draft-07, "
                    "draft/2019-09 and draft/2020-12 (the default)",
                )
            ],
        )
    return dialect


# --------------------------------------------------------------------------------------
# Walking a schema document
# --------------------------------------------------------------------------------------


def _pointer(tokens: Iterable[object]) -> str:
    return "".join("/" + escape_token(token) for token in tokens)


def _is_schema(value: object) -> bool:
    return isinstance(value, dict | bool)


def _subschemas(node: Mapping[str, Any], dialect: _Dialect) -> Iterator[tuple[str, object, bool]]:
    """(relative pointer, subschema, applies in place) for every subschema directly in node."""
    for keyword, value in node.items():
        spec = dialect.keywords.get(keyword)
        if spec is None:
            continue
        prefix = "/" + escape_token(keyword)
        holds = spec.holds
        if holds is _Holds.SCHEMA_OR_ARRAY:
            holds = _Holds.SCHEMA_ARRAY if isinstance(value, list) else _Holds.SCHEMA
        if holds is _Holds.SCHEMA:
            if _is_schema(value):
                yield prefix, value, spec.in_place
        elif holds is _Holds.SCHEMA_ARRAY:
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if _is_schema(item):
                        yield f"{prefix}/{index}", item, spec.in_place
        elif isinstance(value, dict):
            for name, item in value.items():
                if _is_schema(item):
                    yield f"{prefix}/{escape_token(name)}", item, spec.in_place


def _rebuild(node: object, dialect: _Dialect, dropped: frozenset[str]) -> object:
    """A copy of the schema tree without ``dropped`` keywords at any schema position.
    Non-schema values (enum, const, examples, unknown keywords, ...) are shared, not copied."""
    if not isinstance(node, dict):
        return node
    rebuilt: dict[str, Any] = {}
    for keyword, value in node.items():
        if keyword in dropped:
            continue
        spec = dialect.keywords.get(keyword)
        if spec is None:
            rebuilt[keyword] = value
        elif isinstance(value, list) and spec.holds in (_Holds.SCHEMA_ARRAY, _Holds.SCHEMA_OR_ARRAY):
            rebuilt[keyword] = [_rebuild(item, dialect, dropped) for item in value]
        elif isinstance(value, dict) and spec.holds is _Holds.SCHEMA_MAP:
            rebuilt[keyword] = {name: _rebuild(item, dialect, dropped) for name, item in value.items()}
        elif spec.holds in (_Holds.SCHEMA, _Holds.SCHEMA_OR_ARRAY):
            rebuilt[keyword] = _rebuild(value, dialect, dropped)
        else:
            rebuilt[keyword] = value
    return rebuilt


# Marks the stand-in for a ``false`` subschema in validation copies (compared by identity).
_FALSE_MARKER = "registry: stands for the false schema"

# jsonschema's descend() reports a ``false`` subschema without its instance path or schema
# path (e.g. ``"properties": {"gone": false}`` is reported at the parent object), so for
# validation such subschemas become an equivalent that is reported like any keyword. Only
# where jsonschema reaches them through descend(): single-schema keywords such as
# ``items``/``additionalProperties`` test for ``False`` themselves and keep it.
_DESCENDED_SINGLE_SCHEMA_KEYWORDS = frozenset({"then", "else"})


def _false_stand_in() -> dict[str, Any]:
    return {"not": {}, "$comment": _FALSE_MARKER}


def _validation_copy(document: object, dialect: _Dialect, schema_ids: set[int]) -> object:
    """The document as the validator gets it: a full copy in which every schema node (by
    identity, including ``$ref`` targets outside keyword positions) loses ``$schema`` and
    has its ``false`` subschemas replaced (see ``_false_stand_in``).

    Without any "$schema", jsonschema never swaps our extended validator class for its
    stock one, which it otherwise does for every schema naming a dialect (e.g. the target
    of ``"$ref": "#"``) - and the stock class matches ``pattern`` with Python ``re``.
    """

    def schema_child(item: object) -> object:
        return _false_stand_in() if item is False else copy(item)

    def copy(value: object) -> object:
        if isinstance(value, list):
            return [copy(item) for item in value]
        if not isinstance(value, dict):
            return value
        if id(value) not in schema_ids:
            return {key: copy(item) for key, item in value.items()}
        result: dict[str, Any] = {}
        for keyword, item in value.items():
            if keyword == "$schema":
                continue
            spec = dialect.keywords.get(keyword)
            if spec is None:
                result[keyword] = copy(item)
            elif isinstance(item, list) and spec.holds in (_Holds.SCHEMA_ARRAY, _Holds.SCHEMA_OR_ARRAY):
                result[keyword] = [schema_child(element) for element in item]
            elif isinstance(item, dict) and spec.holds is _Holds.SCHEMA_MAP:
                result[keyword] = {name: schema_child(element) for name, element in item.items()}
            elif keyword in _DESCENDED_SINGLE_SCHEMA_KEYWORDS:
                result[keyword] = schema_child(item)
            else:
                result[keyword] = copy(item)
        return result

    return copy(document)


# --------------------------------------------------------------------------------------
# parse_schema
# --------------------------------------------------------------------------------------


def _check_size_and_values(document: object, limits: Limits) -> None:
    # Iterative: a deeply nested document must not blow the Python stack before we reject it.
    # Entries: (value, depth if it is a container, parent entry index, key) - the pointer is
    # only built when something is wrong.
    entries: list[tuple[object, int, int, object]] = [(document, 1, -1, None)]
    pending = [0]
    nodes = 0

    def pointer_of(entry_index: int) -> str:
        tokens = []
        while entry_index > 0:
            _, _, parent, key = entries[entry_index]
            tokens.append(key)
            entry_index = parent
        return _pointer(reversed(tokens))

    def invalid(entry_index: int, message: str) -> InvalidSchema:
        location = pointer_of(entry_index)
        return InvalidSchema(message, problems=[SchemaProblem(location=location, message=message)])

    while pending:
        entry_index = pending.pop()
        value, depth, _, _ = entries[entry_index]
        nodes += 1
        if nodes > limits.max_nodes:
            message = f"schema has more than {limits.max_nodes} JSON values"
            raise SchemaTooLarge(message, problems=[SchemaProblem(location="", message=message)])
        if isinstance(value, dict | list):
            if depth > limits.max_depth:
                message = f"schema is nested more than {limits.max_depth} levels deep"
                raise SchemaTooLarge(
                    message, problems=[SchemaProblem(location=pointer_of(entry_index), message=message)]
                )
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in children:
                if isinstance(value, dict) and not isinstance(key, str):
                    raise invalid(entry_index, f"object key {key!r} is not a string")
                entries.append((child, depth + 1, entry_index, key))
                pending.append(len(entries) - 1)
        elif value is None or isinstance(value, str | bool):
            continue
        elif isinstance(value, int):
            if not _MIN_JSON_INT <= value <= _MAX_JSON_INT:
                raise invalid(entry_index, "integer is outside the supported 64-bit range")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise invalid(entry_index, "NaN and Infinity are not JSON numbers")
        else:
            raise invalid(entry_index, f"{type(value).__name__} is not a JSON value")


def _closest_sub_error(error: ValidationError) -> ValidationError | None:
    """For anyOf/oneOf: the branch failure most likely meant (None without branches)."""
    if not error.context:
        return None
    # best_match descends into a combinator's context (preferring errors whose branch
    # expects the instance's type) only from a list containing the combinator; when the
    # branches tie it returns the combinator itself, and any branch is then as good.
    best = best_match([error])
    if best is None or best is error:
        best = best_match(error.context)
    return best


def _readable_metaschema_error(error: ValidationError) -> str:
    closest = _closest_sub_error(error)
    if closest is not None:
        return _shorten(closest.message, closest.instance)
    return _shorten(error.message, error.instance)


def _metaschema_problems(document: object, dialect: _Dialect) -> list[SchemaProblem]:
    problems: list[SchemaProblem] = []
    seen: set[tuple[str, str]] = set()
    # 2020-12's metaschema reaches a keyword through several vocabularies, so one mistake
    # can surface several times.
    for error in dialect.metaschema_validator.iter_errors(document):
        problem = (_pointer(error.absolute_path), _readable_metaschema_error(error))
        if problem in seen:
            continue
        seen.add(problem)
        problems.append(SchemaProblem(location=problem[0], message=problem[1]))
        if len(problems) >= _MAX_SCHEMA_PROBLEMS:
            break
    return problems


def _describe_unresolvable(ref: str, error: Exception, has_references: bool) -> str:
    if isinstance(error, referencing.exceptions.PointerToNowhere):
        return f"$ref {ref!r} does not resolve: nothing exists at that JSON pointer in the schema"
    if isinstance(error, referencing.exceptions.NoSuchAnchor | referencing.exceptions.InvalidAnchor):
        return f"$ref {ref!r} does not resolve: the schema defines no such anchor"
    if isinstance(error, referencing.exceptions.Unresolvable) and has_references:
        return (
            f"$ref {ref!r} points outside this schema document and names none of the schemas it references; "
            "remote references are not allowed (they are never fetched) - add the schema as a reference "
            "or embed the definition under $defs"
        )
    if isinstance(error, referencing.exceptions.Unresolvable):
        return (
            f"$ref {ref!r} points outside this schema document; remote references are not allowed "
            "(they are never fetched) - embed the definition under $defs instead"
        )
    return f"$ref {ref!r} does not resolve: {error}"


@dataclass(slots=True)
class _SchemaNode:
    pointer: str  # JSON pointer; "<name>#<JSON pointer>" inside a referenced schema
    schema: dict[str, Any]
    resolver: Resolver[Any]


@dataclass(slots=True)
class _SchemaGraph:
    """Every schema object validation can reach, and how."""

    nodes: list[_SchemaNode]
    # Per node: (target node, pointer of the keyword) for subschemas applied to the same
    # instance, resolved references included.
    in_place_edges: list[list[tuple[int, str]]]
    unresolvable: list[SchemaProblem]


def _dict_pointers(document: object, prefix: str = "") -> dict[int, str]:
    """JSON pointer (after ``prefix``) of every object in the document, by identity."""
    pointers: dict[int, str] = {}
    pending: list[tuple[object, str]] = [(document, prefix)]
    while pending:
        value, pointer = pending.pop()
        if isinstance(value, dict):
            pointers[id(value)] = pointer
            pending.extend((item, f"{pointer}/{escape_token(key)}") for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((item, f"{pointer}/{index}") for index, item in enumerate(value))
    return pointers


def _reference_pointers(document: object, references: Mapping[str, object] | None) -> dict[int, str]:
    """Where every object of the document and of its referenced schemas is, by identity; a
    referenced schema's objects are located by the first URI it is known by (its name)."""
    pointers = _dict_pointers(document)
    seen: set[int] = set()
    for uri, referenced in (references or {}).items():
        if id(referenced) not in seen:
            seen.add(id(referenced))
            pointers.update(_dict_pointers(referenced, f"{uri}#"))
    return pointers


def _schema_graph(document: object, dialect: _Dialect, references: Mapping[str, object] | None = None) -> _SchemaGraph:
    """Walks keyword positions and, beyond them, the targets of ``$ref``s (which may sit
    anywhere in the document, e.g. under an unknown keyword, or in a referenced schema),
    so that every schema the validator can evaluate gets the same checks."""
    graph = _SchemaGraph(nodes=[], in_place_edges=[], unresolvable=[])
    if not isinstance(document, dict):
        return graph
    index_of: dict[int, int] = {}
    pointers: dict[int, str] | None = None  # built only if a $ref leaves keyword positions

    def add(pointer: str, schema: dict[str, Any], resolver: Resolver[Any]) -> int:
        index_of[id(schema)] = len(graph.nodes)
        graph.nodes.append(_SchemaNode(pointer, schema, resolver))
        graph.in_place_edges.append([])
        return len(graph.nodes) - 1

    add("", document, _resolver_for(document, dialect.specification, references))
    position = 0
    while position < len(graph.nodes):
        node = graph.nodes[position]
        edges = graph.in_place_edges[position]
        siblings_apply = not (dialect.ref_overrides_siblings and "$ref" in node.schema)
        for relative, child, in_place in _subschemas(node.schema, dialect):
            if not isinstance(child, dict):
                continue
            target = index_of.get(id(child))
            if target is None:
                resolver = node.resolver.in_subresource(dialect.specification.create_resource(child))
                target = add(node.pointer + relative, child, resolver)
            if in_place and siblings_apply:
                edges.append((target, node.pointer + relative))
        for keyword in dialect.ref_keywords:
            ref = node.schema.get(keyword)
            if not isinstance(ref, str):
                continue
            location = f"{node.pointer}/{escape_token(keyword)}"
            try:
                resolved = node.resolver.lookup(ref)
            except Exception as error:  # referencing raises ValueError/TypeError for odd pointers too
                graph.unresolvable.append(
                    SchemaProblem(location=location, message=_describe_unresolvable(ref, error, bool(references)))
                )
                continue
            contents = resolved.contents
            if not isinstance(contents, dict):
                continue
            target = index_of.get(id(contents))
            if target is None:
                if pointers is None:
                    pointers = _reference_pointers(document, references)
                if id(contents) not in pointers:
                    continue  # a bundled metaschema, not part of this document or its references
                target = add(pointers[id(contents)], contents, resolved.resolver)
            edges.append((target, location))
        position += 1
    return graph


def _patterns_in(nodes: list[_SchemaNode]) -> Iterator[tuple[str, str]]:
    """(pointer, pattern) for every ``pattern`` and ``patternProperties`` key."""
    for node in nodes:
        pattern = node.schema.get("pattern")
        if isinstance(pattern, str):
            yield node.pointer + "/pattern", pattern
        pattern_properties = node.schema.get("patternProperties")
        if isinstance(pattern_properties, dict):
            for pattern in pattern_properties:
                yield f"{node.pointer}/patternProperties/{escape_token(pattern)}", pattern


def _pattern_problems(nodes: list[_SchemaNode]) -> list[SchemaProblem]:
    problems = []
    started = time.perf_counter()
    for location, pattern in _patterns_in(nodes):
        if (reason := ecma_pattern_error(pattern)) is not None:
            message = f"{pattern!r} is not a valid ECMA-262 regular expression: {reason}"
            problems.append(SchemaProblem(location=location, message=message))
        if time.perf_counter() - started > PATTERN_COMPILE_BUDGET_SECONDS:
            # Compiling cannot be interrupted, so bound the total instead of each pattern.
            message = f"the schema's patterns take more than {PATTERN_COMPILE_BUDGET_SECONDS} s to compile"
            raise SchemaTooLarge(message, problems=[SchemaProblem(location=location, message=message)])
    return problems


def _embedded_dialect_problems(nodes: list[_SchemaNode], dialect: _Dialect) -> list[SchemaProblem]:
    """Embedded resources (2019-09+) may name a dialect; only the document's own is supported
    (validation applies the root's dialect throughout)."""
    problems = []
    for node in nodes[1:]:
        if "$schema" in node.schema and _lookup_dialect(node.schema["$schema"]) is not dialect:
            problems.append(
                SchemaProblem(
                    location=f"{node.pointer}/$schema",
                    message=f"an embedded schema may only name the document's own dialect ({dialect.name})",
                )
            )
    return problems


def _cycle_problem(graph: _SchemaGraph) -> SchemaProblem | None:
    """A reference cycle that never moves to a child value would recurse forever."""
    nodes, edges = graph.nodes, graph.in_place_edges
    unvisited, in_progress, done = 0, 1, 2
    state = [unvisited] * len(nodes)
    for start in range(len(nodes)):
        if state[start] != unvisited:
            continue
        state[start] = in_progress
        path = [start]
        iterators = [iter(edges[start])]
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                state[path.pop()] = done
                iterators.pop()
                continue
            target, location = step
            if state[target] == in_progress:
                cycle = path[path.index(target) :] + [target]
                route = " -> ".join(nodes[index].pointer or "#" for index in cycle)
                return SchemaProblem(
                    location=location,
                    message=f"reference cycle that never reaches a child value ({route}); "
                    "validation would never terminate",
                )
            if state[target] == unvisited:
                state[target] = in_progress
                path.append(target)
                iterators.append(iter(edges[target]))
    return None


@dataclass(frozen=True, slots=True, eq=False)
class SchemaWithReferences:
    """A schema together with the schemas its references resolved to: the document
    ``parse``/``load`` give for a schema registered with references. Never mutated."""

    schema: object  # the schema's own document
    dependencies: tuple[tuple[str, object], ...]  # (reference name, document), as given
    resources: Mapping[str, object]  # see reference_resources


def reference_resources(document: object, dependencies: Iterable[tuple[str, object]]) -> dict[str, object]:
    """Every URI a ``$ref`` of ``document`` may reach a referenced schema by: its name as
    written (without fragment), then that name resolved against the document's ``$id``
    (as Confluent registers references). A name given twice keeps its first document."""
    base = ""
    if isinstance(document, dict):
        identifier = _dialect_of(document).specification.create_resource(document).id()
        base = urldefrag(identifier).url if isinstance(identifier, str) else ""
    named = [(urldefrag(name).url, referenced) for name, referenced in dependencies]
    resources: dict[str, object] = {}
    for uri, referenced in named:
        resources.setdefault(uri, referenced)
    if base:
        for uri, referenced in named:
            absolute = urljoin(base, uri)
            if absolute != base:  # never shadow the document itself
                resources.setdefault(absolute, referenced)
    return resources


def _reference_problems(references: Mapping[str, object], dialect: _Dialect, limits: Limits) -> list[SchemaProblem]:
    """Referenced schemas were checked when they were registered; what matters here is
    that they are schemas of the same dialect and plain JSON within the limits."""
    problems: list[SchemaProblem] = []
    seen: set[int] = set()
    for uri, referenced in references.items():
        if id(referenced) in seen:
            continue
        seen.add(id(referenced))
        if not _is_schema(referenced):
            problems.append(
                SchemaProblem(location=f"{uri}#", message=f"the referenced schema {uri!r} is not a JSON Schema")
            )
            continue
        try:
            _check_size_and_values(referenced, limits)
        except InvalidSchema as error:
            located = [SchemaProblem(f"{uri}#{problem.location}", problem.message) for problem in error.problems]
            raise type(error)(f"referenced schema {uri!r}: {error.message}", problems=located) from None
        if isinstance(referenced, dict) and "$schema" in referenced:
            if _lookup_dialect(referenced["$schema"]) is not dialect:
                problems.append(
                    SchemaProblem(
                        location=f"{uri}#/$schema",
                        message=f"the referenced schema {uri!r} names the dialect {referenced['$schema']!r}, "
                        f"but the referencing schema is {dialect.name}: both must use the same dialect",
                    )
                )
    return problems


def parse_schema(document: object, limits: Limits = Limits(), references: Mapping[str, object] | None = None) -> object:
    """Check a parsed JSON Schema (dict or bool) and return it.

    Raises ``SchemaTooLarge`` past ``limits``; ``InvalidSchema`` (problems carry JSON
    pointers) for: a document that is not an object/boolean or not plain JSON data; an
    unknown ``$schema``; metaschema violations; ``pattern``/``patternProperties`` keys that
    are not ECMA-262 regexes; ``$ref``s that do not resolve inside the document nor to one
    of ``references`` (see ``reference_resources``; remote references are refused, never
    fetched); ``$ref`` cycles that would recurse forever, also through referenced schemas;
    a referenced schema of another dialect.
    """
    if not _is_schema(document):
        message = "a JSON Schema must be a JSON object or a boolean"
        raise InvalidSchema(message, problems=[SchemaProblem(location="", message=message)])
    _check_size_and_values(document, limits)
    dialect = _dialect_of(document)

    problems = _metaschema_problems(document, dialect)
    if problems:
        raise InvalidSchema(f"schema is not a valid JSON Schema ({dialect.name})", problems=problems)
    if references:
        problems = _reference_problems(references, dialect, limits)
        if problems:
            raise InvalidSchema(
                f"schema references schemas it cannot use ({dialect.name})", problems=problems[:_MAX_SCHEMA_PROBLEMS]
            )

    graph = _schema_graph(document, dialect, references)
    problems = _pattern_problems(graph.nodes) + _embedded_dialect_problems(graph.nodes, dialect)
    problems += graph.unresolvable
    if problems:
        problems.sort(key=lambda problem: problem.location)
        raise InvalidSchema(
            f"schema is not a valid JSON Schema ({dialect.name})", problems=problems[:_MAX_SCHEMA_PROBLEMS]
        )

    cycle = _cycle_problem(graph)
    if cycle is not None:
        raise InvalidSchema("schema has a reference cycle", problems=[cycle])
    return document


# --------------------------------------------------------------------------------------
# canonical_text / strip_annotations
# --------------------------------------------------------------------------------------


def canonical_text(document: object) -> str:
    """Normalised text for duplicate detection: sorted keys, no whitespace.

    Numbers are kept as written (``1`` and ``1.0`` differ). Raises ``InvalidSchema`` for
    values JSON cannot carry (never for a document ``parse_schema`` accepted).
    """
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError as error:
        message = f"schema cannot be serialised as JSON: {error}"
        raise InvalidSchema(message, problems=[SchemaProblem(location="", message=message)]) from None


def strip_annotations(document: object) -> object:
    """The schema without annotation keywords (``ANNOTATION_KEYWORDS``) at any schema position.

    Only keyword positions are touched: names under ``properties``, ``$defs``,
    ``definitions``, ``patternProperties``, ``dependentSchemas`` are property names, and
    ``enum``/``const``/unknown keywords are data, so none of those is ever removed.
    Returns new containers for schema objects; the input is not modified. Assumes a
    document ``parse_schema`` accepted (recursion depth is bounded by its limits).
    """
    return _rebuild(document, _dialect_of(document), ANNOTATION_KEYWORDS)


# --------------------------------------------------------------------------------------
# compile_validator
# --------------------------------------------------------------------------------------

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6
_repr.maxlevel = 3


def _short_repr(value: object) -> str:
    return _repr.repr(value)


def _shorten(message: str, instance: object) -> str:
    if len(message) <= _MAX_MESSAGE_LENGTH:
        return message
    # jsonschema puts the whole offending value in its messages; for a big document that
    # is a huge response, so abbreviate the value and, if that is not enough, cut.
    full = repr(instance)
    if len(full) > 80 and full in message:
        message = message.replace(full, _short_repr(instance))
    if len(message) > _MAX_MESSAGE_LENGTH:
        message = message[: _MAX_MESSAGE_LENGTH - 1] + "…"
    return message


def _is_false_stand_in(error: ValidationError) -> bool:
    return error.validator == "not" and isinstance(error.schema, dict) and error.schema.get("$comment") is _FALSE_MARKER


def _message_of(error: ValidationError) -> str:
    if _is_false_stand_in(error) or error.validator is None:
        return f"False schema does not allow {_short_repr(error.instance)}"
    return _shorten(error.message, error.instance)


def _issue_from(error: ValidationError) -> ValidationIssue:
    path = _pointer(error.path)
    schema_path = list(error.schema_path)
    if _is_false_stand_in(error):
        keyword = "false"
        schema_path.pop()  # the location of the false schema, not of its stand-in's "not"
    else:
        keyword = error.validator if isinstance(error.validator, str) else "false"
    message = _message_of(error)
    if keyword in ("anyOf", "oneOf"):
        best = _closest_sub_error(error)
        if best is not None:
            where = _pointer(best.absolute_path)
            message += f"; closest match failed with: {_message_of(best)}"
            if where != path:
                message += f" (at {where or 'the root'})"
    return ValidationIssue(path=path, message=message, keyword=keyword, schema_path=_pointer(schema_path))


class CompiledValidator:
    """A validator for one schema. Immutable after construction: safe to share between
    threads and greenlets and to reuse for any number of documents."""

    __slots__ = ("_validator", "_patterns")

    def __init__(self, validator: Any, patterns: Mapping[str, regex.Pattern[str]]) -> None:
        self._validator = validator
        self._patterns = patterns

    def validate(self, instance: object, max_errors: int = 100) -> list[ValidationIssue]:
        """Every reason ``instance`` does not conform, in jsonschema's (deterministic)
        evaluation order, stopping after ``max_errors``. Empty list: valid."""
        issues: list[ValidationIssue] = []
        if max_errors <= 0:
            return issues
        token = _validation_context.set(_ValidationContext(PATTERN_TIME_BUDGET_SECONDS, self._patterns))
        try:
            for error in self._validator.iter_errors(instance):
                issues.append(_issue_from(error))
                if len(issues) >= max_errors:
                    break
        except RecursionError:
            issues.append(
                ValidationIssue(
                    path="",
                    message="document is nested too deeply to be validated against this schema",
                    keyword="nesting",
                    schema_path="",
                )
            )
        except referencing.exceptions.Unresolvable as error:
            # Only for schemas that bypassed parse_schema; never fetch, never crash.
            issues.append(
                ValidationIssue(
                    path="",
                    message=f"the schema's reference {error.ref!r} cannot be resolved (remote references "
                    "are not fetched)",
                    keyword="$ref",
                    schema_path="",
                )
            )
        finally:
            _validation_context.reset(token)
        return issues


def compile_validator(document: object, references: Mapping[str, object] | None = None) -> CompiledValidator:
    """Build the validator for a schema ``parse_schema`` accepted (with the same
    ``references``; a ``SchemaWithReferences`` carries its own). Do it once per schema and
    reuse it: the result holds no per-call state."""
    if isinstance(document, SchemaWithReferences):
        document, references = document.schema, document.resources
    dialect = _dialect_of(document)
    nodes = _schema_graph(document, dialect, references).nodes
    patterns: dict[str, regex.Pattern[str]] = {}
    for _, pattern in _patterns_in(nodes):
        try:
            patterns[pattern] = _compile_ecma(pattern)
        except InvalidEcmaPattern:
            pass  # reported by the keyword at validation time
    schema_ids = {id(node.schema) for node in nodes}
    for_validation = _validation_copy(document, dialect, schema_ids)
    references_for_validation: dict[str, object] | None = None
    if references:
        copies: dict[int, object] = {}
        references_for_validation = {}
        for uri, referenced in references.items():
            if id(referenced) not in copies:
                copy = _validation_copy(referenced, dialect, schema_ids)
                if isinstance(copy, dict):
                    # Also where the root is not itself a schema node: a "$schema" would make
                    # jsonschema swap in its stock validator class (see _validation_copy).
                    copy.pop("$schema", None)
                copies[id(referenced)] = copy
            references_for_validation[uri] = copies[id(referenced)]
    validator = dialect.validator_class(
        for_validation,
        format_checker=dialect.format_checker,
        _resolver=_resolver_for(for_validation, dialect.specification, references_for_validation),
    )
    return CompiledValidator(validator, patterns)
