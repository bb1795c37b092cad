"""RegistryService: the one object the HTTP layer holds. It builds the use cases around a
store and a cache and hands each call to the use case that answers it."""

from __future__ import annotations

from typing import Any

from registry.domain.compatibility.registry import CompatibilityRegistry, default_compatibility
from registry.domain.compute import Compute, InlineCompute
from registry.domain.formats.base import DocumentValidator
from registry.domain.formats.registry import FormatRegistry
from registry.domain.metadata import DEFAULT_METADATA_MAX_DEPTH
from registry.domain.model import (
    NO_VALIDATION_OPTIONS,
    CompatibilityMode,
    CompatibilityPolicy,
    RegistryMode,
    SchemaFormat,
    ValidationIssue,
    ValidationOptions,
    Violation,
)
from registry.domain.ports import SchemaCache, SchemaStore
from registry.domain.records import (
    CompatibilityConfig,
    EffectiveConfig,
    GlobalSchema,
    SchemaFilter,
    SchemaReference,
    SchemaVersion,
    SubjectSummary,
    VersionChanges,
)
from registry.domain.references import ReferenceResolver
from registry.domain.service.checks import DEFAULT_MAX_ERRORS, CompatibilityChecks, CompatibilityReport, Validation
from registry.domain.service.deletion import Deletion
from registry.domain.service.documents import SchemaDocuments
from registry.domain.service.observer import NullServiceObserver, ServiceObserver
from registry.domain.service.queries import Page, Queries
from registry.domain.service.registration import Registration, RegistrationRequest, RegistrationResult
from registry.domain.service.settings import RegistrySettings
from registry.domain.service.updates import VersionUpdates
from registry.domain.versioning import SemVer
from registry.lru import LocalCache


