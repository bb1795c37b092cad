"""How a schema version is written into the shared cache."""

from __future__ import annotations

from datetime import datetime

import orjson

from registry.domain.model import CompatibilityMode, CompatibilityPolicy, SchemaFormat, SchemaState
from registry.domain.records import SchemaReference, SchemaVersion
from registry.domain.versioning import SemVer

# Bump when the encoded shape changes, so instances of two releases never read each other's entries.
CODEC_VERSION = 3


def encode(version: SchemaVersion) -> bytes:
    return orjson.dumps(
        [
            CODEC_VERSION,
            version.id,
            version.subject,
            version.version.as_tuple(),
            version.format.value,
            version.content,
            version.content_hash,
            version.state.value,
            version.compatibility_mode.value,
            version.compatibility_policy.value,
            version.description,
            version.tags,
            version.metadata,
            version.created_at.isoformat(),
            version.updated_at.isoformat(),
            version.revision,
            version.seq,
            version.global_id,
            version.version_number,
            [[ref.name, ref.subject, ref.version] for ref in version.references],
        ]
    )


def decode(data: bytes) -> SchemaVersion | None:
    """The version, or None for an entry written by another codec version."""
    fields = orjson.loads(data)
    if not isinstance(fields, list) or not fields or fields[0] != CODEC_VERSION:
        return None
    (
        _,
        schema_id,
        subject,
        semver,
        fmt,
        content,
        content_hash,
        state,
        mode,
        policy,
        description,
        tags,
        metadata,
        created_at,
        updated_at,
        revision,
        seq,
        global_id,
        version_number,
        references,
    ) = fields
    return SchemaVersion(
        id=schema_id,
        subject=subject,
        version=SemVer(*semver),
        format=SchemaFormat(fmt),
        content=content,
        content_hash=content_hash,
        state=SchemaState(state),
        compatibility_mode=CompatibilityMode(mode),
        compatibility_policy=CompatibilityPolicy(policy),
        description=description,
        tags=tuple(tags),
        metadata=metadata,
        created_at=datetime.fromisoformat(created_at),
        updated_at=datetime.fromisoformat(updated_at),
        revision=revision,
        seq=seq,
        global_id=global_id,
        version_number=version_number,
        references=tuple(SchemaReference(*ref) for ref in references),
    )
