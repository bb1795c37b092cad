"""Schemas as their format's documents: candidates parsed from a request, stored versions loaded,
each with its references resolved."""

from __future__ import annotations

from typing import Any

from registry.domain.formats.base import FormatHandler, ParsedSchema
from registry.domain.formats.registry import FormatRegistry
from registry.domain.identity import identity_hash
from registry.domain.model import SchemaFormat
from registry.domain.records import SchemaReference, SchemaVersion
from registry.domain.references import ReferenceResolver


class SchemaDocuments:
    def __init__(self, formats: FormatRegistry, references: ReferenceResolver) -> None:
        self._formats = formats
        self._references = references

    def candidate(
        self, schema: Any, fmt: SchemaFormat, references: tuple[SchemaReference, ...]
    ) -> tuple[FormatHandler, ParsedSchema, tuple[SchemaReference, ...], str]:
        """A schema to register, look up or check: its handler, the parsed schema, its references
        (``-1`` pinned to a number) and its identity."""
        handler = self._formats.get(fmt)
        pinned = self._references.pin(references)
        dependencies = self._references.for_new_schema(pinned, fmt)
        parsed = handler.parse(schema, dependencies)
        return handler, parsed, pinned, identity_hash(parsed.content_hash, pinned, dependencies)

    def load(self, handler: FormatHandler, version: SchemaVersion) -> Any:
        return handler.load(version.content, self._references.for_version(version))

    def history(self, handler: FormatHandler, live: list[SchemaVersion]) -> list[tuple[str, Any]]:
        return [(str(version.version), self.load(handler, version)) for version in live]

    def identity(self, version: SchemaVersion) -> str:
        return identity_hash(version.content_hash, version.references, self._references.for_version(version))
