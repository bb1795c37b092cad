"""What the registry stores: schema versions and subject settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from registry.domain.model import (
    CompatibilityMode,
    CompatibilityPolicy,
    RegistryMode,
    SchemaFormat,
    SchemaState,
)
from registry.domain.versioning import SemVer


@dataclass(frozen=True, slots=True, order=True)
class SchemaReference:
    """A schema's use of another subject's version, under the name the schema knows it by
    (a JSON Schema ``$ref`` URI, an Avro full name, a Protobuf import path)."""

    name: str
    subject: str
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "subject": self.subject, "version": self.version}


@dataclass(frozen=True, slots=True)
class GlobalSchema:
    """A schema under its global, content-addressed id: what every version with that id shares."""

    global_id: int
    format: SchemaFormat
    content: str
    references: tuple[SchemaReference, ...] = ()


@dataclass(frozen=True, slots=True)
class SchemaVersion:
    """One registered version of a subject. ``content`` never changes after registration;
    ``state``, ``description``, ``tags``, ``metadata`` and ``updated_at`` may."""

    id: str
    subject: str
    version: SemVer
    format: SchemaFormat
    content: str
    content_hash: str
    state: SchemaState
    compatibility_mode: CompatibilityMode
    compatibility_policy: CompatibilityPolicy
    description: str | None
    tags: tuple[str, ...]
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    revision: int = 1  # bumped by every change of the mutable fields
    seq: int = 0  # registration order, for pagination
    global_id: int = 0  # shared by every version with the same content and references
    version_number: int = 0  # 1, 2, 3... within the subject (the Confluent API's versions)
    references: tuple[SchemaReference, ...] = ()

    @property
    def is_live(self) -> bool:
        return self.state is not SchemaState.DELETED


@dataclass(frozen=True, slots=True)
class VersionChanges:
    """A PATCH: fields left None stay as they are."""

    state: SchemaState | None = None
    description: str | None = None
    tags: tuple[str, ...] | None = None
    metadata: dict[str, Any] | None = None
    clear_description: bool = False


@dataclass(frozen=True, slots=True)
class SubjectSummary:
    subject: str
    latest_version: SemVer
    latest_id: str
    version_count: int


@dataclass(frozen=True, slots=True)
class SchemaFilter:
    namespace: str | None = None
    name: str | None = None
    subject_prefix: str | None = None
    format: SchemaFormat | None = None
    state: SchemaState | None = None
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class CompatibilityConfig:
    """A subject's own settings (either may be unset: it then follows the global one)."""

    mode: CompatibilityMode | None = None
    policy: CompatibilityPolicy | None = None

    def resolve(self, fallback: EffectiveConfig) -> EffectiveConfig:
        return EffectiveConfig(self.mode or fallback.mode, self.policy or fallback.policy)


@dataclass(frozen=True, slots=True)
class EffectiveConfig:
    mode: CompatibilityMode
    policy: CompatibilityPolicy


@dataclass(frozen=True, slots=True)
class NewVersion:
    """A version the service has decided to store."""

    subject: str
    version: SemVer
    format: SchemaFormat
    content: str
    content_hash: str
    state: SchemaState
    compatibility_mode: CompatibilityMode
    compatibility_policy: CompatibilityPolicy
    description: str | None = None
    tags: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    global_id: int = 0
    version_number: int = 0


@dataclass(frozen=True, slots=True)
class SubjectModes:
    """A subject's own mode (None: it follows the registry's) and the registry's."""

    own: RegistryMode | None
    registry: RegistryMode

    @property
    def effective(self) -> RegistryMode:
        return self.own or self.registry
