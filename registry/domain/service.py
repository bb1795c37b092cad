"""The registry's use cases: register, read, evolve, validate, check compatibility.

The service decides; the store persists inside one transaction per change; the cache
serves reads. None of them knows about HTTP.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from registry.domain.compatibility.checker import compared_versions, history_violations, pair_violations
from registry.domain.errors import (
    CompatibilityModeConflict,
    IncompatibleSchema,
    InvalidRequest,
    InvalidStateTransition,
    RegistryError,
    SchemaNotFound,
    StorageUnavailable,
    SubjectNotFound,
    VersionConflict,
    VersionNotFound,
)
from registry.domain.formats.handlers import DocumentValidator, FormatHandler, FormatRegistry, ParsedSchema
from registry.domain.lifecycle import check_transition
from registry.domain.model import (
    NO_VALIDATION_OPTIONS,
    CompatibilityMode,
    CompatibilityPolicy,
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
    NewVersion,
    SchemaFilter,
    SchemaVersion,
    SubjectSummary,
    VersionChanges,
)
from registry.domain.subjects import check_subject
from registry.domain.versioning import Bump, SemVer, next_version
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
    ) -> None:
        self._store = store
        self._cache = cache
        self._formats = formats
        # Compiled validators depend only on immutable content, so they never go stale.
        self._validators: LocalCache[DocumentValidator] = LocalCache(
            validator_cache_size, staleness_seconds=float("inf")
        )
        self._observer = observer or ServiceObserver()

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
        with self._store.version_session(schema_id) as session:
            if session is None:
                raise SchemaNotFound(f"schema {schema_id} not found", schema_id=schema_id)
            if session.version.state is SchemaState.DELETED:
                return session.version
            deleted = session.update(VersionChanges(state=SchemaState.DELETED))
        self._cache.put(deleted)
        return deleted

    def delete_subject(self, subject: str) -> list[SchemaVersion]:
        deleted = self._store.delete_subject(check_subject(subject))
        if not deleted:
            raise SubjectNotFound(f"subject {subject!r} has no live versions", subject=subject)
        for version in deleted:
            self._cache.put(version)
        return deleted

    # -- configuration ---------------------------------------------------------------------

    def global_config(self) -> EffectiveConfig:
        return self._store.global_config()

    def set_global_config(
        self, mode: CompatibilityMode | None, policy: CompatibilityPolicy | None
    ) -> EffectiveConfig:
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

    def delete_subject_config(self, subject: str) -> tuple[EffectiveConfig, CompatibilityConfig]:
        subject = check_subject(subject)
        if self._store.subject_config(subject) is None:
            raise SubjectNotFound(f"subject {subject!r} not found", subject=subject)
        self._store.set_subject_config(subject, CompatibilityConfig())
        return self.subject_config(subject)

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
            validator = handler.compile_validator(handler.load(version.content), options)
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
            handler, handler.load(candidate.content), handler.load(existing.content), mode, policy
        )
        self._observer.compatibility_check("compatible" if not violations else "incompatible")
        return violations

    def check_subject_compatibility(self, subject: str, schema: Any, fmt: SchemaFormat) -> CompatibilityReport:
        """The verdict registering ``schema`` into ``subject`` would meet; nothing is stored."""
        subject = check_subject(subject)
        handler = self._formats.get(fmt)
        parsed = handler.parse(schema)
        with self._store.subject_session(subject, dry_run=True) as session:
            effective = session.config.resolve(session.global_config)
            live = session.live_versions()
            duplicate = next((v for v in live if v.content_hash == parsed.content_hash and v.format is fmt), None)
            self._check_single_format(session.subject, live, fmt)
            history = self._history(handler, live)
            violations = [] if duplicate else history_violations(
                handler, parsed.document, history, effective.mode, effective.policy
            )
        compared = [] if duplicate else [label for label, _ in compared_versions(history, effective.mode)]
        self._observer.compatibility_check("compatible" if not violations else "incompatible")
        return CompatibilityReport(
            violations, effective.mode, effective.policy, compared,
            identical_to=str(duplicate.version) if duplicate else None,
        )

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
        handler = self._formats.get(request.format)
        parsed = handler.parse(request.schema)  # checked before any database work

        with self._store.subject_session(subject) as session:
            outcome = self._register_in_session(session, handler, request, parsed)
        if outcome.created:
            self._cache.put(outcome.version)
        return outcome

    def _register_in_session(
        self, session: SubjectSession, handler: FormatHandler, request: RegistrationRequest, parsed: ParsedSchema
    ) -> RegistrationResult:
        effective = self._settle_config(session, request)
        if not session.has_any_version:  # a new subject: nothing to compare with or to exceed
            live: list[SchemaVersion] = []
            highest = None
        else:
            duplicate = session.find_live_by_hash(parsed.content_hash)
            if duplicate is not None and duplicate.format is parsed.format:
                if request.version is None or request.version == duplicate.version:
                    return RegistrationResult(duplicate, created=False)
                raise VersionConflict(
                    f"this content is already registered in {session.subject!r} as version {duplicate.version}",
                    existing_version=str(duplicate.version),
                    existing_id=duplicate.id,
                )
            live = session.live_versions()
            self._check_single_format(session.subject, live, parsed.format)
            highest = session.highest_version()
            if request.version is not None and highest is not None and request.version <= highest:
                raise VersionConflict(
                    f"version {request.version} is not higher than {session.subject!r}'s latest version {highest}",
                    latest_version=str(highest),
                )

        history = self._history(handler, live)
        violations = history_violations(handler, parsed.document, history, effective.mode, effective.policy)
        if violations:
            raise IncompatibleSchema(
                f"the schema is not {effective.mode.value} compatible with subject {session.subject!r}",
                violations=violations,
            )

        version = request.version or next_version(highest, self._bump(handler, history, parsed, effective.policy))
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
                )
            ),
            created=True,
        )

    @staticmethod
    def _history(handler: FormatHandler, live: list[SchemaVersion]) -> list[tuple[str, Any]]:
        return [(str(version.version), handler.load(version.content)) for version in live]

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
        handler: FormatHandler, history: list[tuple[str, Any]], parsed: ParsedSchema, policy: CompatibilityPolicy
    ) -> Bump:
        if not history:
            return Bump.MAJOR
        latest = history[-1][1]
        if handler.only_annotations_differ(latest, parsed.document):
            return Bump.PATCH
        # Decided by a BACKWARD check whatever the subject's mode, NONE included.
        if not handler.backward_violations(latest, parsed.document, policy):
            return Bump.MINOR
        return Bump.MAJOR


def _outcome_of(error: RegistryError) -> str:
    if isinstance(error, IncompatibleSchema):
        return "incompatible"
    if isinstance(error, (VersionConflict, CompatibilityModeConflict)):
        return "conflict"
    if isinstance(error, InvalidRequest) or error.code.startswith("INVALID") or "SCHEMA" in error.code:
        return "invalid"
    return "error"
