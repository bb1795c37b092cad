"""The registry's use cases: register, read, evolve, validate, check compatibility.

The service decides; the store persists inside one transaction per change; the cache
serves reads. None of them knows about HTTP.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from registry.domain.compatibility.base import CompatibilityRules
from registry.domain.compatibility.checker import compared_versions, history_violations, pair_violations
from registry.domain.compatibility.registry import CompatibilityRegistry, default_compatibility
from registry.domain.errors import (
    CompatibilityModeConflict,
    IncompatibleSchema,
    InvalidRequest,
    InvalidStateTransition,
    OperationNotPermitted,
    ReadOnlyMode,
    ReferenceExists,
    RegistryError,
    SchemaNotFound,
    StorageUnavailable,
    SubjectConfigNotFound,
    SubjectModeNotFound,
    SubjectNotFound,
    SubjectNotSoftDeleted,
    SubjectSoftDeleted,
    VersionConflict,
    VersionNotFound,
    VersionNotSoftDeleted,
    VersionSoftDeleted,
)
from registry.domain.formats.base import DocumentValidator, FormatHandler, ParsedSchema
from registry.domain.formats.registry import FormatRegistry
from registry.domain.identity import identity_hash
from registry.domain.lifecycle import check_transition
from registry.domain.model import (
    DEFAULT_COMPATIBILITY_MODE,
    DEFAULT_COMPATIBILITY_POLICY,
    NO_VALIDATION_OPTIONS,
    CompatibilityMode,
    CompatibilityPolicy,
    RegistryMode,
    SchemaFormat,
    SchemaState,
    ValidationIssue,
    ValidationOptions,
    Violation,
)
from registry.domain.ports import SchemaCache, SchemaStore, SubjectSession
from registry.domain.records import (
    CompatibilityConfig,
    EffectiveConfig,
    GlobalSchema,
    NewVersion,
    SchemaFilter,
    SchemaReference,
    SchemaVersion,
    SubjectModes,
    SubjectSummary,
    VersionChanges,
)
from registry.domain.references import ReferenceResolver
from registry.domain.subjects import check_subject
from registry.domain.versioning import Bump, SemVer, next_version, parse_version_label
from registry.lru import LocalCache

log = logging.getLogger(__name__)

REGISTRATION_STATES = (SchemaState.DRAFT, SchemaState.ACTIVE)
LATEST = "latest"

Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class RegistrationRequest:
    subject: str
    schema: Any  # schema text, or parsed JSON for JSON-based formats
    format: SchemaFormat
    state: SchemaState = SchemaState.DRAFT
    compatibility_mode: CompatibilityMode | None = None
    compatibility_policy: CompatibilityPolicy | None = None
    version: SemVer | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    references: tuple[SchemaReference, ...] = ()
    global_id: int | None = None  # IMPORT mode only: keep the id another registry gave
    version_number: int | None = None  # IMPORT mode: any free number; otherwise only the next one


@dataclass(frozen=True, slots=True)
class RegistrationResult:
    version: SchemaVersion
    created: bool


@dataclass(frozen=True, slots=True)
class CompatibilityReport:
    """What registering a schema into a subject would meet."""

    violations: list[Violation]
    mode: CompatibilityMode
    policy: CompatibilityPolicy
    compared_versions: list[str]
    identical_to: str | None = None  # the live version with the same content, if any


@dataclass(frozen=True, slots=True)
class Page(Generic[Item]):
    items: list[Item]
    has_more: bool


class ServiceObserver:
    """Outcome counters (metrics); the default records nothing."""

    def registration(self, result: str) -> None: ...

    def validation(self, result: str) -> None: ...

    def compatibility_check(self, result: str) -> None: ...


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
    ) -> None:
        self._store = store
        self._cache = cache
        self._formats = formats
        self._compatibility = compatibility or default_compatibility()
        # Compiled validators depend only on immutable content, so they never go stale.
        self._validators: LocalCache[DocumentValidator] = LocalCache(
            validator_cache_size, staleness_seconds=float("inf")
        )
        self._observer = observer or ServiceObserver()
        self._references = ReferenceResolver(store, validator_cache_size)

    # -- reads ---------------------------------------------------------------------------

    def get_schema(self, schema_id: str) -> SchemaVersion:
        version = self._cache.get(schema_id)
        if version is not None:
            return version
        try:
            version = self._store.get_version(schema_id)
        except StorageUnavailable:
            # No change can commit while the database is down, so the last copy seen is the best answer.
            version = self._cache.get_stale(schema_id)
            if version is None:
                raise
            return version
        if version is None:
            raise SchemaNotFound(f"schema {schema_id} not found", schema_id=schema_id)
        self._cache.put(version)
        return version

    def cached_schema(self, schema_id: str) -> SchemaVersion | None:
        """The version ``get_schema`` would answer from this worker's memory, or None when
        answering needs the shared cache or the store (or the id is unknown or not canonical)."""
        return self._cache.get_local(schema_id)

    def subject_version(self, subject: str, label: str) -> SchemaVersion:
        """A live version of a subject by ``MAJOR.MINOR.PATCH`` or ``latest``."""
        subject = check_subject(subject)
        wanted = None if label == LATEST else SemVer.parse(label)
        version = self._store.get_subject_version(subject, wanted)
        if version is None:
            if self._store.get_subject_version(subject, None) is None:
                raise SubjectNotFound(f"subject {subject!r} has no live versions", subject=subject)
            raise VersionNotFound(f"subject {subject!r} has no live version {label}", subject=subject, version=label)
        return version

    def version_by_label(self, subject: str, label: str, include_deleted: bool) -> SchemaVersion:
        """A version by Confluent number or ``latest`` (the highest-numbered one)."""
        number = parse_version_label(label)
        subject = check_subject(subject)
        version = self._store.get_version_by_number(subject, number, include_deleted=include_deleted)
        if version is None:
            self._require_versions(subject, include_deleted)
            raise VersionNotFound(f"Version {label} not found.", subject=subject, version=label)
        return version

    def _require_versions(self, subject: str, include_deleted: bool) -> None:
        """SubjectNotFound unless the subject has a live version (or any, soft-deleted ones included)."""
        live, total = self._store.subject_version_counts(subject)
        if (total if include_deleted else live) == 0:
            raise _subject_not_found(subject)

    def version_numbers(self, subject: str, include_deleted: bool) -> list[int]:
        subject = check_subject(subject)
        numbers = self._store.version_numbers(subject, include_deleted=include_deleted)
        if not numbers:
            raise _subject_not_found(subject)
        return numbers

    def subject_names(self, prefix: str | None, include_deleted: bool) -> list[str]:
        return self._store.subject_names(prefix, include_deleted=include_deleted)

    def lookup(
        self,
        subject: str,
        schema: Any,
        fmt: SchemaFormat,
        references: tuple[SchemaReference, ...],
        include_deleted: bool,
    ) -> SchemaVersion:
        """The subject's version holding this schema (same content and references)."""
        subject = check_subject(subject)
        _, parsed, _, identity = self._candidate(schema, fmt, references)
        self._require_versions(subject, include_deleted)
        candidates = self._store.versions_with_content_hash(
            subject, parsed.content_hash, include_deleted=include_deleted
        )
        for version in reversed(candidates):  # the newest registration of it first
            if version.format is fmt and self._identity(version) == identity:
                return version
        raise SchemaNotFound("Schema not found", subject=subject)

    def global_schema(self, global_id: int) -> GlobalSchema:
        schema = self._store.global_schema(global_id)
        if schema is None:
            raise SchemaNotFound(f"Schema {global_id} not found", global_id=global_id)
        return schema

    def max_global_id(self) -> int:
        return self._store.max_global_id()

    def serialized_schema(self, global_id: int) -> bytes:
        """A Protobuf schema as the bytes of its FileDescriptorProto (what Confluent's ``format=serialized`` gives)."""
        schema = self.global_schema(global_id)
        if schema.format is not SchemaFormat.PROTOBUF:
            raise InvalidRequest(
                f"format=serialized applies to PROTOBUF schemas; schema {global_id} is {schema.format.value}",
                field="format",
            )
        handler = self._formats.descriptor_format(schema.format)
        if handler is None:
            raise InvalidRequest(f"{schema.format.value} schemas have no serialized form", field="format")
        dependencies = self._references.for_stored(schema.global_id, schema.references, schema.format)
        return handler.serialized_descriptor(handler.load(schema.content, dependencies))

    def global_id_usages(self, global_id: int, include_deleted: bool) -> list[SchemaVersion]:
        """The subjects' versions that hold the schema with this id."""
        usages = self._store.versions_with_global_id(global_id, include_deleted=include_deleted)
        if not usages:
            self.global_schema(global_id)  # 404 when the id is unknown; an empty list when only deleted
        return usages

    def referenced_by(self, subject: str, label: str) -> list[int]:
        """Global ids of the live versions whose schemas reference this version."""
        version = self.version_by_label(subject, label, include_deleted=True)
        return self._store.referencing_ids(version.subject, version.version_number)

    def schema_types(self) -> list[str]:
        return self._formats.supported()

    def list_subjects(self, prefix: str | None, after: str | None, limit: int) -> Page[SubjectSummary]:
        rows = self._store.list_subjects(prefix, after, limit + 1)
        return Page(rows[:limit], len(rows) > limit)

    def list_versions(self, subject: str, after: SemVer | None, limit: int) -> Page[SchemaVersion]:
        rows = self._store.list_versions(check_subject(subject), after, limit + 1)
        if rows is None:
            raise SubjectNotFound(f"subject {subject!r} has no live versions", subject=subject)
        return Page(rows[:limit], len(rows) > limit)

    def list_schemas(self, where: SchemaFilter, after_seq: int | None, limit: int) -> Page[SchemaVersion]:
        rows = self._store.list_schemas(where, after_seq, limit + 1)
        return Page(rows[:limit], len(rows) > limit)

    # -- lifecycle -------------------------------------------------------------------------

    def update_version(self, schema_id: str, changes: VersionChanges) -> SchemaVersion:
        with self._store.version_session(schema_id) as session:
            if session is None:
                raise SchemaNotFound(f"schema {schema_id} not found", schema_id=schema_id)
            _check_writable(session.version.subject, session.modes)
            if changes.state is not None:
                if changes.state is SchemaState.DELETED:
                    raise InvalidRequest("use DELETE to delete a schema version", field="state")
                check_transition(session.version.state, changes.state)
            elif session.version.state is SchemaState.DELETED:
                raise InvalidStateTransition(
                    "a DELETED schema version cannot be changed", current_state=SchemaState.DELETED.value
                )
            updated = session.update(changes)
        self._cache.put(updated)
        return updated

    def delete_version(self, schema_id: str) -> SchemaVersion:
        """Soft-delete one version by its UUID (``/api/v1``)."""
        with self._store.version_session(schema_id) as session:
            if session is None:
                raise SchemaNotFound(f"schema {schema_id} not found", schema_id=schema_id)
            _check_writable(session.version.subject, session.modes)
            if session.version.state is SchemaState.DELETED:
                return session.version
            _check_unreferenced(session.version, session.referencing_ids(live_only=True))
            deleted = session.update(VersionChanges(state=SchemaState.DELETED))
        self._cache.put(deleted)
        return deleted

    def delete_subject(self, subject: str) -> list[SchemaVersion]:
        """Soft-delete every live version of a subject; they are returned as they are now."""
        subject = check_subject(subject)
        with self._store.subject_session(subject) as session:
            _check_writable(subject, session.modes)
            versions = session.versions(include_deleted=True)
            live = [version for version in versions if version.is_live]
            if not live:
                if versions:
                    raise SubjectSoftDeleted(
                        f"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently",
                        subject=subject,
                    )
                raise _subject_not_found(subject)
            for version in live:
                _check_unreferenced(version, session.referencing_ids(version.version_number, live_only=True))
            deleted = session.soft_delete(live)
        for version in deleted:
            self._cache.put(version)
        return deleted

    def soft_delete_subject(self, subject: str) -> list[int]:
        return [version.version_number for version in self.delete_subject(subject)]

    def hard_delete_subject(self, subject: str) -> list[int]:
        """Permanently delete a subject whose versions are all soft-deleted."""
        subject = check_subject(subject)
        with self._store.subject_session(subject) as session:
            _check_writable(subject, session.modes)
            versions = session.versions(include_deleted=True)
            if not versions:
                raise _subject_not_found(subject)
            if any(version.is_live for version in versions):
                raise SubjectNotSoftDeleted(
                    f"Subject '{subject}' was not deleted first before being permanently deleted", subject=subject
                )
            for version in versions:
                _check_unreferenced(version, session.referencing_ids(version.version_number, live_only=False))
            session.hard_delete(versions)
        for version in versions:
            self._cache.remove(version.id, version.revision + 1)
        return [version.version_number for version in versions]

    def soft_delete_version(self, subject: str, label: str) -> int:
        number = parse_version_label(label)
        subject = check_subject(subject)
        with self._store.subject_session(subject) as session:
            _check_writable(subject, session.modes)
            version = _pick_version(subject, session.versions(include_deleted=True), number, label, live_only=True)
            if not version.is_live:
                raise VersionSoftDeleted(
                    f"Subject '{subject}' Version {version.version_number} was soft deleted. "
                    "Set permanent=true to delete permanently",
                    subject=subject,
                    version=version.version_number,
                )
            _check_unreferenced(version, session.referencing_ids(version.version_number, live_only=True))
            (deleted,) = session.soft_delete([version])
        self._cache.put(deleted)
        return deleted.version_number

    def hard_delete_version(self, subject: str, label: str) -> int:
        number = parse_version_label(label)
        subject = check_subject(subject)
        with self._store.subject_session(subject) as session:
            _check_writable(subject, session.modes)
            version = _pick_version(subject, session.versions(include_deleted=True), number, label, live_only=False)
            if version.is_live:
                raise VersionNotSoftDeleted(
                    f"Subject '{subject}' Version {version.version_number} was not deleted first before being "
                    "permanently deleted",
                    subject=subject,
                    version=version.version_number,
                )
            _check_unreferenced(version, session.referencing_ids(version.version_number, live_only=False))
            session.hard_delete([version])
        self._cache.remove(version.id, version.revision + 1)
        return version.version_number

    # -- configuration ---------------------------------------------------------------------

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
            raise _subject_not_found(subject)
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
            raise _subject_not_found(subject)
        if modes.own is None:
            raise SubjectModeNotFound(
                f"Subject '{subject}' does not have subject-level mode configured", subject=subject
            )
        self._store.set_subject_mode(subject, None)
        return modes.own

    # -- validation ----------------------------------------------------------------------

    def validate(
        self,
        schema_id: str,
        document: Any,
        *,
        max_errors: int = 100,
        options: ValidationOptions = NO_VALIDATION_OPTIONS,
    ) -> list[ValidationIssue]:
        key = schema_id if options is NO_VALIDATION_OPTIONS else f"{schema_id}|{options.cache_key}"
        validator = self._validators.get(key)
        if validator is None:
            version = self.get_schema(schema_id)
            handler = self._formats.get(version.format)
            validator = handler.compile_validator(self._load(handler, version), options)
            self._validators.put(key, validator)
        try:
            issues = validator.validate(document, max_errors)
        except RecursionError:
            # A recursive schema walks as deep as the document: refuse it rather than fail.
            raise InvalidRequest("the document is nested too deeply to validate") from None
        self._observer.validation("valid" if not issues else "invalid")
        return issues

    def validate_subject_version(
        self,
        subject: str,
        label: str,
        document: Any,
        *,
        max_errors: int = 100,
        options: ValidationOptions = NO_VALIDATION_OPTIONS,
    ) -> tuple[SchemaVersion, list[ValidationIssue]]:
        version = self.subject_version(subject, label)
        return version, self.validate(version.id, document, max_errors=max_errors, options=options)

    # -- compatibility -------------------------------------------------------------------

    def check_compatibility(
        self,
        candidate_id: str,
        existing_id: str,
        mode: CompatibilityMode,
        policy: CompatibilityPolicy,
    ) -> list[Violation]:
        candidate = self.get_schema(candidate_id)
        existing = self.get_schema(existing_id)
        if candidate.format is not existing.format:
            raise InvalidRequest(
                f"cannot compare a {candidate.format.value} schema with a {existing.format.value} schema",
                field="compared_schema_id",
            )
        handler = self._formats.get(candidate.format)
        violations = pair_violations(
            self._compatibility.get(candidate.format),
            self._load(handler, candidate),
            self._load(handler, existing),
            mode,
            policy,
        )
        self._observer.compatibility_check("compatible" if not violations else "incompatible")
        return violations

    def check_subject_compatibility(
        self, subject: str, schema: Any, fmt: SchemaFormat, references: tuple[SchemaReference, ...] = ()
    ) -> CompatibilityReport:
        """The verdict registering ``schema`` into ``subject`` would meet; nothing is stored."""
        subject = check_subject(subject)
        handler, parsed, _, identity = self._candidate(schema, fmt, references)
        with self._store.subject_session(subject, dry_run=True) as session:
            effective = session.config.resolve(session.global_config)
            live = session.live_versions()
            duplicate = next((v for v in live if self._identity(v) == identity and v.format is fmt), None)
            self._check_single_format(session.subject, live, fmt)
            history = self._history(handler, live)
            violations = (
                []
                if duplicate
                else history_violations(
                    self._compatibility.get(fmt), parsed.document, history, effective.mode, effective.policy
                )
            )
        compared = [] if duplicate else [label for label, _ in compared_versions(history, effective.mode)]
        self._observer.compatibility_check("compatible" if not violations else "incompatible")
        return CompatibilityReport(
            violations,
            effective.mode,
            effective.policy,
            compared,
            identical_to=str(duplicate.version) if duplicate else None,
        )

    def compatibility_with_version(
        self,
        subject: str,
        label: str,
        schema: Any,
        fmt: SchemaFormat,
        references: tuple[SchemaReference, ...] = (),
    ) -> CompatibilityReport:
        """The verdict of the subject's mode between ``schema`` and one live version (transitive
        modes compare with that version alone, as Confluent's per-version check does)."""
        existing = self.version_by_label(subject, label, include_deleted=False)
        if existing.format is not fmt:
            raise InvalidRequest(
                f"cannot compare a {fmt.value} schema with a {existing.format.value} schema", field="schemaType"
            )
        handler, parsed, _, _ = self._candidate(schema, fmt, references)
        effective, _ = self.subject_config(existing.subject)
        violations = [
            replace(violation, version=str(existing.version_number))
            for violation in pair_violations(
                self._compatibility.get(fmt),
                parsed.document,
                self._load(handler, existing),
                effective.mode,
                effective.policy,
            )
        ]
        self._observer.compatibility_check("compatible" if not violations else "incompatible")
        return CompatibilityReport(violations, effective.mode, effective.policy, [str(existing.version)])

    # -- registration --------------------------------------------------------------------

    def register(self, request: RegistrationRequest) -> RegistrationResult:
        try:
            result = self._register(request)
        except RegistryError as exc:
            self._observer.registration(_outcome_of(exc))
            raise
        self._observer.registration("created" if result.created else "existing")
        return result

    def _register(self, request: RegistrationRequest) -> RegistrationResult:
        subject = check_subject(request.subject)
        if request.state not in REGISTRATION_STATES:
            raise InvalidRequest(
                f"state must be DRAFT or ACTIVE at registration, got {request.state.value}", field="state"
            )
        # Checked before any database write.
        handler, parsed, references, identity = self._candidate(request.schema, request.format, request.references)
        request = replace(request, references=references)

        with self._store.subject_session(subject) as session:
            outcome = self._register_in_session(session, handler, request, parsed, identity)
        if outcome.created:
            # Not into this worker's memory: a new version is not hot yet, and a stream of
            # registrations would otherwise evict the versions readers use (and grow memory
            # up to the cache's bound). The first read takes it from the shared cache.
            self._cache.put(outcome.version, locally=False)
        return outcome

    def _register_in_session(
        self,
        session: SubjectSession,
        handler: FormatHandler,
        request: RegistrationRequest,
        parsed: ParsedSchema,
        identity: str,
    ) -> RegistrationResult:
        _check_writable(session.subject, session.modes)
        importing = session.modes.effective is RegistryMode.IMPORT
        if request.global_id is not None and not importing:
            raise OperationNotPermitted(
                f"a schema id can only be given in IMPORT mode; subject '{session.subject}' is in "
                f"{session.modes.effective.value} mode",
                subject=session.subject,
            )
        effective = self._settle_config(session, request)
        highest_number = 0
        if not session.has_any_version:  # a new subject: nothing to compare with or to exceed
            live: list[SchemaVersion] = []
            highest = None
        else:
            duplicate = session.find_live_by_identity(parsed.content_hash, identity)
            if duplicate is not None and duplicate.format is parsed.format:
                return RegistrationResult(_same_registration(session.subject, duplicate, request), created=False)
            live = session.live_versions()
            self._check_single_format(session.subject, live, parsed.format)
            highest = session.highest_version()
            highest_number = session.highest_number()
            if request.version is not None and highest is not None and request.version <= highest:
                raise VersionConflict(
                    f"version {request.version} is not higher than {session.subject!r}'s latest version {highest}",
                    latest_version=str(highest),
                )

        history = self._history(handler, live)
        if not importing:  # an import copies another registry's history as it was
            violations = history_violations(
                self._compatibility.get(request.format), parsed.document, history, effective.mode, effective.policy
            )
            if violations:
                raise IncompatibleSchema(
                    f"the schema is not {effective.mode.value} compatible with subject {session.subject!r}",
                    violations=violations,
                )

        number = self._version_number(session, request, highest_number, importing)
        if request.version is not None:
            version = request.version
        elif importing and request.version_number is not None:
            version = SemVer(request.version_number, 0, 0)
        else:
            version = next_version(
                highest, self._bump(handler, self._compatibility.get(request.format), history, parsed, effective.policy)
            )
        if session.has_any_version and session.is_taken(version, number):
            raise VersionConflict(
                f"subject '{session.subject}' already has version {number} or {version}",
                version_number=number,
                version=str(version),
            )
        global_id = self._global_id(session, request, parsed, identity)
        return RegistrationResult(
            session.insert_version(
                NewVersion(
                    subject=session.subject,
                    version=version,
                    format=parsed.format,
                    content=parsed.content,
                    content_hash=parsed.content_hash,
                    state=request.state,
                    compatibility_mode=effective.mode,
                    compatibility_policy=effective.policy,
                    description=request.description,
                    tags=request.tags,
                    metadata=request.metadata,
                    global_id=global_id,
                    version_number=number,
                )
            ),
            created=True,
        )

    @staticmethod
    def _version_number(
        session: SubjectSession, request: RegistrationRequest, highest_number: int, importing: bool
    ) -> int:
        wanted = request.version_number
        if wanted is None:
            return highest_number + 1
        if not importing and wanted != highest_number + 1:
            raise OperationNotPermitted(
                f"version {wanted} can only be chosen in IMPORT mode; the next version of subject "
                f"'{session.subject}' is {highest_number + 1}",
                subject=session.subject,
            )
        return wanted

    @staticmethod
    def _global_id(session: SubjectSession, request: RegistrationRequest, parsed: ParsedSchema, identity: str) -> int:
        if request.global_id is None:
            return session.global_id_for(parsed.format, identity, parsed.content, request.references)
        if not session.claim_global_id(request.global_id, parsed.format, identity, parsed.content, request.references):
            raise OperationNotPermitted(
                f"Overwrite new schema with id {request.global_id} is not permitted: the id names another schema",
                global_id=request.global_id,
            )
        return request.global_id

    def _load(self, handler: FormatHandler, version: SchemaVersion) -> Any:
        return handler.load(version.content, self._references.for_version(version))

    def _history(self, handler: FormatHandler, live: list[SchemaVersion]) -> list[tuple[str, Any]]:
        return [(str(version.version), self._load(handler, version)) for version in live]

    def _identity(self, version: SchemaVersion) -> str:
        return identity_hash(version.content_hash, version.references, self._references.for_version(version))

    def _candidate(
        self, schema: Any, fmt: SchemaFormat, references: tuple[SchemaReference, ...]
    ) -> tuple[FormatHandler, ParsedSchema, tuple[SchemaReference, ...], str]:
        """A schema to register, look up or check: its handler, the parsed schema, its references
        (``-1`` pinned to a number) and its identity."""
        handler = self._formats.get(fmt)
        pinned = self._references.pin(references)
        dependencies = self._references.for_new_schema(pinned, fmt)
        parsed = handler.parse(schema, dependencies)
        return handler, parsed, pinned, identity_hash(parsed.content_hash, pinned, dependencies)

    @staticmethod
    def _check_single_format(subject: str, live: list[SchemaVersion], fmt: SchemaFormat) -> None:
        other_formats = {version.format for version in live} - {fmt}
        if other_formats:
            raise InvalidRequest(
                f"subject {subject!r} holds {other_formats.pop().value} schemas; "
                f"a {fmt.value} schema cannot be added to it",
                field="schema_type",
            )

    @staticmethod
    def _settle_config(session: SubjectSession, request: RegistrationRequest) -> EffectiveConfig:
        """The subject's effective settings after this registration.

        The first registration of a subject may set them; later ones may only repeat them.
        """
        effective = session.config.resolve(session.global_config)
        wanted_mode, wanted_policy = request.compatibility_mode, request.compatibility_policy
        if not session.has_any_version:
            if wanted_mode is not None or wanted_policy is not None:
                session.set_config(
                    CompatibilityConfig(wanted_mode or session.config.mode, wanted_policy or session.config.policy)
                )
                effective = session.config.resolve(session.global_config)
            return effective
        if wanted_mode is not None and wanted_mode is not effective.mode:
            raise CompatibilityModeConflict(
                f"compatibility_mode {wanted_mode.value} differs from subject {session.subject!r}'s "
                f"mode {effective.mode.value}; change the subject's config instead, or omit the field",
                subject=session.subject,
                effective_mode=effective.mode.value,
            )
        if wanted_policy is not None and wanted_policy is not effective.policy:
            raise CompatibilityModeConflict(
                f"compatibility_policy {wanted_policy.value} differs from subject {session.subject!r}'s "
                f"policy {effective.policy.value}; change the subject's config instead, or omit the field",
                subject=session.subject,
                effective_policy=effective.policy.value,
            )
        return effective

    @staticmethod
    def _bump(
        handler: FormatHandler,
        rules: CompatibilityRules,
        history: list[tuple[str, Any]],
        parsed: ParsedSchema,
        policy: CompatibilityPolicy,
    ) -> Bump:
        if not history:
            return Bump.MAJOR
        latest = history[-1][1]
        if handler.only_annotations_differ(latest, parsed.document):
            return Bump.PATCH
        # Decided by a BACKWARD check whatever the subject's mode, NONE included.
        if not rules.backward_violations(latest, parsed.document, policy):
            return Bump.MINOR
        return Bump.MAJOR


