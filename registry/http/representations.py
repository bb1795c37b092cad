"""How domain records look on the wire."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from registry.domain.model import SchemaFormat, ValidationIssue, Violation
from registry.domain.records import SchemaVersion, SubjectSummary
from registry.domain.subjects import split_subject
from registry.lru import LocalCache


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def schema_version(version: SchemaVersion) -> dict[str, Any]:
    namespace, name = split_subject(version.subject)
    return {
        "id": version.id,
        "subject": version.subject,
        "namespace": namespace,
        "name": name,
        "version": str(version.version),
        # The same version in the Confluent API: its global schema id and integer version.
        "global_id": version.global_id,
        "version_number": version.version_number,
        "references": [reference.to_dict() for reference in version.references],
        "format": version.format.value,
        "schema": version.content if version.format is SchemaFormat.PROTOBUF else orjson.loads(version.content),
        "content": version.content,
        "state": version.state.value,
        "compatibility_mode": version.compatibility_mode.value,
        "compatibility_policy": version.compatibility_policy.value,
        "description": version.description,
        "tags": list(version.tags),
        "metadata": version.metadata,
        "created_at": timestamp(version.created_at),
        "updated_at": timestamp(version.updated_at),
    }


class RenderedSchemas:
    """Response bodies of ``GET /schemas/{id}``, rendered once per cached version.

    The schema cache hands out the same object until the version changes or is
    evicted, so an identity check tells whether a rendered body is still current.
    """

    def __init__(self, capacity: int) -> None:
        self._bodies: LocalCache[tuple[SchemaVersion, bytes]] = LocalCache(capacity, staleness_seconds=float("inf"))

    def body(self, version: SchemaVersion) -> bytes:
        cached = self._bodies.get(version.id)
        if cached is not None and cached[0] is version:
            return cached[1]
        body = orjson.dumps(schema_version(version))
        self._bodies.put(version.id, (version, body))
        return body


def version_entry(version: SchemaVersion) -> dict[str, Any]:
    return {
        "version": str(version.version),
        "id": version.id,
        "state": version.state.value,
        "created_at": timestamp(version.created_at),
    }


def schema_summary(version: SchemaVersion) -> dict[str, Any]:
    namespace, name = split_subject(version.subject)
    return {
        "id": version.id,
        "subject": version.subject,
        "namespace": namespace,
        "name": name,
        "version": str(version.version),
        # The same version in the Confluent API: its global schema id and integer version.
        "global_id": version.global_id,
        "version_number": version.version_number,
        "references": [reference.to_dict() for reference in version.references],
        "format": version.format.value,
        "state": version.state.value,
        "tags": list(version.tags),
        "created_at": timestamp(version.created_at),
        "updated_at": timestamp(version.updated_at),
    }


def subject_summary(summary: SubjectSummary) -> dict[str, Any]:
    namespace, name = split_subject(summary.subject)
    return {
        "subject": summary.subject,
        "namespace": namespace,
        "name": name,
        "latest_version": str(summary.latest_version),
        "latest_id": summary.latest_id,
        "versions": summary.version_count,
    }


def registration(version: SchemaVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "subject": version.subject,
        "version": str(version.version),
        "created_at": timestamp(version.created_at),
    }


def validation_result(issues: list[ValidationIssue]) -> dict[str, Any]:
    return {"is_valid": not issues, "errors": [issue.to_dict() for issue in issues]}


def compatibility_result(violations: list[Violation], mode: str, policy: str) -> dict[str, Any]:
    return {
        "is_compatible": not violations,
        "mode": mode,
        "policy": policy,
        "violations": [violation.to_dict() for violation in violations],
    }
