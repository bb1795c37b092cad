"""Subject names: the unique key of a series of versions."""

from __future__ import annotations

from registry.domain.errors import InvalidRequest

MAX_SUBJECT_LENGTH = 255
DEFAULT_NAMESPACE = "default"


def check_subject(subject: object, *, field: str = "subject") -> str:
    if not isinstance(subject, str):
        raise InvalidRequest(f"{field} must be a string", field=field)
    if not 1 <= len(subject) <= MAX_SUBJECT_LENGTH:
        raise InvalidRequest(f"{field} must be 1 to {MAX_SUBJECT_LENGTH} characters long", field=field)
    if not subject.isprintable():
        raise InvalidRequest(f"{field} must contain only printable characters", field=field)
    return subject


def split_subject(subject: str) -> tuple[str, str]:
    """Display namespace and name: split at the last dot; no dot means namespace ``default``."""
    namespace, dot, name = subject.rpartition(".")
    if not dot or not namespace or not name:
        return DEFAULT_NAMESPACE, subject
    return namespace, name


def join_subject(namespace: str, name: str) -> str:
    return f"{namespace}.{name}"
