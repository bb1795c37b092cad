"""Avro as a registry format: checking schemas, their normalised text, validating documents.

Pure domain code (no HTTP, no SQL). ``AvroHandler`` (``handler.py``) implements the
``FormatHandler`` protocol of ``registry.domain.formats.base``; its documents are
``AvroSchema``s (the schema's JSON plus its resolved type graph, ``types.py``). Whether
one version can read another's data is not the format's concern: the resolution rules
are in ``registry.domain.compatibility.avro``.

``limits.py`` screens a schema's JSON before ``parsing.py`` checks it and builds its
graph; ``library_check.py`` has the ``avro`` library parse it too; ``normalisation.py``
gives its identity; ``validation.py`` checks documents against the graph.
"""

from registry.domain.formats.avro.handler import AvroHandler
from registry.domain.formats.avro.limits import Limits
from registry.domain.formats.avro.normalisation import normalised_text
from registry.domain.formats.avro.types import (
    PRIMITIVE_TYPES,
    ArrayType,
    AvroSchema,
    AvroType,
    EnumType,
    FixedType,
    MapType,
    NamedType,
    PrimitiveType,
    RecordField,
    RecordType,
    UnionType,
)
from registry.domain.formats.avro.validation import AvroJsonEncoding, AvroValidator

__all__ = [
    "PRIMITIVE_TYPES",
    "ArrayType",
    "AvroHandler",
    "AvroJsonEncoding",
    "AvroSchema",
    "AvroType",
    "AvroValidator",
    "EnumType",
    "FixedType",
    "Limits",
    "MapType",
    "NamedType",
    "PrimitiveType",
    "RecordField",
    "RecordType",
    "UnionType",
    "normalised_text",
]
