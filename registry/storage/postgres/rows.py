"""Rows of the schema tables as domain records."""

from __future__ import annotations

from typing import Any

import orjson

from registry.domain.model import CompatibilityMode, CompatibilityPolicy, RegistryMode, SchemaFormat, SchemaState
from registry.domain.records import CompatibilityConfig, SchemaReference, SchemaVersion, SubjectModes
from registry.domain.versioning import SemVer
from registry.storage.pool import Cursor

# The columns version_from_row() reads, in its order; the statement names the tables
# v (schema_versions), s (subjects) and i (schema_ids).
VERSION_COLUMNS = """
    v.id::text, s.name, v.version_major, v.version_minor, v.version_patch, v.format, v.content,
    v.content_hash, v.state, v.compatibility_mode, v.compatibility_policy, v.description,
    v.tags, v.metadata, v.created_at, v.updated_at, v.revision, v.seq, v.global_id, v.version_number, i.refs
"""


def version_from_row(row: tuple[Any, ...]) -> SchemaVersion:
    return SchemaVersion(
        id=row[0],
        subject=row[1],
        version=SemVer(row[2], row[3], row[4]),
        format=SchemaFormat(row[5]),
        content=row[6],
        content_hash=row[7],
        state=SchemaState(row[8]),
        compatibility_mode=CompatibilityMode(row[9]),
        compatibility_policy=CompatibilityPolicy(row[10]),
        description=row[11],
        tags=tuple(row[12]),
        metadata=row[13],
        created_at=row[14],
        updated_at=row[15],
        revision=row[16],
        seq=row[17],
        global_id=row[18],
        version_number=row[19],
        references=references_from_json(row[20]),
    )


def references_from_json(refs: list[dict[str, Any]]) -> tuple[SchemaReference, ...]:
    return tuple(SchemaReference(ref["name"], ref["subject"], ref["version"]) for ref in refs)


def references_json(references: tuple[SchemaReference, ...]) -> str:
    return orjson.dumps([ref.to_dict() for ref in references]).decode()


def config_from_row(mode: str | None, policy: str | None) -> CompatibilityConfig:
    return CompatibilityConfig(
        CompatibilityMode(mode) if mode else None, CompatibilityPolicy(policy) if policy else None
    )


def modes_from_row(own: str | None, registry: str) -> SubjectModes:
    return SubjectModes(RegistryMode(own) if own else None, RegistryMode(registry))


def one_row(cursor: Cursor) -> tuple[Any, ...]:
    """The row of a statement that always returns one: an aggregate, EXISTS, the
    settings row, or RETURNING of a row this transaction writes."""
    row = cursor.fetchone()
    if row is None:
        raise LookupError(f"no row from {cursor.query!r}")
    return row