def _same_registration(subject: str, duplicate: SchemaVersion, request: RegistrationRequest) -> SchemaVersion:
    """A re-registration of a live version's schema answers that version, unless it asks for other numbers."""
    asked = (
        (request.version, duplicate.version),
        (request.version_number, duplicate.version_number),
        (request.global_id, duplicate.global_id),
    )
    if all(wanted is None or wanted == existing for wanted, existing in asked):
        return duplicate
    raise VersionConflict(
        f"this content is already registered in {subject!r} as version {duplicate.version} "
        f"(number {duplicate.version_number}, id {duplicate.global_id})",
        existing_version=str(duplicate.version),
        existing_id=duplicate.id,
    )


def _subject_not_found(subject: str) -> SubjectNotFound:
    return SubjectNotFound(f"Subject '{subject}' not found.", subject=subject)


def _check_writable(subject: str, modes: SubjectModes) -> None:
    if modes.effective is RegistryMode.READONLY:
        where = "the registry is" if modes.own is None else f"Subject {subject} is"
        raise ReadOnlyMode(f"{where} in read-only mode", subject=subject)


def _check_unreferenced(version: SchemaVersion, referencing_ids: list[int]) -> None:
    if referencing_ids:
        raise ReferenceExists(
            f"One or more references exist to the schema {{subject={version.subject}, "
            f"version={version.version_number}}}: schema ids {referencing_ids}",
            subject=version.subject,
            version=version.version_number,
            referenced_by=referencing_ids,
        )


def _pick_version(
    subject: str, versions: list[SchemaVersion], number: int | None, label: str, *, live_only: bool
) -> SchemaVersion:
    """A version by number (``None``: the latest, live or of any state) among all of a subject's versions."""
    if not versions:
        raise _subject_not_found(subject)
    if number is None:
        candidates = [version for version in versions if version.is_live or not live_only]
        if candidates:
            return candidates[-1]
    else:
        for version in versions:
            if version.version_number == number:
                return version
    raise VersionNotFound(f"Version {label} not found.", subject=subject, version=label)


def _outcome_of(error: RegistryError) -> str:
    if isinstance(error, IncompatibleSchema):
        return "incompatible"
    if isinstance(error, (VersionConflict, CompatibilityModeConflict)):
        return "conflict"
    if isinstance(error, InvalidRequest) or error.code.startswith("INVALID") or "SCHEMA" in error.code:
        return "invalid"
    return "error"
