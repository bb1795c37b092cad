"""Checks that change nothing: documents validated against a schema, schemas checked for
compatibility with another schema or with a subject's history."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from registry.domain.compatibility.checker import compared_versions, history_violations, pair_violations
from registry.domain.compatibility.registry import CompatibilityRegistry
from registry.domain.errors import InvalidRequest
from registry.domain.formats.base import DocumentValidator
from registry.domain.formats.registry import FormatRegistry
from registry.domain.model import (
    NO_VALIDATION_OPTIONS,
    CompatibilityMode,
    CompatibilityPolicy,
    SchemaFormat,
    ValidationIssue,
    ValidationOptions,
    Violation,
)
from registry.domain.ports import SchemaStore
from registry.domain.records import SchemaReference, SchemaVersion
from registry.domain.service.documents import SchemaDocuments
from registry.domain.service.guards import check_single_format
from registry.domain.service.observer import ServiceObserver
from registry.domain.service.queries import Queries
from registry.domain.service.settings import RegistrySettings
from registry.domain.subjects import check_subject
from registry.lru import LocalCache

DEFAULT_MAX_ERRORS = 100


@dataclass(frozen=True, slots=True)
class CompatibilityReport:
    """What registering a schema into a subject would meet."""

    violations: list[Violation]
    mode: CompatibilityMode
    policy: CompatibilityPolicy
    compared_versions: list[str]
    identical_to: str | None = None  # the live version with the same content, if any


class Validation:
    def __init__(
        self,
        queries: Queries,
        formats: FormatRegistry,
        documents: SchemaDocuments,
        validators: LocalCache[DocumentValidator],
        observer: ServiceObserver,
    ) -> None:
        self._queries = queries
        self._formats = formats
        self._documents = documents
        self._validators = validators
        self._observer = observer

    def validate(
        self,
        schema_id: str,
        document: Any,
        *,
        max_errors: int = DEFAULT_MAX_ERRORS,
        options: ValidationOptions = NO_VALIDATION_OPTIONS,
    ) -> list[ValidationIssue]:
        key = schema_id if options is NO_VALIDATION_OPTIONS else f"{schema_id}|{options.cache_key}"
        validator = self._validators.get(key)
        if validator is None:
            version = self._queries.get_schema(schema_id)
            handler = self._formats.get(version.format)
            validator = handler.compile_validator(self._documents.load(handler, version), options)
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
        max_errors: int = DEFAULT_MAX_ERRORS,
        options: ValidationOptions = NO_VALIDATION_OPTIONS,
    ) -> tuple[SchemaVersion, list[ValidationIssue]]:
        version = self._queries.subject_version(subject, label)
        return version, self.validate(version.id, document, max_errors=max_errors, options=options)


class CompatibilityChecks:
    def __init__(
        self,
        store: SchemaStore,
        queries: Queries,
        settings: RegistrySettings,
        formats: FormatRegistry,
        documents: SchemaDocuments,
        compatibility: CompatibilityRegistry,
        observer: ServiceObserver,
    ) -> None:
        self._store = store
        self._queries = queries
        self._settings = settings
        self._formats = formats
        self._documents = documents
        self._compatibility = compatibility
        self._observer = observer

    def check_compatibility(
        self,
        candidate_id: str,
        existing_id: str,
        mode: CompatibilityMode,
        policy: CompatibilityPolicy,
    ) -> list[Violation]:
        candidate = self._queries.get_schema(candidate_id)
        existing = self._queries.get_schema(existing_id)
        if candidate.format is not existing.format:
            raise InvalidRequest(
                f"cannot compare a {candidate.format.value} schema with a {existing.format.value} schema",
                field="compared_schema_id",
            )
        handler = self._formats.get(candidate.format)
        violations = pair_violations(
            self._compatibility.get(candidate.format),
            self._documents.load(handler, candidate),
            self._documents.load(handler, existing),
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
        handler, parsed, _, identity = self._documents.candidate(schema, fmt, references)
        with self._store.subject_session(subject, dry_run=True) as session:
            effective = session.config.resolve(session.global_config)
            live = session.live_versions()
            duplicate = next((v for v in live if self._documents.identity(v) == identity and v.format is fmt), None)
            check_single_format(session.subject, live, fmt)
            history = self._documents.history(handler, live)
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
        existing = self._queries.version_by_label(subject, label, include_deleted=False)
        if existing.format is not fmt:
            raise InvalidRequest(
                f"cannot compare a {fmt.value} schema with a {existing.format.value} schema", field="schemaType"
            )
        handler, parsed, _, _ = self._documents.candidate(schema, fmt, references)
        effective, _ = self._settings.subject_config(existing.subject)
        violations = [
            replace(violation, version=str(existing.version_number))
            for violation in pair_violations(
                self._compatibility.get(fmt),
                parsed.document,
                self._documents.load(handler, existing),
                effective.mode,
                effective.policy,
            )
        ]
        self._observer.compatibility_check("compatible" if not violations else "incompatible")
        return CompatibilityReport(violations, effective.mode, effective.policy, [str(existing.version)])
