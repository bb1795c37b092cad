"""JSON Schema as a registry format: the ``FormatHandler`` the format registry holds."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from registry.domain.errors import InvalidSchema
from registry.domain.formats.base import Dependency, DocumentValidator, ParsedSchema, distinct_dependencies
from registry.domain.formats.json_schema.canonical import canonical_text, strip_annotations
from registry.domain.formats.json_schema.limits import Limits
from registry.domain.formats.json_schema.parsing import parse_schema
from registry.domain.formats.json_schema.references import SchemaWithReferences, reference_resources
from registry.domain.formats.json_schema.validation import compile_validator as compile_schema_validator
from registry.domain.model import (
    NO_VALIDATION_OPTIONS,
    SchemaFormat,
    SchemaProblem,
    ValidationOptions,
)
from registry.lru import LocalCache


class JsonSchemaHandler:
    format = SchemaFormat.JSON

    def __init__(self, limits: Limits | None = None, *, checked_cache_size: int = 1024) -> None:
        self._limits = limits or Limits()
        # Checking a schema costs more than the rest of a registration; many registrations
        # repeat a schema (one schema, many subjects). Keyed by hash: a schema may be 1 MB.
        # Without references only the verdict is kept (the document is at hand already).
        self._checked: LocalCache[Any] = LocalCache(checked_cache_size, staleness_seconds=float("inf"))

    def parse(self, schema: Any, dependencies: Sequence[Dependency] = ()) -> ParsedSchema:
        """Check a schema; with dependencies, ``document`` is a ``SchemaWithReferences``
        whose ``$ref``s may name them (see ``reference_resources``)."""
        if isinstance(schema, str):
            try:
                document = orjson.loads(schema)
            except orjson.JSONDecodeError as exc:
                raise InvalidSchema(
                    "the schema text is not valid JSON",
                    problems=[SchemaProblem(location=f"char {exc.pos}", message=exc.msg)],
                ) from None
        else:
            document = schema
        try:
            canonical = canonical_text(document)
        except InvalidSchema:
            parse_schema(document, self._limits)  # names the limit a too-deep schema breaks
            raise
        # Only now: canonical_text turned what orjson cannot write (nesting past its 254
        # levels) into the limit the schema breaks.
        content = schema if isinstance(schema, str) else orjson.dumps(schema).decode()
        content_hash = _sha256(canonical)
        if not dependencies:
            if self._checked.get(content_hash) is None:
                parse_schema(document, self._limits)
                self._checked.put(content_hash, True)
            return ParsedSchema(self.format, document, content, content_hash)
        distinct = distinct_dependencies(dependencies)
        # The key says which texts the schema was checked with (JSON: unambiguous).
        key = _sha256(orjson.dumps([content_hash, [[item.name, item.content] for item in distinct]]).decode())
        with_references = self._checked.get(key)
        if with_references is None:
            with_references = _with_references(document, distinct)
            parse_schema(document, self._limits, with_references.resources)
            self._checked.put(key, with_references)
        # The hash is the schema's own: identity including references is decided elsewhere.
        return ParsedSchema(self.format, with_references, content, content_hash)

    def load(self, content: str, dependencies: Sequence[Dependency] = ()) -> Any:
        document = orjson.loads(content)
        if not dependencies:
            return document
        return _with_references(document, distinct_dependencies(dependencies))

    def only_annotations_differ(self, old: Any, new: Any) -> bool:
        old_schema, old_dependencies = _parts(old)
        new_schema, new_dependencies = _parts(new)
        if _without_annotations(old_schema) != _without_annotations(new_schema):
            return False
        # Conservative: a referenced schema added, dropped or changed beyond its annotations counts.
        return {name: _without_annotations(doc) for name, doc in old_dependencies} == {
            name: _without_annotations(doc) for name, doc in new_dependencies
        }

    def compile_validator(self, document: Any, options: ValidationOptions = NO_VALIDATION_OPTIONS) -> DocumentValidator:
        schema, references = _schema_and_resources(document)
        return compile_schema_validator(schema, references)  # JSON Schema has no reading options


def _with_references(document: Any, dependencies: list[Dependency]) -> SchemaWithReferences:
    loaded: list[tuple[str, Any]] = []
    for dependency in dependencies:
        try:
            loaded.append((dependency.name, orjson.loads(dependency.content)))
        except orjson.JSONDecodeError as exc:
            message = f"the referenced schema {dependency.name!r} is not valid JSON: {exc.msg}"
            raise InvalidSchema(
                message, problems=[SchemaProblem(location=f"{dependency.name}#", message=message)]
            ) from None
    return SchemaWithReferences(document, tuple(loaded), reference_resources(document, loaded))


def _parts(document: Any) -> tuple[Any, tuple[tuple[str, Any], ...]]:
    if isinstance(document, SchemaWithReferences):
        return document.schema, document.dependencies
    return document, ()


def _schema_and_resources(document: Any) -> tuple[Any, Mapping[str, Any] | None]:
    if isinstance(document, SchemaWithReferences):
        return document.schema, document.resources
    return document, None


def _without_annotations(document: Any) -> str:
    return canonical_text(strip_annotations(document))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
