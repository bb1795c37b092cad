"""Validating documents: ``compile_validator`` and the ``CompiledValidator`` it builds.

``schema_path`` of a validation issue is the keyword location along the evaluation path
(the standard output format's ``keywordLocation``): it goes *through* ``$ref``, e.g.
``/properties/home/$ref/properties/zip/pattern``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import referencing.exceptions
import regex
from jsonschema.exceptions import ValidationError

from registry.domain.formats.json_schema.dialects import Dialect, Holds, dialect_of, resolver_for
from registry.domain.formats.json_schema.ecma_regex import (
    PATTERN_TIME_BUDGET_SECONDS,
    InvalidEcmaPattern,
    ValidationContext,
    compile_ecma,
    validation_context,
)
from registry.domain.formats.json_schema.equality import IndexedEnum
from registry.domain.formats.json_schema.graph import patterns_in, schema_graph
from registry.domain.formats.json_schema.references import SchemaWithReferences
from registry.domain.formats.json_schema.reporting import closest_sub_error, json_pointer, short_repr, shorten
from registry.domain.model import ValidationIssue

# Marks the stand-in for a ``false`` subschema in validation copies (compared by identity).
_FALSE_MARKER = "registry: stands for the false schema"

# jsonschema's descend() reports a ``false`` subschema without its instance path or schema
# path (e.g. ``"properties": {"gone": false}`` is reported at the parent object), so for
# validation such subschemas become an equivalent that is reported like any keyword. Only
# where jsonschema reaches them through descend(): single-schema keywords such as
# ``items``/``additionalProperties`` test for ``False`` themselves and keep it.
_DESCENDED_SINGLE_SCHEMA_KEYWORDS = frozenset({"then", "else"})


# From this many values, an ``enum`` is looked up by canonical key rather than compared with
# each value (see ``enum_keyword``): 12,000 items against 12,001 values took minutes.
_INDEXED_ENUM_SIZE = 8


def _false_stand_in() -> dict[str, Any]:
    return {"not": {}, "$comment": _FALSE_MARKER}


def _validation_copy(document: object, dialect: Dialect, schema_ids: set[int]) -> object:
    """The document as the validator gets it: a full copy in which every schema node (by
    identity, including ``$ref`` targets outside keyword positions) loses ``$schema`` and
    has its ``false`` subschemas replaced (see ``_false_stand_in``).

    Without any "$schema", jsonschema never swaps our extended validator class for its
    stock one, which it otherwise does for every schema naming a dialect (e.g. the target
    of ``"$ref": "#"``) - and the stock class matches ``pattern`` with Python ``re``.
    """

    return _ValidationCopy(dialect, schema_ids).of(document)


class _ValidationCopy:
    __slots__ = ("dialect", "schema_ids")

    def __init__(self, dialect: Dialect, schema_ids: set[int]) -> None:
        self.dialect = dialect
        self.schema_ids = schema_ids

    def of(self, value: object) -> object:
        if isinstance(value, list):
            return [self.of(item) for item in value]
        if not isinstance(value, dict):
            return value
        if id(value) not in self.schema_ids:
            return {key: self.of(item) for key, item in value.items()}
        return {keyword: self._keyword(keyword, item) for keyword, item in value.items() if keyword != "$schema"}

    def _keyword(self, keyword: str, value: object) -> object:
        spec = self.dialect.keywords.get(keyword)
        if keyword == "enum" and isinstance(value, list) and len(value) >= _INDEXED_ENUM_SIZE:
            return IndexedEnum(self.of(item) for item in value)
        if spec is None:
            return self.of(value)
        if isinstance(value, list) and spec.holds in (Holds.SCHEMA_ARRAY, Holds.SCHEMA_OR_ARRAY):
            return [self._schema(element) for element in value]
        if isinstance(value, dict) and spec.holds is Holds.SCHEMA_MAP:
            return {name: self._schema(element) for name, element in value.items()}
        if keyword in _DESCENDED_SINGLE_SCHEMA_KEYWORDS:
            return self._schema(value)
        return self.of(value)

    def _schema(self, value: object) -> object:
        return _false_stand_in() if value is False else self.of(value)


def _is_false_stand_in(error: ValidationError) -> bool:
    return error.validator == "not" and isinstance(error.schema, dict) and error.schema.get("$comment") is _FALSE_MARKER


def _message_of(error: ValidationError) -> str:
    if _is_false_stand_in(error) or error.validator is None:
        return f"False schema does not allow {short_repr(error.instance)}"
    return shorten(error.message, error.instance)


def _issue_from(error: ValidationError) -> ValidationIssue:
    path = json_pointer(error.path)
    schema_path = list(error.schema_path)
    if _is_false_stand_in(error):
        keyword = "false"
        schema_path.pop()  # the location of the false schema, not of its stand-in's "not"
    else:
        keyword = error.validator if isinstance(error.validator, str) else "false"
    message = _message_of(error)
    if keyword in ("anyOf", "oneOf"):
        best = closest_sub_error(error)
        if best is not None:
            where = json_pointer(best.absolute_path)
            message += f"; closest match failed with: {_message_of(best)}"
            if where != path:
                message += f" (at {where or 'the root'})"
    return ValidationIssue(path=path, message=message, keyword=keyword, schema_path=json_pointer(schema_path))


class CompiledValidator:
    """A validator for one schema. Immutable after construction: safe to share between
    threads and greenlets and to reuse for any number of documents."""

    __slots__ = ("_validator", "_patterns")

    def __init__(self, validator: Any, patterns: Mapping[str, regex.Pattern[str]]) -> None:
        self._validator = validator
        self._patterns = patterns

    def validate(self, instance: object, max_errors: int = 100) -> list[ValidationIssue]:
        """Every reason ``instance`` does not conform, in jsonschema's (deterministic)
        evaluation order, stopping after ``max_errors``. Empty list: valid."""
        issues: list[ValidationIssue] = []
        if max_errors <= 0:
            return issues
        token = validation_context.set(ValidationContext(PATTERN_TIME_BUDGET_SECONDS, self._patterns))
        try:
            for error in self._validator.iter_errors(instance):
                issues.append(_issue_from(error))
                if len(issues) >= max_errors:
                    break
        except RecursionError:
            issues.append(
                ValidationIssue(
                    path="",
                    message="document is nested too deeply to be validated against this schema",
                    keyword="nesting",
                    schema_path="",
                )
            )
        except referencing.exceptions.Unresolvable as error:
            # Only for schemas that bypassed parse_schema; never fetch, never crash.
            issues.append(
                ValidationIssue(
                    path="",
                    message=f"the schema's reference {error.ref!r} cannot be resolved (remote references "
                    "are not fetched)",
                    keyword="$ref",
                    schema_path="",
                )
            )
        finally:
            validation_context.reset(token)
        return issues


def compile_validator(document: object, references: Mapping[str, object] | None = None) -> CompiledValidator:
    """Build the validator for a schema ``parse_schema`` accepted (with the same
    ``references``; a ``SchemaWithReferences`` carries its own). Do it once per schema and
    reuse it: the result holds no per-call state."""
    if isinstance(document, SchemaWithReferences):
        references = document.resources
        document = document.schema
    dialect = dialect_of(document)
    graph = schema_graph(document, dialect, references)
    patterns: dict[str, regex.Pattern[str]] = {}
    for _, pattern in patterns_in(graph):
        try:
            patterns[pattern] = compile_ecma(pattern)
        except InvalidEcmaPattern:
            pass  # reported by the keyword at validation time
    schema_ids = set(map(id, graph.schemas))
    for_validation = _validation_copy(document, dialect, schema_ids)
    references_for_validation: dict[str, object] | None = None
    if references:
        copies: dict[int, object] = {}
        references_for_validation = {}
        for uri, referenced in references.items():
            if id(referenced) not in copies:
                copy = _validation_copy(referenced, dialect, schema_ids)
                if isinstance(copy, dict):
                    # Also where the root is not itself a schema node: a "$schema" would make
                    # jsonschema swap in its stock validator class (see _validation_copy).
                    copy.pop("$schema", None)
                copies[id(referenced)] = copy
            references_for_validation[uri] = copies[id(referenced)]
    validator = dialect.validator_class(
        for_validation,
        format_checker=dialect.format_checker,
        _resolver=resolver_for(for_validation, dialect, references_for_validation),
    )
    return CompiledValidator(validator, patterns)
