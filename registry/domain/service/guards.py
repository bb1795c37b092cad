"""Preconditions several use cases share: the subject exists, accepts changes and keeps to one format."""

from __future__ import annotations

from registry.domain.errors import InvalidRequest, ReadOnlyMode, SubjectNotFound
from registry.domain.model import RegistryMode, SchemaFormat
from registry.domain.records import SchemaVersion, SubjectModes


def subject_not_found(subject: str) -> SubjectNotFound:
    return SubjectNotFound(f"Subject '{subject}' not found.", subject=subject)


def check_writable(subject: str, modes: SubjectModes) -> None:
    if modes.effective is RegistryMode.READONLY:
        where = "the registry is" if modes.own is None else f"Subject {subject} is"
        raise ReadOnlyMode(f"{where} in read-only mode", subject=subject)


def check_single_format(subject: str, live: list[SchemaVersion], fmt: SchemaFormat) -> None:
    other_formats = {version.format for version in live} - {fmt}
    if other_formats:
        raise InvalidRequest(
            f"subject {subject!r} holds {other_formats.pop().value} schemas; "
            f"a {fmt.value} schema cannot be added to it",
            field="schema_type",
        )
