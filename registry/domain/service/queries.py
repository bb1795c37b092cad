"""Reads: versions by id, number or label, lookups by content, global ids, listings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from registry.domain.errors import (
    InvalidRequest,
    SchemaNotFound,
    StorageUnavailable,
    SubjectNotFound,
    VersionNotFound,
)
from registry.domain.formats.registry import FormatRegistry
from registry.domain.model import SchemaFormat
from registry.domain.ports import SchemaCache, SchemaStore
from registry.domain.records import GlobalSchema, SchemaFilter, SchemaReference, SchemaVersion, SubjectSummary
from registry.domain.references import ReferenceResolver
from registry.domain.service.documents import SchemaDocuments
from registry.domain.service.guards import subject_not_found
from registry.domain.subjects import check_subject
from registry.domain.versioning import SemVer, parse_version_label

LATEST = "latest"

Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class Page(Generic[Item]):
    items: list[Item]
    has_more: bool


class Queries:
    def __init__(
        self,
        store: SchemaStore,
        cache: SchemaCache,
        formats: FormatRegistry,
        references: ReferenceResolver,
        documents: SchemaDocuments,
    ) -> None:
        self._store = store
        self._cache = cache
        self._formats = formats
        self._references = references
        self._documents = documents

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
            raise subject_not_found(subject)

    def version_numbers(self, subject: str, include_deleted: bool) -> list[int]:
        subject = check_subject(subject)
        numbers = self._store.version_numbers(subject, include_deleted=include_deleted)
        if not numbers:
            raise subject_not_found(subject)
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
        _, parsed, _, identity = self._documents.candidate(schema, fmt, references)
        self._require_versions(subject, include_deleted)
        candidates = self._store.versions_with_content_hash(
            subject, parsed.content_hash, include_deleted=include_deleted
        )
        for version in reversed(candidates):  # the newest registration of it first
            if version.format is fmt and self._documents.identity(version) == identity:
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
