"""The string formats asserted in validation.

Up to draft-07, ``format`` is asserted (not just annotated) for every format the draft
defines, each only from the draft that introduced it on:

- draft-04: date-time, email, hostname, ipv4, ipv6, uri, and regex (ECMA-262);
- draft-06: also uri-reference, uri-template, json-pointer;
- draft-07: also date, time, idn-email, idn-hostname, iri, iri-reference,
  relative-json-pointer.

Any other format stays an annotation. From 2019-09 on, ``format`` is an annotation, as
those drafts and the official test suite expect.

The grammars are checked here, each in time linear in the value (documents are hostile),
except URIs (``rfc3986-validator``) and internationalised host names (``idna``, IDNA 2008).
An IRI is checked as the URI it maps to (RFC 3987 3.1, its other characters percent-encoded):
the one library that checks IRIs directly (``rfc3987-syntax``) takes minutes on a 100 KB
value, and jsonschema's other one (``rfc3987``) is GPL.
"""

from __future__ import annotations

import datetime
import ipaddress
import re as _stdlib_re  # only for fixed, linear patterns written in this module
from collections.abc import Callable
from urllib.parse import quote

import idna
from jsonschema import FormatChecker
from rfc3986_validator import validate_rfc3986

from registry.domain.formats.json_schema.ecma_regex import ecma_pattern_error

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


_HOSTNAME_LABEL = _stdlib_re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", _stdlib_re.ASCII)
_ASCII_UPPER_TO_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _is_hostname(value: object) -> bool:
    # RFC 1123 2.1: dot-separated labels of letters, digits and inner hyphens, 63 at most
    # each, 253 in all.
    if not isinstance(value, str):
        return True
    return len(value) <= 253 and all(_HOSTNAME_LABEL.fullmatch(label) for label in value.split("."))