class RegistryService:
    def __init__(
        self,
        store: SchemaStore,
        cache: SchemaCache,
        formats: FormatRegistry,
        *,
        validator_cache_size: int,
        observer: ServiceObserver | None = None,
        compatibility: CompatibilityRegistry | None = None,
        metadata_max_depth: int = DEFAULT_METADATA_MAX_DEPTH,
        compute: Compute | None = None,
    ) -> None:
        """``compute`` runs the expensive steps (checking schemas, compiling validators,
        validating, checking compatibility) under a budget; by default where they are called."""
        compatibility = compatibility or default_compatibility()
        observer = observer or NullServiceObserver()
        compute = compute or InlineCompute()
        # Compiled validators depend only on immutable content, so they never go stale.
        validators: LocalCache[DocumentValidator] = LocalCache(validator_cache_size, staleness_seconds=float("inf"))
        references = ReferenceResolver(store, validator_cache_size)
        documents = SchemaDocuments(formats, references, compute)
        self._queries = Queries(store, cache, formats, references, documents)
        self._settings = RegistrySettings(store)
        self._registration = Registration(
            store, cache, documents, compatibility, observer, compute, metadata_max_depth=metadata_max_depth
        )
        self._updates = VersionUpdates(store, cache, metadata_max_depth)
        self._deletion = Deletion(store, cache)
        self._validation = Validation(self._queries, formats, documents, validators, observer, compute)
        self._checks = CompatibilityChecks(
            store, self._queries, self._settings, formats, documents, compatibility, observer, compute
        )

    # -- reads ---------------------------------------------------------------------------

    def get_schema(self, schema_id: str) -> SchemaVersion:
        return self._queries.get_schema(schema_id)

    def cached_schema(self, schema_id: str) -> SchemaVersion | None:
        return self._queries.cached_schema(schema_id)

    def subject_version(self, subject: str, label: str) -> SchemaVersion:
        return self._queries.subject_version(subject, label)

    def version_by_label(self, subject: str, label: str, include_deleted: bool) -> SchemaVersion:
        return self._queries.version_by_label(subject, label, include_deleted)

    def version_numbers(self, subject: str, include_deleted: bool) -> list[int]:
        return self._queries.version_numbers(subject, include_deleted)

    def subject_names(self, prefix: str | None, include_deleted: bool) -> list[str]:
        return self._queries.subject_names(prefix, include_deleted)

    def lookup(
        self,
        subject: str,
        schema: Any,
        fmt: SchemaFormat,
        references: tuple[SchemaReference, ...],
        include_deleted: bool,
    ) -> SchemaVersion:
        return self._queries.lookup(subject, schema, fmt, references, include_deleted)

    def global_schema(self, global_id: int) -> GlobalSchema:
        return self._queries.global_schema(global_id)

    def max_global_id(self) -> int:
        return self._queries.max_global_id()

    def serialized_schema(self, global_id: int) -> bytes:
        return self._queries.serialized_schema(global_id)

    def global_id_usages(self, global_id: int, include_deleted: bool) -> list[SchemaVersion]:
        return self._queries.global_id_usages(global_id, include_deleted)

    def referenced_by(self, subject: str, label: str) -> list[int]:
        return self._queries.referenced_by(subject, label)

    def schema_types(self) -> list[str]:
        return self._queries.schema_types()

    def list_subjects(self, prefix: str | None, after: str | None, limit: int) -> Page[SubjectSummary]:
        return self._queries.list_subjects(prefix, after, limit)

    def list_versions(self, subject: str, after: SemVer | None, limit: int) -> Page[SchemaVersion]:
        return self._queries.list_versions(subject, after, limit)

    def list_schemas(self, where: SchemaFilter, after_seq: int | None, limit: int) -> Page[SchemaVersion]:
        return self._queries.list_schemas(where, after_seq, limit)

    # -- lifecycle -------------------------------------------------------------------------

    def update_version(self, schema_id: str, changes: VersionChanges) -> SchemaVersion:
        return self._updates.update_version(schema_id, changes)

    def delete_version(self, schema_id: str) -> SchemaVersion:
        return self._deletion.delete_version(schema_id)

    def delete_subject(self, subject: str) -> list[SchemaVersion]:
        return self._deletion.delete_subject(subject)

    def soft_delete_subject(self, subject: str) -> list[int]:
        return self._deletion.soft_delete_subject(subject)

    def hard_delete_subject(self, subject: str) -> list[int]:
        return self._deletion.hard_delete_subject(subject)

    def soft_delete_version(self, subject: str, label: str) -> int:
        return self._deletion.soft_delete_version(subject, label)

    def hard_delete_version(self, subject: str, label: str) -> int:
        return self._deletion.hard_delete_version(subject, label)

    # -- configuration ---------------------------------------------------------------------

    def global_config(self) -> EffectiveConfig:
        return self._settings.global_config()

    def set_global_config(self, mode: CompatibilityMode | None, policy: CompatibilityPolicy | None) -> EffectiveConfig:
        return self._settings.set_global_config(mode, policy)

    def subject_config(self, subject: str) -> tuple[EffectiveConfig, CompatibilityConfig]:
        return self._settings.subject_config(subject)

    def set_subject_config(
        self, subject: str, mode: CompatibilityMode | None, policy: CompatibilityPolicy | None
    ) -> tuple[EffectiveConfig, CompatibilityConfig]:
        return self._settings.set_subject_config(subject, mode, policy)

    def reset_subject_config(self, subject: str) -> tuple[EffectiveConfig, CompatibilityConfig]:
        return self._settings.reset_subject_config(subject)

    def delete_subject_config(self, subject: str) -> CompatibilityMode:
        return self._settings.delete_subject_config(subject)

    def reset_global_config(self) -> EffectiveConfig:
        return self._settings.reset_global_config()

    def subject_compatibility(self, subject: str, default_to_global: bool) -> CompatibilityMode:
        return self._settings.subject_compatibility(subject, default_to_global)

    # -- modes -----------------------------------------------------------------------------

    def global_mode(self) -> RegistryMode:
        return self._settings.global_mode()

    def set_global_mode(self, mode: RegistryMode, force: bool = False) -> RegistryMode:
        return self._settings.set_global_mode(mode, force)

    def subject_mode(self, subject: str, default_to_global: bool) -> RegistryMode:
        return self._settings.subject_mode(subject, default_to_global)

    def set_subject_mode(self, subject: str, mode: RegistryMode, force: bool = False) -> RegistryMode:
        return self._settings.set_subject_mode(subject, mode, force)

    def delete_subject_mode(self, subject: str) -> RegistryMode:
        return self._settings.delete_subject_mode(subject)

    # -- validation ----------------------------------------------------------------------

    def validate(
        self,
        schema_id: str,
        document: Any,
        *,
        max_errors: int = DEFAULT_MAX_ERRORS,
        options: ValidationOptions = NO_VALIDATION_OPTIONS,
        size: int | None = None,
    ) -> list[ValidationIssue]:
        return self._validation.validate(schema_id, document, max_errors=max_errors, options=options, size=size)

    def validate_subject_version(
        self,
        subject: str,
        label: str,
        document: Any,
        *,
        max_errors: int = DEFAULT_MAX_ERRORS,
        options: ValidationOptions = NO_VALIDATION_OPTIONS,
        size: int | None = None,
    ) -> tuple[SchemaVersion, list[ValidationIssue]]:
        return self._validation.validate_subject_version(
            subject, label, document, max_errors=max_errors, options=options, size=size
        )

    # -- compatibility -------------------------------------------------------------------

    def check_compatibility(
        self,
        candidate_id: str,
        existing_id: str,
        mode: CompatibilityMode,
        policy: CompatibilityPolicy,
    ) -> list[Violation]:
        return self._checks.check_compatibility(candidate_id, existing_id, mode, policy)

    def check_subject_compatibility(
        self, subject: str, schema: Any, fmt: SchemaFormat, references: tuple[SchemaReference, ...] = ()
    ) -> CompatibilityReport:
        return self._checks.check_subject_compatibility(subject, schema, fmt, references)

    def compatibility_with_version(
        self,
        subject: str,
        label: str,
        schema: Any,
        fmt: SchemaFormat,
        references: tuple[SchemaReference, ...] = (),
    ) -> CompatibilityReport:
        return self._checks.compatibility_with_version(subject, label, schema, fmt, references)

    # -- registration --------------------------------------------------------------------

    def register(self, request: RegistrationRequest) -> RegistrationResult:
        return self._registration.register(request)
