"""Schemas registered with references: the referenced schemas a ``$ref`` may reach.

A ``$ref`` whose URI (before ``#``) is a reference's name, as written or resolved
against the schema's ``$id``, reaches that schema; fragments point into it. A
referenced schema without ``$schema`` is read in the referencing schema's dialect; one
that names another dialect is refused (validation applies one dialect throughout).
Problems inside a referenced schema are located as ``<name>#<JSON pointer>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from registry.domain.errors import InvalidSchema
from registry.domain.formats.json_schema.dialects import Dialect, dialect_of, lookup_dialect
from registry.domain.formats.json_schema.graph import is_schema
from registry.domain.formats.json_schema.limits import Limits, check_size_and_values
from registry.domain.model import SchemaProblem


@dataclass(frozen=True, slots=True, eq=False)
class SchemaWithReferences:
    """A schema together with the schemas its references resolved to: the document
    ``parse``/``load`` give for a schema registered with references. Never mutated."""

    schema: object  # the schema's own document
    dependencies: tuple[tuple[str, object], ...]  # (reference name, document), as given
    resources: Mapping[str, object]  # see reference_resources


def reference_resources(document: object, dependencies: Iterable[tuple[str, object]]) -> dict[str, object]:
    """Every URI a ``$ref`` of ``document`` may reach a referenced schema by: its name as
    written (without fragment), then that name resolved against the document's ``$id``
    (as Confluent registers references). A name given twice keeps its first document."""
    base = ""
    if isinstance(document, dict):
        try:
            identifier = dialect_of(document).specification.create_resource(document).id()
        except ValueError:  # an unusable $id, which parse_schema reports where it is
            identifier = None
        base = urldefrag(identifier).url if isinstance(identifier, str) else ""
    named = [(_without_fragment(name), referenced) for name, referenced in dependencies]
    resources: dict[str, object] = {}
    for uri, referenced in named:
        resources.setdefault(uri, referenced)
    if base:
        for uri, referenced in named:
            try:
                absolute = urljoin(base, uri)
            except ValueError:  # a name that is no URI reference is reachable as written only
                continue
            if absolute != base:  # never shadow the document itself
                resources.setdefault(absolute, referenced)
    return resources


def _without_fragment(name: str) -> str:
    try:
        return urldefrag(name).url
    except ValueError:  # no URI reference: its fragment is whatever follows the first '#'
        return name.partition("#")[0]


def reference_problems(references: Mapping[str, object], dialect: Dialect, limits: Limits) -> list[SchemaProblem]:
    """Referenced schemas were checked when they were registered; what matters here is
    that they are schemas of the same dialect and plain JSON within the limits."""
    problems: list[SchemaProblem] = []
    seen: set[int] = set()
    for uri, referenced in references.items():
        if id(referenced) in seen:
            continue
        seen.add(id(referenced))
        if not is_schema(referenced):
            problems.append(
                SchemaProblem(location=f"{uri}#", message=f"the referenced schema {uri!r} is not a JSON Schema")
            )
            continue
        try:
            check_size_and_values(referenced, limits)
        except InvalidSchema as error:
            located = [SchemaProblem(f"{uri}#{problem.location}", problem.message) for problem in error.problems]
            raise type(error)(f"referenced schema {uri!r}: {error.message}", problems=located) from None
        if isinstance(referenced, dict) and "$schema" in referenced:
            if lookup_dialect(referenced["$schema"]) is not dialect:
                problems.append(
                    SchemaProblem(
                        location=f"{uri}#/$schema",
                        message=f"the referenced schema {uri!r} names the dialect {referenced['$schema']!r}, "
                        f"but the referencing schema is {dialect.name}: both must use the same dialect",
                    )
                )
    return problems
