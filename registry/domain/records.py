"""What the registry stores: schema versions and subject settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from registry.domain.model import (
    CompatibilityMode,
    CompatibilityPolicy,
    SchemaFormat,
    SchemaState,
)
from registry.domain.versioning import SemVer


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
