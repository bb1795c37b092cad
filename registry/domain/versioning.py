"""Semantic versions of a subject's schemas and the rules that pick the next one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import total_ordering

from registry.domain.errors import InvalidRequest, InvalidVersion

_SEMVER = re.compile(r"(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})")


class Bump(StrEnum):
    PATCH = "PATCH"  # only annotations changed
    MINOR = "MINOR"  # backward compatible with the latest version
    MAJOR = "MAJOR"  # anything else


@total_ordering
@dataclass(frozen=True, slots=True)
class SemVer:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str, *, field: str = "version") -> SemVer:
        match = _SEMVER.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise InvalidRequest(f"{field} must be MAJOR.MINOR.PATCH (e.g. 1.2.0), got {text!r}", field=field)
        return cls(int(match[1]), int(match[2]), int(match[3]))

    def bump(self, kind: Bump) -> SemVer:
        if kind is Bump.MAJOR:
            return SemVer(self.major + 1, 0, 0)
        if kind is Bump.MINOR:
            return SemVer(self.major, self.minor + 1, 0)
        return SemVer(self.major, self.minor, self.patch + 1)

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, SemVer):
            return NotImplemented
        return self.as_tuple() < other.as_tuple()

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


FIRST_VERSION = SemVer(1, 0, 0)


def next_version(highest: SemVer | None, bump: Bump) -> SemVer:
    """The version a new registration gets, above every version the subject ever had."""
    if highest is None:
        return FIRST_VERSION
    return highest.bump(bump)


MAX_VERSION_NUMBER = 2**31 - 1
_VERSION_NUMBER = re.compile(r"[0-9]{1,10}")


def parse_version_label(label: str) -> int | None:
    """A Confluent version label: a number from 1, or ``latest`` / ``-1`` (returned as None)."""
    text = label.strip() if isinstance(label, str) else ""
    if text.lower() == "latest" or text == "-1":
        return None
    if _VERSION_NUMBER.fullmatch(text):
        number = int(text)
        if 1 <= number <= MAX_VERSION_NUMBER:
            return number
    raise InvalidVersion(
        f"The specified version '{label}' is not a valid version id. Allowed values are between "
        f'[1, {MAX_VERSION_NUMBER}] and the string "latest"',
        field="version",
    )
