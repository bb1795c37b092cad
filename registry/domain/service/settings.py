"""The registry's and each subject's settings: compatibility (mode and policy) and the
registry mode (READWRITE, READONLY, IMPORT)."""

from __future__ import annotations

from registry.domain.errors import OperationNotPermitted, SubjectConfigNotFound, SubjectModeNotFound, SubjectNotFound
from registry.domain.model import (
    DEFAULT_COMPATIBILITY_MODE,
    DEFAULT_COMPATIBILITY_POLICY,
    CompatibilityMode,
    CompatibilityPolicy,
    RegistryMode,
)
from registry.domain.ports import SchemaStore
from registry.domain.records import CompatibilityConfig, EffectiveConfig
from registry.domain.service.guards import subject_not_found
from registry.domain.subjects import check_subject


class RegistrySettings:
    def __init__(self, store: SchemaStore) -> None:
        self._store = store

    # -- compatibility ---------------------------------------------------------------------

    def global_config(self) -> EffectiveConfig:
        return self._store.global_config()

    def set_global_config(self, mode: CompatibilityMode | None, policy: CompatibilityPolicy | None) -> EffectiveConfig:
        return self._store.set_global_config(mode, policy)

    def subject_config(self, subject: str) -> tuple[EffectiveConfig, CompatibilityConfig]:
        """The effective settings and the subject's own (empty when it follows the global ones)."""
        own = self._store.subject_config(check_subject(subject)) or CompatibilityConfig()
        return own.resolve(self._store.global_config()), own

    def set_subject_config(
        self, subject: str, mode: CompatibilityMode | None, policy: CompatibilityPolicy | None
    ) -> tuple[EffectiveConfig, CompatibilityConfig]:
        subject = check_subject(subject)
        own = self._store.subject_config(subject) or CompatibilityConfig()
        self._store.set_subject_config(subject, CompatibilityConfig(mode or own.mode, policy or own.policy))
        return self.subject_config(subject)

    def reset_subject_config(self, subject: str) -> tuple[EffectiveConfig, CompatibilityConfig]:
        """Drop the subject's own settings (``/api/v1``): it follows the global ones again."""
        subject = check_subject(subject)
        if self._store.subject_config(subject) is None:
            raise SubjectNotFound(f"subject {subject!r} not found", subject=subject)
        self._store.set_subject_config(subject, CompatibilityConfig())
        return self.subject_config(subject)

    def delete_subject_config(self, subject: str) -> CompatibilityMode:
        """Drop the subject's own settings; the level that was in force until then is returned."""
        subject = check_subject(subject)
        own = self._store.subject_config(subject)
        if own is None:
            raise subject_not_found(subject)
        if own.mode is None and own.policy is None:
            raise SubjectConfigNotFound(
                f"Subject '{subject}' does not have subject-level compatibility configured", subject=subject
            )
        in_force = own.resolve(self._store.global_config())
        self._store.set_subject_config(subject, CompatibilityConfig())
        return in_force.mode

    def reset_global_config(self) -> EffectiveConfig:
        """Back to the defaults; the settings that were in force are returned."""
        previous = self._store.global_config()
        self._store.set_global_config(DEFAULT_COMPATIBILITY_MODE, DEFAULT_COMPATIBILITY_POLICY)
        return previous

    def subject_compatibility(self, subject: str, default_to_global: bool) -> CompatibilityMode:
        subject = check_subject(subject)
        own = self._store.subject_config(subject)
        if own is not None and own.mode is not None:
            return own.mode
        if default_to_global:
            return self._store.global_config().mode
        raise SubjectConfigNotFound(
            f"Subject '{subject}' does not have subject-level compatibility configured", subject=subject
        )

    # -- modes -----------------------------------------------------------------------------

    def global_mode(self) -> RegistryMode:
        return self._store.global_mode()

    def set_global_mode(self, mode: RegistryMode, force: bool = False) -> RegistryMode:
        if mode is RegistryMode.IMPORT and not force and self._store.has_any_version():
            raise OperationNotPermitted(
                "Cannot import since found existing subjects; set force=true to switch to IMPORT anyway"
            )
        return self._store.set_global_mode(mode)

    def subject_mode(self, subject: str, default_to_global: bool) -> RegistryMode:
        subject = check_subject(subject)
        modes = self._store.subject_modes(subject)
        if modes is not None and modes.own is not None:
            return modes.own
        if default_to_global:
            return self._store.global_mode()
        raise SubjectModeNotFound(f"Subject '{subject}' does not have subject-level mode configured", subject=subject)

    def set_subject_mode(self, subject: str, mode: RegistryMode, force: bool = False) -> RegistryMode:
        subject = check_subject(subject)
        if mode is RegistryMode.IMPORT and not force and self._store.has_any_version(subject):
            raise OperationNotPermitted(
                f"Cannot import since subject '{subject}' has versions; set force=true to switch to IMPORT anyway",
                subject=subject,
            )
        self._store.set_subject_mode(subject, mode)
        return mode

    def delete_subject_mode(self, subject: str) -> RegistryMode:
        """Drop the subject's own mode (it follows the registry's again) and return it."""
        subject = check_subject(subject)
        modes = self._store.subject_modes(subject)
        if modes is None:
            raise subject_not_found(subject)
        if modes.own is None:
            raise SubjectModeNotFound(
                f"Subject '{subject}' does not have subject-level mode configured", subject=subject
            )
        self._store.set_subject_mode(subject, None)
        return modes.own
