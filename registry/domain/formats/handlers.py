"""One interface over the schema formats the registry understands."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
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
class Dependency:
    """A schema another one refers to, by the name it uses for it (a resolved Confluent reference)."""

    # JSON Schema: the $ref URI (without fragment) that the referencing schema uses, e.g. "address.json" or
    # "https://example.com/address.schema.json"; Avro: the fully-qualified name of a named type the dependency
    # defines (e.g. "com.acme.Address"); Protobuf: the import path, e.g. "acme/address.proto"
    name: str
    content: str  # the referenced schema's registered text (same format as the referencing schema)


def distinct_dependencies(dependencies: Sequence[Dependency]) -> list[Dependency]:
    """The dependencies in the order given, each name once. A name given twice with the same
    text counts once; with different texts it is refused (which one was meant is unknowable)."""
    by_name: dict[str, Dependency] = {}
    for dependency in dependencies:
        known = by_name.setdefault(dependency.name, dependency)
        if known.content != dependency.content:
            message = f"two different schemas are given for the reference {dependency.name!r}"
            raise InvalidSchema(message, problems=[SchemaProblem(location=dependency.name, message=message)])
    return list(by_name.values())


@dataclass(frozen=True, slots=True)
class ParsedSchema:
    format: SchemaFormat
    # The parsed schema (JSON for JSON Schema), its references resolved: what the
    # compatibility and validation code take.
    document: Any
    content: str  # the registered text
    content_hash: str  # sha256 of the normalised text (dependencies excluded): equal for equal schemas


class DocumentValidator(Protocol):
    def validate(self, instance: object, max_errors: int = 100) -> list[ValidationIssue]: ...


class FormatHandler(Protocol):
    format: SchemaFormat

    def parse(self, schema: Any, dependencies: Sequence[Dependency] = ()) -> ParsedSchema:
        """Check a schema given as text or as parsed JSON, with the schemas it references
        available (flattened and transitive, each before those using it); raise InvalidSchema."""

    def load(self, content: str, dependencies: Sequence[Dependency] = ()) -> Any:
        """The document of content that was checked (with these dependencies) when it was registered."""

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

    def parse(self, schema: Any, dependencies: Sequence[Dependency] = ()) -> ParsedSchema:
        """Check a schema; with dependencies, ``document`` is a ``json_schema.SchemaWithReferences``
        whose ``$ref``s may name them (see ``json_schema.reference_resources``)."""
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
        if not dependencies:
            checked = self._checked.get(canonical)
            if checked is None:
                checked = (json_schema.parse_schema(document, self._limits), _sha256(canonical))
                self._checked.put(canonical, checked)
            return ParsedSchema(self.format, checked[0], content, checked[1])
        distinct = distinct_dependencies(dependencies)
        # The key says which texts the schema was checked with (JSON: unambiguous).
        key = orjson.dumps([canonical, [[item.name, item.content] for item in distinct]]).decode()
        checked = self._checked.get(key)
        if checked is None:
            with_references = _with_references(document, distinct)
            json_schema.parse_schema(document, self._limits, with_references.resources)
            # The hash is the schema's own: identity including references is decided elsewhere.
            checked = (with_references, _sha256(canonical))
            self._checked.put(key, checked)
        return ParsedSchema(self.format, checked[0], content, checked[1])

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

    def backward_violations(self, old: Any, new: Any, policy: CompatibilityPolicy) -> list[Violation]:
        old_schema, old_references = _schema_and_resources(old)
        new_schema, new_references = _schema_and_resources(new)
        return [
            replace(violation, path=_as_json_pointer(violation.path))
            for violation in json_schema_compatibility.backward_violations(
                old_schema, new_schema, policy, old_references=old_references, new_references=new_references
            )
        ]

    def compile_validator(self, document: Any, options: ValidationOptions = NO_VALIDATION_OPTIONS) -> DocumentValidator:
        schema, references = _schema_and_resources(document)
        return json_schema.compile_validator(schema, references)  # JSON Schema has no reading options


def _with_references(document: Any, dependencies: list[Dependency]) -> json_schema.SchemaWithReferences:
    loaded: list[tuple[str, Any]] = []
    for dependency in dependencies:
        try:
            loaded.append((dependency.name, orjson.loads(dependency.content)))
        except orjson.JSONDecodeError as exc:
            message = f"the referenced schema {dependency.name!r} is not valid JSON: {exc.msg}"
            raise InvalidSchema(
                message, problems=[SchemaProblem(location=f"{dependency.name}#", message=message)]
            ) from None
    return json_schema.SchemaWithReferences(document, tuple(loaded), json_schema.reference_resources(document, loaded))


def _parts(document: Any) -> tuple[Any, tuple[tuple[str, Any], ...]]:
    if isinstance(document, json_schema.SchemaWithReferences):
        return document.schema, document.dependencies
    return document, ()


def _schema_and_resources(document: Any) -> tuple[Any, Mapping[str, Any] | None]:
    if isinstance(document, json_schema.SchemaWithReferences):
        return document.schema, document.resources
    return document, None


def _without_annotations(document: Any) -> str:
    return json_schema.canonical_text(json_schema.strip_annotations(document))


class FormatRegistry:
    def __init__(self, handlers: list[FormatHandler]) -> None:
        self._handlers = {handler.format: handler for handler in handlers}

    def supported(self) -> list[str]:
        return sorted(fmt.value for fmt in self._handlers)

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
