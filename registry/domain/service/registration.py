"""Registering a schema into a subject: the checks before any write, the version numbers
it gets, and the one transaction that stores it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from registry.domain.compatibility.base import CompatibilityRules
from registry.domain.compatibility.checker import compared_versions, history_violations
from registry.domain.compatibility.registry import CompatibilityRegistry
from registry.domain.compute import Compute
from registry.domain.errors import (
    CompatibilityModeConflict,
    IncompatibleSchema,
    InvalidRequest,
    OperationNotPermitted,
    RegistryError,
    TooComplex,
    VersionConflict,
)
from registry.domain.formats.base import FormatHandler, ParsedSchema
from registry.domain.metadata import check_metadata
from registry.domain.model import (
    CompatibilityMode,
    CompatibilityPolicy,
    RegistryMode,
    SchemaFormat,
    SchemaState,
    Violation,
)
from registry.domain.ports import SchemaCache, SchemaStore, SubjectSession
from registry.domain.records import CompatibilityConfig, EffectiveConfig, NewVersion, SchemaReference, SchemaVersion
from registry.domain.service.documents import SchemaDocuments
from registry.domain.service.guards import check_single_format, check_writable
from registry.domain.service.observer import ServiceObserver
from registry.domain.subjects import check_subject
from registry.domain.versioning import Bump, SemVer, next_version

REGISTRATION_STATES = (SchemaState.DRAFT, SchemaState.ACTIVE)


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


class Registration:
    def __init__(
        self,
        store: SchemaStore,
        cache: SchemaCache,
        documents: SchemaDocuments,
        compatibility: CompatibilityRegistry,
        observer: ServiceObserver,
        compute: Compute,
        *,
        metadata_max_depth: int,
    ) -> None:
        self._store = store
        self._cache = cache
        self._documents = documents
        self._compatibility = compatibility
        self._observer = observer
        self._compute = compute
        self._metadata_max_depth = metadata_max_depth

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
        check_metadata(request.metadata, self._metadata_max_depth)
        # Checked before any database write.
        handler, parsed, references, identity = self._documents.candidate(
            request.schema, request.format, request.references
        )
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
        check_writable(session.subject, session.modes)
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
            check_single_format(session.subject, live, parsed.format)
            highest = session.highest_version()
            highest_number = session.highest_number()
            if request.version is not None and highest is not None and request.version <= highest:
                raise VersionConflict(
                    f"version {request.version} is not higher than {session.subject!r}'s latest version {highest}",
                    latest_version=str(highest),
                )

        chosen = request.version is not None or (importing and request.version_number is not None)
        violations, bump = self._assess(handler, live, parsed, effective, check=not importing, bump=not chosen)
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
            version = next_version(highest, bump)
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

    def _assess(
        self,
        handler: FormatHandler,
        live: list[SchemaVersion],
        parsed: ParsedSchema,
        effective: EffectiveConfig,
        *,
        check: bool,
        bump: bool,
    ) -> tuple[list[Violation], Bump]:
        """The violations of the subject's mode (when ``check``; an import copies another
        registry's history as it was) and, when none and ``bump``, the version bump."""
        compared = list(compared_versions(live, effective.mode)) if check else []
        # The bump compares with the latest version, which the mode may not.
        needed = compared if compared or not bump else live[-1:]
        history = self._documents.history(handler, needed)
        rules = self._compatibility.get(parsed.format)

        def assess() -> tuple[list[Violation], Bump]:
            violations = (
                history_violations(rules, parsed.document, history, effective.mode, effective.policy) if check else []
            )
            if violations or not bump:
                return violations, Bump.MAJOR
            # A mode that checks backward has just compared with the latest version, which is
            # the bump's own question: on large schemas that comparison is the dear part.
            known_backward_compatible = check and effective.mode.checks_backward
            return violations, self._bump(
                handler, rules, history, parsed, effective.policy, known_backward_compatible=known_backward_compatible
            )

        return self._compute.run(
            assess,
            operation="checking compatibility",
            weight=len(parsed.content) + sum(len(version.content) for version in needed),
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
        *,
        known_backward_compatible: bool = False,
    ) -> Bump:
        if not history:
            return Bump.MAJOR
        latest = history[-1][1]
        if handler.only_annotations_differ(latest, parsed.document):
            return Bump.PATCH
        # Decided by a BACKWARD check whatever the subject's mode, NONE included.
        if known_backward_compatible or not rules.backward_violations(latest, parsed.document, policy):
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


def _outcome_of(error: RegistryError) -> str:
    if isinstance(error, IncompatibleSchema):
        return "incompatible"
    if isinstance(error, TooComplex):
        return "too_complex"
    if isinstance(error, (VersionConflict, CompatibilityModeConflict)):
        return "conflict"
    if isinstance(error, InvalidRequest) or error.code.startswith("INVALID") or "SCHEMA" in error.code:
        return "invalid"
    return "error"
