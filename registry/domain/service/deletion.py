"""Deleting versions and subjects: soft deletion first, then permanent deletion of what was
soft-deleted; neither while another schema still references the version."""

from __future__ import annotations

from registry.domain.errors import (
    ReferenceExists,
    SchemaNotFound,
    SubjectNotSoftDeleted,
    SubjectSoftDeleted,
    VersionNotFound,
    VersionNotSoftDeleted,
    VersionSoftDeleted,
)
from registry.domain.model import SchemaState
from registry.domain.ports import SchemaCache, SchemaStore
from registry.domain.records import SchemaVersion, VersionChanges
from registry.domain.service.guards import check_writable, subject_not_found
from registry.domain.subjects import check_subject
from registry.domain.versioning import parse_version_label


class Deletion:
    def __init__(self, store: SchemaStore, cache: SchemaCache) -> None:
        self._store = store
        self._cache = cache

    def delete_version(self, schema_id: str) -> SchemaVersion:
        """Soft-delete one version by its UUID (``/api/v1``)."""
        with self._store.version_session(schema_id) as session:
            if session is None:
                raise SchemaNotFound(f"schema {schema_id} not found", schema_id=schema_id)
            check_writable(session.version.subject, session.modes)
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
            check_writable(subject, session.modes)
            versions = session.versions(include_deleted=True)
            live = [version for version in versions if version.is_live]
            if not live:
                if versions:
                    raise SubjectSoftDeleted(
                        f"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently",
                        subject=subject,
                    )
                raise subject_not_found(subject)
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
            check_writable(subject, session.modes)
            versions = session.versions(include_deleted=True)
            if not versions:
                raise subject_not_found(subject)
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
            check_writable(subject, session.modes)
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
            check_writable(subject, session.modes)
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
        raise subject_not_found(subject)
    if number is None:
        candidates = [version for version in versions if version.is_live or not live_only]
        if candidates:
            return candidates[-1]
    else:
        for version in versions:
            if version.version_number == number:
                return version
    raise VersionNotFound(f"Version {label} not found.", subject=subject, version=label)
