"""Accepting or rejecting a submitted schema: ``parse_schema``.

Size limits, metaschema, ECMA-262 patterns, ``$ref`` resolution (local, bundled
metaschemas, and the schema's references; never fetched) and ``$ref`` cycles.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from jsonschema.exceptions import ValidationError

from registry.domain.errors import InvalidSchema, SchemaTooLarge
from registry.domain.formats.json_schema.dialects import Dialect, dialect_of, lookup_dialect
from registry.domain.formats.json_schema.ecma_regex import ecma_pattern_error
from registry.domain.formats.json_schema.graph import SchemaGraph, cycle_problem, is_schema, patterns_in, schema_graph
from registry.domain.formats.json_schema.limits import DEFAULT_LIMITS, Limits, check_size_and_values
from registry.domain.formats.json_schema.metaschema import skipping_valid_subschemas
from registry.domain.formats.json_schema.references import reference_problems
from registry.domain.formats.json_schema.reporting import closest_sub_error, json_pointer, shorten
from registry.domain.model import SchemaProblem

# Registering a schema may spend this long compiling its patterns (translate_ecma_regex
# bounds each one; this bounds schemas with very many of them).
PATTERN_COMPILE_BUDGET_SECONDS = 2.0

# Past this many, more problems with a submitted schema only make the response noisy.
_MAX_SCHEMA_PROBLEMS = 100


def _readable_metaschema_error(error: ValidationError) -> str:
    closest = closest_sub_error(error)
    if closest is not None:
        return shorten(closest.message, closest.instance)
    return shorten(error.message, error.instance)


def _metaschema_problems(document: object, dialect: Dialect) -> list[SchemaProblem]:
    if dialect.metaschema_check(document, None):
        return []
    problems: list[SchemaProblem] = []
    seen: set[tuple[str, str]] = set()
    # jsonschema words and locates the problems, skipping the subschemas found valid (and has
    # the last word: should it find none, the schema passes, as it did before the check).
    with skipping_valid_subschemas(dialect.metaschema_check):
        # 2020-12's metaschema reaches a keyword through several vocabularies, so one
        # mistake can surface several times.
        for error in dialect.metaschema_validator.iter_errors(document):
            problem = (json_pointer(error.absolute_path), _readable_metaschema_error(error))
            if problem in seen:
                continue
            seen.add(problem)
            problems.append(SchemaProblem(location=problem[0], message=problem[1]))
            if len(problems) >= _MAX_SCHEMA_PROBLEMS:
                break
    return problems


def _referenced_metaschema_problems(references: Mapping[str, object], dialect: Dialect) -> list[SchemaProblem]:
    """Referenced schemas were checked in their own dialect when registered (2020-12 when they
    name none); here they are read in the referencing schema's, where their keywords may mean
    something else (``dependencies``, ``items``, ``id``) and must be valid too."""
    problems: list[SchemaProblem] = []
    seen: set[int] = set()
    for uri, referenced in references.items():
        if id(referenced) not in seen:
            seen.add(id(referenced))
            found = _metaschema_problems(referenced, dialect)
            problems += [SchemaProblem(location=f"{uri}#{each.location}", message=each.message) for each in found]
    return problems


def _pattern_problems(graph: SchemaGraph) -> list[SchemaProblem]:
    problems = []
    started = time.perf_counter()
    for location, pattern in patterns_in(graph):
        if (reason := ecma_pattern_error(pattern)) is not None:
            message = f"{pattern!r} is not a valid ECMA-262 regular expression: {reason}"
            problems.append(SchemaProblem(location=location, message=message))
        if time.perf_counter() - started > PATTERN_COMPILE_BUDGET_SECONDS:
            # Compiling cannot be interrupted, so bound the total instead of each pattern.
            message = f"the schema's patterns take more than {PATTERN_COMPILE_BUDGET_SECONDS} s to compile"
            raise SchemaTooLarge(message, problems=[SchemaProblem(location=location, message=message)])
    return problems


def _embedded_dialect_problems(graph: SchemaGraph, dialect: Dialect) -> list[SchemaProblem]:
    """Embedded resources (2019-09+) may name a dialect; only the document's own is supported
    (validation applies the root's dialect throughout)."""
    problems = []
    for pointer, schema in zip(graph.pointers[1:], graph.schemas[1:], strict=True):
        if "$schema" in schema and lookup_dialect(schema["$schema"]) is not dialect:
            problems.append(
                SchemaProblem(
                    location=f"{pointer}/$schema",
                    message=f"an embedded schema may only name the document's own dialect ({dialect.name})",
                )
            )
    return problems


def parse_schema(
    document: object, limits: Limits = DEFAULT_LIMITS, references: Mapping[str, object] | None = None
) -> object:
    """Check a parsed JSON Schema (dict or bool) and return it.

    Raises ``SchemaTooLarge`` past ``limits``; ``InvalidSchema`` (problems carry JSON
    pointers) for: a document that is not an object/boolean or not plain JSON data; an
    unknown ``$schema``; metaschema violations; ``pattern``/``patternProperties`` keys that
    are not ECMA-262 regexes; ``$ref``s that do not resolve inside the document nor to one
    of ``references`` (see ``reference_resources``; remote references are refused, never
    fetched); ``$ref`` cycles that would recurse forever, also through referenced schemas;
    a referenced schema of another dialect.
    """
    if not is_schema(document):
        message = "a JSON Schema must be a JSON object or a boolean"
        raise InvalidSchema(message, problems=[SchemaProblem(location="", message=message)])
    check_size_and_values(document, limits)
    dialect = dialect_of(document)

    problems = _metaschema_problems(document, dialect)
    if problems:
        raise InvalidSchema(f"schema is not a valid JSON Schema ({dialect.name})", problems=problems)
    if references:
        problems = reference_problems(references, dialect, limits) or _referenced_metaschema_problems(
            references, dialect
        )
        if problems:
            raise InvalidSchema(
                f"schema references schemas it cannot use ({dialect.name})", problems=problems[:_MAX_SCHEMA_PROBLEMS]
            )

    graph = schema_graph(document, dialect, references)
    problems = _pattern_problems(graph) + _embedded_dialect_problems(graph, dialect)
    problems += graph.unresolvable
    if problems:
        problems.sort(key=lambda problem: problem.location)
        raise InvalidSchema(
            f"schema is not a valid JSON Schema ({dialect.name})", problems=problems[:_MAX_SCHEMA_PROBLEMS]
        )

    cycle = cycle_problem(graph)
    if cycle is not None:
        raise InvalidSchema("schema has a reference cycle", problems=[cycle])
    return document
