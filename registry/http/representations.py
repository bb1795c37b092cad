"""How domain records look on the wire."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from registry.domain.model import SchemaFormat, ValidationIssue, Violation
from registry.domain.records import SchemaVersion
from registry.domain.subjects import split_subject


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
