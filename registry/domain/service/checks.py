"""Checks that change nothing: documents validated against a schema, schemas checked for
compatibility with another schema or with a subject's history."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from registry.domain.compatibility.checker import compared_versions, history_violations, pair_violations
from registry.domain.compatibility.registry import CompatibilityRegistry
from registry.domain.compute import Compute, json_weight
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
        compute: Compute,
    ) -> None:
        self._queries = queries
        self._formats = formats
        self._documents = documents
        self._validators = validators
        self._observer = observer
        self._compute = compute

    def validate(
        self,
        schema_id: str,
        document: Any,
        *,
        max_errors: int = DEFAULT_MAX_ERRORS,
        options: ValidationOptions = NO_VALIDATION_OPTIONS,
        size: int | None = None,
    ) -> list[ValidationIssue]:
        """``size``: the bytes of the document's JSON when the caller has them (its request
        body), which spares measuring the parsed document to weigh the step."""
        key = schema_id if options is NO_VALIDATION_OPTIONS else f"{schema_id}|{options.cache_key}"
        validator = self._validators.get(key) or self._compile(schema_id, key, options)
        try:
            issues = self._compute.run(
                lambda: validator.validate(document, max_errors),
                operation="validating the document",
                weight=json_weight(document, self._compute.weight_limit) if size is None else size,
                key=key,
            )
        except RecursionError:
            # A recursive schema walks as deep as the document: refuse it rather than fail.
            raise InvalidRequest("the document is nested too deeply to validate") from None
        self._observer.validation("valid" if not issues else "invalid")
        return issues

    def _compile(self, schema_id: str, key: str, options: ValidationOptions) -> DocumentValidator:
        version = self._queries.get_schema(schema_id)
        handler = self._formats.get(version.format)
        document = self._documents.load(handler, version)  # here: loading may use caches and protoc
        validator = self._compute.run(
            lambda: handler.compile_validator(document, options),
            operation="compiling the schema's validator",
            weight=len(version.content),
        )
        self._validators.put(key, validator)
        return validator

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
        version = self._queries.subject_version(subject, label)
        return version, self.validate(version.id, document, max_errors=max_errors, options=options, size=size)


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
        compute: Compute,
    ) -> None:
        self._store = store
        self._queries = queries
        self._settings = settings
        self._formats = formats
        self._documents = documents
        self._compatibility = compatibility
        self._observer = observer
        self._compute = compute

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
        rules = self._compatibility.get(candidate.format)
        new, old = self._documents.load(handler, candidate), self._documents.load(handler, existing)
        violations = self._compute.run(
            lambda: pair_violations(rules, new, old, mode, policy),
            operation="checking compatibility",
            weight=len(candidate.content) + len(existing.content),
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
            compared = [] if duplicate else compared_versions(live, effective.mode)
            history = self._documents.history(handler, list(compared))
            rules = self._compatibility.get(fmt)
            violations = self._compute.run(
                lambda: history_violations(rules, parsed.document, history, effective.mode, effective.policy),
                operation="checking compatibility",
                weight=len(parsed.content) + sum(len(version.content) for version in compared),
            )
        self._observer.compatibility_check("compatible" if not violations else "incompatible")
        return CompatibilityReport(
            violations,
            effective.mode,
            effective.policy,
            [str(version.version) for version in compared],
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
        rules, old = self._compatibility.get(fmt), self._documents.load(handler, existing)
        found = self._compute.run(
            lambda: pair_violations(rules, parsed.document, old, effective.mode, effective.policy),
            operation="checking compatibility",
            weight=len(parsed.content) + len(existing.content),
        )
        violations = [replace(violation, version=str(existing.version_number)) for violation in found]
        self._observer.compatibility_check("compatible" if not violations else "incompatible")
        return CompatibilityReport(violations, effective.mode, effective.policy, [str(existing.version)])
