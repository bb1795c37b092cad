"""The store's SQL queries as functions over in-memory tables, with PostgreSQL's orderings.

Subject names compare by code point, as under the "C" collation the test databases use
(``ORDER BY s.name``, ``s.name > after``, ``LIKE 'prefix%'``); a database with a linguistic
collation orders names differently. Every ORDER BY of the real store is on a unique key
within what it sorts, so no order here depends on insertion order.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from registry.domain.model import SchemaFormat, SchemaState
from registry.domain.records import SchemaFilter, SchemaVersion, SubjectSummary
from registry.domain.versioning import SemVer
from tests.fakes.transactions import Tables

# The generated columns subjects.namespace and subjects.short_name (migrations/001_init.sql);
# PostgreSQL's "." matches any character, newlines included.
_NAMESPACE = re.compile(r"(.+)\.[^.]+", re.DOTALL)
_SHORT_NAME = re.compile(r".+\.([^.]+)", re.DOTALL)
DEFAULT_NAMESPACE = "default"


def is_live(version: SchemaVersion) -> bool:
    return version.state is not SchemaState.DELETED


def by_semver(versions: Iterable[SchemaVersion]) -> list[SchemaVersion]:
    return sorted(versions, key=lambda version: version.version.as_tuple())


def by_number(versions: Iterable[SchemaVersion]) -> list[SchemaVersion]:
    return sorted(versions, key=lambda version: version.version_number)


def canonical_id(schema_id: str) -> str:
    """The id as PostgreSQL reads a uuid (any case, braces or no hyphens) and prints it back."""
    return str(uuid.UUID(schema_id))


def subject_versions(tables: Tables, subject: str, *, include_deleted: bool) -> list[SchemaVersion]:
    return [
        version
        for version in tables.versions.values()
        if version.subject == subject and (include_deleted or is_live(version))
    ]


def latest_by_semver(versions: Iterable[SchemaVersion]) -> SchemaVersion | None:
    return max(versions, key=lambda version: version.version.as_tuple(), default=None)


def latest_by_number(versions: Iterable[SchemaVersion]) -> SchemaVersion | None:
    return max(versions, key=lambda version: version.version_number, default=None)


def referencing_ids(tables: Tables, subject: str, version_number: int, *, live_only: bool) -> list[int]:
    """Global ids whose references name the subject's version (whatever the name), held by
    a version (a live one for ``live_only``)."""
    return sorted(
        {
            version.global_id
            for version in tables.versions.values()
            if (not live_only or is_live(version))
            and any(
                reference.subject == subject and reference.version == version_number
                for reference in tables.ids[version.global_id].schema.references
            )
        }
    )


def has_prefix(name: str, prefix: str | None) -> bool:
    return prefix is None or name.startswith(prefix)


def namespace_of(subject: str) -> str:
    match = _NAMESPACE.fullmatch(subject)
    return match[1] if match else DEFAULT_NAMESPACE


def short_name_of(subject: str) -> str:
    match = _SHORT_NAME.fullmatch(subject)
    return match[1] if match else subject


def limited(rows: list[SchemaVersion], limit: int) -> list[SchemaVersion]:
    if limit < 0:
        raise ValueError("LIMIT must not be negative")
    return rows[:limit]


def subject_summaries(tables: Tables, prefix: str | None, after: str | None, limit: int) -> list[SubjectSummary]:
    """Subjects with a live version, by name."""
    if limit < 0:
        raise ValueError("LIMIT must not be negative")
    live: dict[str, list[SchemaVersion]] = {}
    for version in tables.versions.values():
        if is_live(version) and has_prefix(version.subject, prefix) and (after is None or version.subject > after):
            live.setdefault(version.subject, []).append(version)
    summaries = []
    for name in sorted(live)[:limit]:
        latest = latest_by_semver(live[name])
        assert latest is not None
        summaries.append(SubjectSummary(name, latest.version, latest.id, len(live[name])))
    return summaries


def live_versions_after(tables: Tables, subject: str, after: SemVer | None, limit: int) -> list[SchemaVersion] | None:
    rows = [
        version
        for version in subject_versions(tables, subject, include_deleted=False)
        if after is None or version.version > after
    ]
    if not rows and after is None:
        return None
    return limited(by_semver(rows), limit)


def matches(version: SchemaVersion, where: SchemaFilter, after_seq: int | None) -> bool:
    if where.state is None:
        wanted_state = is_live(version)
    else:
        wanted_state = version.state is where.state
    return (
        wanted_state
        and (where.namespace is None or namespace_of(version.subject) == where.namespace)
        and (where.name is None or short_name_of(version.subject) == where.name)
        and has_prefix(version.subject, where.subject_prefix)
        and (where.format is None or version.format is where.format)
        and (where.tag is None or where.tag in version.tags)
        and (after_seq is None or version.seq > after_seq)
    )


def schemas_matching(tables: Tables, where: SchemaFilter, after_seq: int | None, limit: int) -> list[SchemaVersion]:
    rows = [version for version in tables.versions.values() if matches(version, where, after_seq)]
    return limited(sorted(rows, key=lambda version: version.seq), limit)


def subject_names(tables: Tables, prefix: str | None, *, include_deleted: bool) -> list[str]:
    return sorted(
        {
            version.subject
            for version in tables.versions.values()
            if (include_deleted or is_live(version)) and has_prefix(version.subject, prefix)
        }
    )


def lowest_id(tables: Tables, fmt: SchemaFormat, identity_hash: str) -> int | None:
    return min(
        (
            global_id
            for global_id, row in tables.ids.items()
            if row.schema.format is fmt and row.identity_hash == identity_hash
        ),
        default=None,
    )
