"""What every schema format provides, and the types passed between formats and their callers.

This module imports no format: each format package imports it, and ``registry.py``
assembles the formats. Compatibility rules are not part of a format (they live in
``registry.domain.compatibility``), so a format never depends on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from registry.domain.errors import InvalidSchema
from registry.domain.model import (
    NO_VALIDATION_OPTIONS,
    SchemaFormat,
    SchemaProblem,
    ValidationIssue,
    ValidationOptions,
)


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
    """Parsing, canonical form and validation of one schema format."""

    @property
    def format(self) -> SchemaFormat: ...

    def parse(self, schema: Any, dependencies: Sequence[Dependency] = ()) -> ParsedSchema:
        """Check a schema given as text or as parsed JSON, with the schemas it references
        available (flattened and transitive, each before those using it); raise InvalidSchema."""
        ...

    def load(self, content: str, dependencies: Sequence[Dependency] = ()) -> Any:
        """The document of content that was checked (with these dependencies) when it was registered."""
        ...

    def only_annotations_differ(self, old: Any, new: Any) -> bool:
        """Whether two documents differ in documentation only (a patch-level change)."""
        ...

    def compile_validator(
        self, document: Any, options: ValidationOptions = NO_VALIDATION_OPTIONS
    ) -> DocumentValidator: ...


@runtime_checkable
class DescriptorFormat(FormatHandler, Protocol):
    """A format whose schemas have a binary descriptor (Protobuf's FileDescriptorProto)."""

    def serialized_descriptor(self, document: Any, dependencies: Sequence[Dependency] = ()) -> bytes: ...
