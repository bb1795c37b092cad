"""The JSON Schema format's compatibility rules, as the registry looks them up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from registry.domain.compatibility.json_schema.engine import backward_violations
from registry.domain.formats.json_schema import SchemaWithReferences
from registry.domain.model import CompatibilityPolicy, SchemaFormat, Violation


class JsonSchemaCompatibility:
    format = SchemaFormat.JSON

    def backward_violations(self, old: Any, new: Any, policy: CompatibilityPolicy) -> list[Violation]:
        old_schema, old_references = _schema_and_resources(old)
        new_schema, new_references = _schema_and_resources(new)
        return [
            replace(violation, path=_as_json_pointer(violation.path))
            for violation in backward_violations(
                old_schema, new_schema, policy, old_references=old_references, new_references=new_references
            )
        ]


def _schema_and_resources(document: Any) -> tuple[Any, Mapping[str, Any] | None]:
    if isinstance(document, SchemaWithReferences):
        return document.schema, document.resources
    return document, None


def _as_json_pointer(path: str) -> str:
    """The engine speaks URI fragments (``#/properties/a``); the API speaks JSON pointers."""
    return path[1:] if path.startswith("#") else path
