"""One interface over the schema formats the registry understands."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any, Protocol

import orjson

from registry.domain.compatibility import json_schema as json_schema_compatibility
from registry.domain.errors import InvalidSchema, UnsupportedFormat
from registry.domain.formats import json_schema
from registry.domain.model import (
    NO_VALIDATION_OPTIONS,
    CompatibilityPolicy,
    SchemaFormat,
    SchemaProblem,
    ValidationIssue,
    ValidationOptions,
    Violation,
)
from registry.lru import LocalCache


@dataclass(frozen=True, slots=True)
class ParsedSchema:
    format: SchemaFormat
    document: Any  # the parsed schema (JSON for JSON Schema)
    content: str  # the registered text
    content_hash: str  # sha256 of the normalised text: equal for equal schemas


class DocumentValidator(Protocol):
    def validate(self, instance: object, max_errors: int = 100) -> list[ValidationIssue]: ...


class FormatHandler(Protocol):
    format: SchemaFormat

    def parse(self, schema: Any) -> ParsedSchema:
        """Check a schema given as text or as parsed JSON; raise InvalidSchema."""

    def load(self, content: str) -> Any:
        """The document of content that was checked when it was registered."""

    def only_annotations_differ(self, old: Any, new: Any) -> bool: ...

    def backward_violations(self, old: Any, new: Any, policy: CompatibilityPolicy) -> list[Violation]: ...

    def compile_validator(
        self, document: Any, options: ValidationOptions = NO_VALIDATION_OPTIONS
    ) -> DocumentValidator: ...


class JsonSchemaHandler:
    format = SchemaFormat.JSON

    def __init__(self, limits: json_schema.Limits | None = None, *, checked_cache_size: int = 1024) -> None:
        self._limits = limits or json_schema.Limits()
        # Checking a schema against its metaschema costs far more than the rest of a
        # registration; many registrations repeat a schema (one schema, many subjects).
        self._checked: LocalCache[tuple[Any, str]] = LocalCache(checked_cache_size, staleness_seconds=float("inf"))

    def parse(self, schema: Any) -> ParsedSchema:
        if isinstance(schema, str):
            content = schema
            try:
                document = orjson.loads(schema)
            except orjson.JSONDecodeError as exc:
                raise InvalidSchema(
                    "the schema text is not valid JSON",
                    problems=[SchemaProblem(location=f"char {exc.pos}", message=exc.msg)],
                ) from None
        else:
            document = schema
            content = orjson.dumps(schema).decode()
        try:
            canonical = json_schema.canonical_text(document)
        except InvalidSchema:
            json_schema.parse_schema(document, self._limits)  # names the limit a too-deep schema breaks
            raise
        checked = self._checked.get(canonical)
        if checked is None:
            checked = (json_schema.parse_schema(document, self._limits), _sha256(canonical))
            self._checked.put(canonical, checked)
        return ParsedSchema(self.format, checked[0], content, checked[1])

    def load(self, content: str) -> Any:
        return orjson.loads(content)

    def only_annotations_differ(self, old: Any, new: Any) -> bool:
        return json_schema.canonical_text(json_schema.strip_annotations(old)) == json_schema.canonical_text(
            json_schema.strip_annotations(new)
        )

    def backward_violations(self, old: Any, new: Any, policy: CompatibilityPolicy) -> list[Violation]:
        return [
            replace(violation, path=_as_json_pointer(violation.path))
            for violation in json_schema_compatibility.backward_violations(old, new, policy)
        ]

    def compile_validator(
        self, document: Any, options: ValidationOptions = NO_VALIDATION_OPTIONS
    ) -> DocumentValidator:
        return json_schema.compile_validator(document)  # JSON Schema has no reading options


class FormatRegistry:
    def __init__(self, handlers: list[FormatHandler]) -> None:
        self._handlers = {handler.format: handler for handler in handlers}

    def get(self, fmt: SchemaFormat) -> FormatHandler:
        handler = self._handlers.get(fmt)
        if handler is None:
            raise UnsupportedFormat(
                f"{fmt.value} schemas are not supported yet; supported: "
                + ", ".join(sorted(f.value for f in self._handlers)),
                field="schema_type",
            )
        return handler


def default_formats() -> FormatRegistry:
    from registry.domain.formats.avro import AvroHandler
    from registry.domain.formats.protobuf import ProtobufHandler

    return FormatRegistry([JsonSchemaHandler(), AvroHandler(), ProtobufHandler()])


def _as_json_pointer(path: str) -> str:
    """The engine speaks URI fragments (``#/properties/a``); the API speaks JSON pointers."""
    return path[1:] if path.startswith("#") else path


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
