"""JSON Schema as a registry format: checking schemas, normalising them, validating documents.

Pure domain code (no HTTP, no SQL). Other layers use ``JsonSchemaHandler`` (``handler``),
which rests on four functions:

* ``parse_schema`` (``parsing``) accepts or rejects a submitted schema (size limits,
  metaschema, ECMA-262 patterns, local ``$ref`` resolution, ``$ref`` cycles);
* ``canonical_text`` (``canonical``) gives the text used for duplicate detection;
* ``strip_annotations`` (``canonical``) removes annotation keywords so an annotation-only
  change can be recognised;
* ``compile_validator`` (``validation``) builds a reusable, thread- and greenlet-safe
  validator whose ``validate`` returns ``ValidationIssue``s.

Beneath them: ``dialects`` (draft-04 to 2020-12, offline reference resolution),
``resolution`` (the ``referencing`` library's crawl, corrected and kept from crashing),
``metaschema`` (each dialect's metaschema compiled into one linear check; jsonschema words
the problems of the schemas it refuses), ``keywords`` and ``string_formats`` (what
validation checks beyond jsonschema's stock keywords), ``equality`` (JSON Schema's equality
as canonical keys: ``uniqueItems`` and ``enum`` without pairwise comparisons),
``ecma_regex`` (ECMA-262 patterns, matched within time limits), ``graph`` (walking a schema
and its ``$ref``s), ``references`` (schemas registered with references), ``limits`` (how
big a schema may be) and ``reporting`` (how problems are located and worded).

``$ref``: local references only (JSON pointers, anchors, ids of resources inside the
document) plus the official metaschemas bundled with ``jsonschema``, and the schemas the
registry resolved from the schema's references (``reference_resources``). Nothing is
ever fetched.
"""

from registry.domain.formats.json_schema.canonical import ANNOTATION_KEYWORDS, canonical_text, strip_annotations
from registry.domain.formats.json_schema.ecma_regex import (
    PATTERN_MATCH_TIMEOUT_SECONDS,
    PATTERN_TIME_BUDGET_SECONDS,
    ecma_pattern_error,
    translate_ecma_regex,
)
from registry.domain.formats.json_schema.handler import JsonSchemaHandler
from registry.domain.formats.json_schema.limits import Limits
from registry.domain.formats.json_schema.parsing import PATTERN_COMPILE_BUDGET_SECONDS, parse_schema
from registry.domain.formats.json_schema.references import SchemaWithReferences, reference_resources
from registry.domain.formats.json_schema.validation import CompiledValidator, compile_validator

__all__ = [
    "ANNOTATION_KEYWORDS",
    "CompiledValidator",
    "JsonSchemaHandler",
    "Limits",
    "PATTERN_COMPILE_BUDGET_SECONDS",
    "PATTERN_MATCH_TIMEOUT_SECONDS",
    "PATTERN_TIME_BUDGET_SECONDS",
    "SchemaWithReferences",
    "canonical_text",
    "compile_validator",
    "ecma_pattern_error",
    "parse_schema",
    "reference_resources",
    "strip_annotations",
    "translate_ecma_regex",
]