def _is_idn_hostname(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        # ASCII letters compare case-insensitively in host names; IDNA 2008 lists only the
        # lower-case ones as valid, so every valid hostname would otherwise not be one.
        idna.encode(value.translate(_ASCII_UPPER_TO_LOWER))
    except (idna.IDNAError, UnicodeError):
        return False
    return True


def _matches_rfc3986(value: str, rule: str) -> bool:
    # The library's patterns end in "$", which also matches before a final newline.
    return not value.endswith("\n") and validate_rfc3986(value, rule=rule) is not None


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _matches_rfc3986(value, "URI")


def _is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or _matches_rfc3986(value, "URI_reference")


# RFC 3987's ucschar and iprivate (private use is allowed in the query only).
_UCSCHAR = (
    "\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    + "".join(f"\\U{plane:04x}0000-\\U{plane:04x}fffd" for plane in range(1, 14))
    + "\\U000e1000-\\U000efffd"
)
_IPRIVATE = "\ue000-\uf8ff\\U000f0000-\\U000ffffd\\U00100000-\\U0010fffd"
_NOT_IRI_CHARACTER = _stdlib_re.compile(f"[^\\x00-\\x7f{_UCSCHAR}]")
_NOT_IRI_QUERY_CHARACTER = _stdlib_re.compile(f"[^\\x00-\\x7f{_UCSCHAR}{_IPRIVATE}]")
_EVERY_ASCII_CHARACTER = "".join(map(chr, range(128)))


def _iri_as_uri(value: str) -> str | None:
    """The URI an IRI maps to (RFC 3987 3.1), or None when it holds a character no IRI holds."""
    if value.isascii():
        return value
    before_fragment, _, fragment = value.partition("#")
    before_query, _, query = before_fragment.partition("?")
    if (
        _NOT_IRI_CHARACTER.search(before_query)
        or _NOT_IRI_CHARACTER.search(fragment)
        or _NOT_IRI_QUERY_CHARACTER.search(query)
    ):
        return None
    return quote(value, safe=_EVERY_ASCII_CHARACTER)  # the others, as UTF-8 octets


def _is_iri(value: object) -> bool:
    return not isinstance(value, str) or ((uri := _iri_as_uri(value)) is not None and _matches_rfc3986(uri, "URI"))


def _is_iri_reference(value: object) -> bool:
    if not isinstance(value, str):
        return True
    uri = _iri_as_uri(value)
    return uri is not None and _matches_rfc3986(uri, "URI_reference")


_INVALID_POINTER_ESCAPE = _stdlib_re.compile("~(?![01])")
_RELATIVE_POINTER_START = _stdlib_re.compile("(?:0|[1-9][0-9]*)(#?)", _stdlib_re.ASCII)


def _is_json_pointer_text(value: str) -> bool:
    # RFC 6901: "/"-prefixed tokens in which "~" only escapes "~" (~0) and "/" (~1).
    return (not value or value.startswith("/")) and _INVALID_POINTER_ESCAPE.search(value) is None


def _is_json_pointer(value: object) -> bool:
    return not isinstance(value, str) or _is_json_pointer_text(value)


def _is_relative_json_pointer(value: object) -> bool:
    # draft-handrews-relative-json-pointer-01: a non-negative integer, then "#" or a JSON pointer.
    if not isinstance(value, str):
        return True
    start = _RELATIVE_POINTER_START.match(value)
    if start is None:
        return False
    rest = value[start.end() :]
    return rest == "" if start[1] else _is_json_pointer_text(rest)


# RFC 6570 (level 4), in full: every alternative starts with a different character, so the
# match is linear.
_PERCENT_ENCODED = "%[0-9A-Fa-f]{2}"
_TEMPLATE_LITERAL = f"[!#$&(-;=?-\\[\\]_a-z~{_UCSCHAR}{_IPRIVATE}]|{_PERCENT_ENCODED}"
_VARIABLE_CHARACTER = f"(?:[A-Za-z0-9_]|{_PERCENT_ENCODED})"
_VARIABLE_SPEC = f"{_VARIABLE_CHARACTER}(?:\\.?{_VARIABLE_CHARACTER})*(?::[1-9][0-9]{{0,3}}|\\*)?"
_TEMPLATE_EXPRESSION = f"\\{{[+#./;?&=,!@|]?{_VARIABLE_SPEC}(?:,{_VARIABLE_SPEC})*\\}}"
_URI_TEMPLATE = _stdlib_re.compile(f"(?:{_TEMPLATE_LITERAL}|{_TEMPLATE_EXPRESSION})*")


def _is_uri_template(value: object) -> bool:
    return not isinstance(value, str) or _URI_TEMPLATE.fullmatch(value) is not None


_FORMAT_CHECKS: dict[str, Callable[[object], bool]] = {
    "date-time": _is_date_time,
    "date": _is_date,
    "time": _is_time,
    "email": _is_email,
    "idn-email": _is_email,
    "ipv4": _is_ipv4,
    "ipv6": _is_ipv6,
    "regex": _is_ecma_regex,
    "hostname": _is_hostname,
    "idn-hostname": _is_idn_hostname,
    "uri": _is_uri,
    "uri-reference": _is_uri_reference,
    "iri": _is_iri,
    "iri-reference": _is_iri_reference,
    "json-pointer": _is_json_pointer,
    "relative-json-pointer": _is_relative_json_pointer,
    "uri-template": _is_uri_template,
}
DRAFT4_FORMATS = frozenset({"date-time", "email", "hostname", "ipv4", "ipv6", "uri", "regex"})
DRAFT6_FORMATS = DRAFT4_FORMATS | {"uri-reference", "uri-template", "json-pointer"}
DRAFT7_FORMATS = DRAFT6_FORMATS | {
    "date",
    "time",
    "idn-email",
    "idn-hostname",
    "iri",
    "iri-reference",
    "relative-json-pointer",
}
# 2019-09 and 2020-12 made `format` an annotation unless a schema opts into the
# format-assertion vocabulary; the official test suite expects exactly that.
ANNOTATION_ONLY: frozenset[str] = frozenset()


def asserting_format_checker(formats: frozenset[str]) -> FormatChecker:
    checker = FormatChecker(formats=())
    for name in sorted(formats):
        checker.checks(name)(_FORMAT_CHECKS[name])
    return checker
