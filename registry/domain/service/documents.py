"""Schemas as their format's documents: candidates parsed from a request, stored versions loaded,
each with its references resolved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry.domain.compute import Compute, json_weight
from registry.domain.formats.base import Dependency, FormatHandler, ParsedSchema
from registry.domain.formats.registry import FormatRegistry
from registry.domain.identity import identity_hash
from registry.domain.model import SchemaFormat
from registry.domain.records import SchemaReference, SchemaVersion
from registry.domain.references import ReferenceResolver

# Formats whose parse is pure computation, so it may run on another thread (see
# registry.domain.compute). Protobuf's is not: it compiles through a protoc subprocess and a
# cache of outcomes under a lock, so it stays here; waiting for protoc lets a gevent worker
# serve others meanwhile, and the budget bounds the wait.
_PURE_PARSE = frozenset({SchemaFormat.JSON, SchemaFormat.AVRO})
# Formats whose stored schemas load through a cache of built documents (and protoc), building
# them by pure parts that the step hands over.
_LOADED_THROUGH_CACHES = frozenset({SchemaFormat.AVRO, SchemaFormat.PROTOBUF})


class SchemaDocuments:
    def __init__(self, formats: FormatRegistry, references: ReferenceResolver, compute: Compute) -> None:
        self._formats = formats
        self._references = references
        self._compute = compute

    def candidate(
        self, schema: Any, fmt: SchemaFormat, references: tuple[SchemaReference, ...]
    ) -> tuple[FormatHandler, ParsedSchema, tuple[SchemaReference, ...], str]:
        """A schema to register, look up or check: its handler, the parsed schema, its references
        (``-1`` pinned to a number) and its identity."""
        handler = self._formats.get(fmt)
        pinned = self._references.pin(references)
        dependencies = self._references.for_new_schema(pinned, fmt)
        parsed = self._parse(handler, schema, dependencies)
        return handler, parsed, pinned, identity_hash(parsed.content_hash, pinned, dependencies)

    def _parse(self, handler: FormatHandler, schema: Any, dependencies: Sequence[Dependency]) -> ParsedSchema:
        weight = len(schema) if isinstance(schema, str) else json_weight(schema, self._compute.weight_limit)
        return self._compute.run(
            lambda: handler.parse(schema, dependencies),
            operation="checking the schema",
            weight=weight + sum(len(dependency.content) for dependency in dependencies),
            movable=handler.format in _PURE_PARSE,
        )

    def load(self, handler: FormatHandler, version: SchemaVersion) -> Any:
        dependencies = self._references.for_version(version)
        if handler.format not in _LOADED_THROUGH_CACHES:
            return handler.load(version.content, dependencies)  # parsing JSON text, no more
        # Through the format's cache (and protoc): a step that stays here, handing pure parts over.
        return self._compute.run(
            lambda: handler.load(version.content, dependencies),
            operation="loading the schema",
            weight=len(version.content),
            movable=False,
        )

    def history(self, handler: FormatHandler, live: list[SchemaVersion]) -> list[tuple[str, Any]]:
        return [(str(version.version), self.load(handler, version)) for version in live]

    def identity(self, version: SchemaVersion) -> str:
        return identity_hash(version.content_hash, version.references, self._references.for_version(version))
