"""The ``referencing`` library made safe for any document: specifications that crawl only
what is a subschema and check identifiers, and the library's failures as ``InvalidSchema``.

``referencing`` crawls a schema for the resources it embeds (``$id``s, anchors) trusting it
to be a valid schema of its dialect. Two kinds of document break that trust:

- Valid ones. Drafts 4 to 7 let ``dependencies`` mix subschemas and lists of property names
  (SchemaStore's tmlanguage.json does). The library decides by the first value: a subschema
  first, and the lists after it are crawled as subschemas (``AttributeError: 'list' object
  has no attribute 'get'``); a list first, and no subschema is crawled (an ``$id`` in one is
  never found). Here each value of ``dependencies`` that is a subschema is crawled, and only those.
- Documents the metaschema check does not vouch for: identifiers urllib cannot parse
  (``"$id": "http://[::1"``: the metaschemas do not assert ``format``), referenced schemas
  checked in another dialect, ``$schema`` inside a subschema (the library then crawls that
  part with its own specification). Identifiers are checked before the library uses them,
  and whatever else it trips over becomes an ``InvalidSchema`` naming the schema object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from typing import Any
from urllib.parse import urljoin, urlsplit

import attrs
import referencing

from registry.domain.errors import InvalidSchema
from registry.domain.formats.json_schema.reporting import short_repr
from registry.domain.model import SchemaProblem
from registry.domain.pointers import escape_token

# What a subschema is in the drafts whose ``dependencies`` may hold one (draft-04 has no
# boolean schemas), by the library's specification names.
_DEPENDENCY_SCHEMA_TYPES: dict[str, tuple[type, ...]] = {
    "draft-04": (Mapping,),
    "draft-06": (Mapping, bool),
    "draft-07": (Mapping, bool),
}


class UnusableIdentifier(ValueError):
    """An ``id``/``$id`` the library would fail on, or silently misuse."""


def sturdy_specification(stock: referencing.Specification[Any]) -> referencing.Specification[Any]:
    """``stock`` with its identifiers checked and, in drafts 4 to 7, ``dependencies`` crawled
    value by value."""
    subresources_of = stock.subresources_of
    schema_types = _DEPENDENCY_SCHEMA_TYPES.get(stock.name)
    if schema_types is not None:
        subresources_of = _dependencies_by_value(subresources_of, schema_types)
    keyword = "id" if stock.name == "draft-04" else "$id"
    # mypy does not read the dataclass_transform spelling of referencing's attrs classes.
    return attrs.evolve(  # type: ignore[misc]
        stock, id_of=_checked_id_of(stock.id_of, keyword), subresources_of=subresources_of
    )


def _checked_id_of(id_of: Callable[[Any], str | None], keyword: str) -> Callable[[Any], str | None]:
    def checked(contents: Any) -> str | None:
        try:
            identifier = id_of(contents)
        except (AttributeError, TypeError):  # drafts 4 to 7 call str methods on it
            if not isinstance(contents, Mapping):
                raise
            identifier = contents.get(keyword)
        if identifier is None:
            return None
        if not isinstance(identifier, str):
            raise UnusableIdentifier(f"{keyword} must be a string, not {short_repr(identifier)}")
        try:
            urlsplit(identifier)
        except ValueError as error:
            raise UnusableIdentifier(f"{keyword} {short_repr(identifier)} is not a URI reference ({error})") from None
        return identifier

    return checked


def _dependencies_by_value(
    subresources_of: Callable[[Any], Iterable[Any]], schema_types: tuple[type, ...]
) -> Callable[[Any], Iterable[Any]]:
    def subresources(contents: Any) -> Iterable[Any]:
        if not isinstance(contents, Mapping) or "dependencies" not in contents:
            return subresources_of(contents)
        dependencies = contents["dependencies"]
        values = dependencies.values() if isinstance(dependencies, Mapping) else ()
        # The same objects, minus ``dependencies``: what the library yields keeps its identity.
        others = {keyword: value for keyword, value in contents.items() if keyword != "dependencies"}
        return chain(subresources_of(others), (value for value in values if isinstance(value, schema_types)))

    return subresources


def unusable_schema(
    error: Exception,
    document: object,
    specification: referencing.Specification[Any],
    references: Mapping[str, object] | None,
) -> InvalidSchema:
    """What to answer when crawling ``document`` (and ``references``) failed with ``error``:
    the schema object the library could not use, and why. Crawls again, one resource at a
    time, to find it (only on this path)."""
    resources = [("", specification.create_resource(document))]
    resources += [(uri, specification.create_resource(referenced)) for uri, referenced in (references or {}).items()]
    contents, cause = _first_failure(resources) or (document, error)
    problem = unusable_subschema(cause, _location_of(contents, document, references))
    return InvalidSchema("schema cannot be read for reference resolution", problems=[problem])


def unusable_subschema(error: Exception, location: str) -> SchemaProblem:
    """The problem of a schema object the library failed on with ``error``."""
    if isinstance(error, UnusableIdentifier):
        return SchemaProblem(location=location, message=str(error))
    message = f"the reference resolver cannot read this schema object ({type(error).__name__}: {error})"
    return SchemaProblem(location=location, message=message)


def _first_failure(pending: list[tuple[str, referencing.Resource[Any]]]) -> tuple[object, Exception] | None:
    """The first resource whose crawl fails, as ``Registry.crawl`` goes, and its error."""
    while pending:
        uri, resource = pending.pop()
        try:
            identifier = resource.id()
            if identifier is not None:
                uri = urljoin(uri, identifier)
            list(resource.anchors())
            pending.extend((uri, each) for each in resource.subresources())
        except Exception as error:  # noqa: BLE001 - this is the search for the library's failure
            return resource.contents, error
    return None


def _location_of(target: object, document: object, references: Mapping[str, object] | None) -> str:
    """The JSON pointer of ``target`` (by identity) in the document, or ``<uri>#<pointer>`` in
    one of its references; the document's root when it is in none."""
    roots = [("", document)] + [(f"{uri}#", referenced) for uri, referenced in (references or {}).items()]
    for prefix, root in roots:
        pending: list[tuple[object, str]] = [(root, prefix)]
        while pending:
            value, pointer = pending.pop()
            if value is target:
                return pointer
            if isinstance(value, dict):
                pending.extend((item, f"{pointer}/{escape_token(key)}") for key, item in value.items())
            elif isinstance(value, list):
                pending.extend((item, f"{pointer}/{index}") for index, item in enumerate(value))
    return ""
