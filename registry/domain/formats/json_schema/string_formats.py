"""The string formats asserted in validation (only checkers that need no extra package).

Up to draft-07, formats are asserted (not just annotated) for a fixed set: date-time,
date, time, email, idn-email, ipv4, ipv6 and regex, each only in the drafts that define
it; other formats stay annotations. From 2019-09 on, ``format`` is an annotation, as
those drafts and the official test suite expect.
"""

from __future__ import annotations

import datetime
import ipaddress
import re as _stdlib_re  # only for fixed, linear patterns written in this module
from collections.abc import Callable

from jsonschema import FormatChecker

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
DRAFT4_FORMATS = frozenset({"date-time", "email", "ipv4", "ipv6", "regex"})
DRAFT7_FORMATS = DRAFT4_FORMATS | {"date", "time", "idn-email"}
# 2019-09 and 2020-12 made `format` an annotation unless a schema opts into the
# format-assertion vocabulary; the official test suite expects exactly that.
ANNOTATION_ONLY: frozenset[str] = frozenset()


def asserting_format_checker(formats: frozenset[str]) -> FormatChecker:
    checker = FormatChecker(formats=())
    for name in sorted(formats):
        checker.checks(name)(_FORMAT_CHECKS[name])
    return checker
