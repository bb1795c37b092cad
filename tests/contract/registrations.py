"""Registering versions straight through the store's ports, as the service does."""

from __future__ import annotations

import hashlib
from typing import Any

from registry.domain.model import CompatibilityMode, CompatibilityPolicy, SchemaFormat, SchemaState
from registry.domain.ports import SchemaStore, SubjectSession
from registry.domain.records import NewVersion, SchemaReference, SchemaVersion
from registry.domain.versioning import SemVer


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def new_version(
    subject: str,
    content: str,
    *,
    version: SemVer,
    number: int,
    global_id: int,
    fmt: SchemaFormat = SchemaFormat.JSON,
    state: SchemaState = SchemaState.ACTIVE,
    description: str | None = None,
    tags: tuple[str, ...] = (),
    metadata: dict[str, Any] | None = None,
) -> NewVersion:
    return NewVersion(
        subject=subject,
        version=version,
        format=fmt,
        content=content,
        content_hash=content_hash(content),
        state=state,
        compatibility_mode=CompatibilityMode.BACKWARD,
        compatibility_policy=CompatibilityPolicy.STRICT,
        description=description,
        tags=tags,
        metadata=metadata or {},
        global_id=global_id,
        version_number=number,
    )


def insert(
    session: SubjectSession,
    content: str,
    *,
    version: SemVer | None = None,
    number: int | None = None,
    fmt: SchemaFormat = SchemaFormat.JSON,
    references: tuple[SchemaReference, ...] = (),
    identity: str | None = None,
    state: SchemaState = SchemaState.ACTIVE,
    description: str | None = None,
    tags: tuple[str, ...] = (),
    metadata: dict[str, Any] | None = None,
) -> SchemaVersion:
    """A version in an open session: by default the next major version and the next number."""
    highest = session.highest_version()
    if version is None:
        version = SemVer(1, 0, 0) if highest is None else SemVer(highest.major + 1, 0, 0)
    if number is None:
        number = session.highest_number() + 1
    global_id = session.global_id_for(fmt, identity or content_hash(content), content, references)
    return session.insert_version(
        new_version(
            session.subject,
            content,
            version=version,
            number=number,
            global_id=global_id,
            fmt=fmt,
            state=state,
            description=description,
            tags=tags,
            metadata=metadata,
        )
    )


def register(store: SchemaStore, subject: str, content: str, **options: Any) -> SchemaVersion:
    """One version in its own committed session (``options`` as for ``insert``)."""
    with store.subject_session(subject) as session:
        return insert(session, content, **options)


def soft_delete(store: SchemaStore, *versions: SchemaVersion) -> list[SchemaVersion]:
    with store.subject_session(versions[0].subject) as session:
        return session.soft_delete(list(versions))


def hard_delete(store: SchemaStore, *versions: SchemaVersion) -> None:
    with store.subject_session(versions[0].subject) as session:
        session.hard_delete(list(versions))
