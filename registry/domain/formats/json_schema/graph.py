"""Walking a schema document: every schema object validation can reach, and how.

The walk follows keyword positions and, beyond them, the targets of ``$ref``s, which
may sit anywhere in the document or in a referenced schema. Reference cycles that never
move to a child value are found here (validation would never terminate).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import referencing.exceptions

from registry.domain.formats.json_schema.dialects import Dialect, Holds, resolver_for
from registry.domain.formats.json_schema.resolution import unusable_subschema
from registry.domain.model import SchemaProblem
from registry.domain.pointers import escape_token

if TYPE_CHECKING:
    from referencing._core import Resolved, Resolver


def is_schema(value: object) -> bool:
    return isinstance(value, dict | bool)


@dataclass(slots=True)
class SchemaGraph:
    """Every schema object validation can reach, and how. Node ``i`` is ``schemas[i]`` at
    ``pointers[i]``; parallel lists rather than an object per node, since a schema may have
    100,000 of them and every object allocated costs the garbage collector a look at them all."""

    pointers: list[str]  # JSON pointer; "<name>#<JSON pointer>" inside a referenced schema
    schemas: list[dict[str, Any]]
    resolvers: list[Resolver[Any]]  # resolves the references written in the node
    # (target node, pointer of the keyword) for each subschema applied to the same instance,
    # resolved references included, by node (nodes without any are left out).
    in_place_edges: dict[int, list[tuple[int, str]]]
    unresolvable: list[SchemaProblem]


def _empty_graph() -> SchemaGraph:
    return SchemaGraph(pointers=[], schemas=[], resolvers=[], in_place_edges={}, unresolvable=[])


def _dict_pointers(document: object, prefix: str = "") -> dict[int, str]:
    """JSON pointer (after ``prefix``) of every object in the document, by identity."""
    pointers: dict[int, str] = {}
    pending: list[tuple[object, str]] = [(document, prefix)]
    while pending:
        value, pointer = pending.pop()
        if isinstance(value, dict):
            pointers[id(value)] = pointer
            pending.extend((item, f"{pointer}/{escape_token(key)}") for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((item, f"{pointer}/{index}") for index, item in enumerate(value))
    return pointers


def _reference_pointers(document: object, references: Mapping[str, object] | None) -> dict[int, str]:
    """Where every object of the document and of its referenced schemas is, by identity; a
    referenced schema's objects are located by the first URI it is known by (its name)."""
    pointers = _dict_pointers(document)
    seen: set[int] = set()
    for uri, referenced in (references or {}).items():
        if id(referenced) not in seen:
            seen.add(id(referenced))
            pointers.update(_dict_pointers(referenced, f"{uri}#"))
    return pointers


def schema_graph(document: object, dialect: Dialect, references: Mapping[str, object] | None = None) -> SchemaGraph:
    """Walks keyword positions and, beyond them, the targets of ``$ref``s (which may sit
    anywhere in the document, e.g. under an unknown keyword, or in a referenced schema),
    so that every schema the validator can evaluate gets the same checks."""
    if not isinstance(document, dict):
        return _empty_graph()
    return _GraphWalk(document, dialect, references).run()


class _GraphWalk:
    """Builds a schema graph breadth-first: each node's subschemas, then its references."""

    __slots__ = ("document", "dialect", "references", "graph", "index_of", "pointers")

    def __init__(self, document: dict[str, Any], dialect: Dialect, references: Mapping[str, object] | None) -> None:
        self.document = document
        self.dialect = dialect
        self.references = references
        self.graph = _empty_graph()
        self.index_of: dict[int, int] = {}
        self.pointers: dict[int, str] | None = None  # built only if a $ref leaves keyword positions

    def run(self) -> SchemaGraph:
        self._add("", self.document, resolver_for(self.document, self.dialect, self.references))
        position = 0
        while position < len(self.graph.schemas):
            self._follow_subschemas(position)
            self._follow_references(position)
            position += 1
        return self.graph

    def _add(self, pointer: str, schema: dict[str, Any], resolver: Resolver[Any]) -> int:
        position = len(self.graph.schemas)
        self.index_of[id(schema)] = position
        self.graph.pointers.append(pointer)
        self.graph.schemas.append(schema)
        self.graph.resolvers.append(resolver)
        return position

    def _edge(self, position: int, target: int, location: str) -> None:
        self.graph.in_place_edges.setdefault(position, []).append((target, location))

    def _follow_subschemas(self, position: int) -> None:
        """Every subschema written in a keyword position of the node."""
        schema, pointer = self.graph.schemas[position], self.graph.pointers[position]
        applies = not (self.dialect.ref_overrides_siblings and "$ref" in schema)
        for keyword, value in schema.items():
            spec = self.dialect.keywords.get(keyword)
            if spec is None:
                continue
            in_place = spec.in_place and applies
            if isinstance(value, dict):
                if spec.holds is Holds.SCHEMA_MAP:
                    prefix = f"{pointer}/{escape_token(keyword)}/"
                    for name, item in value.items():
                        if isinstance(item, dict):
                            token = name if "~" not in name and "/" not in name else escape_token(name)
                            self._reach(position, item, prefix + token, in_place)
                elif spec.holds is not Holds.SCHEMA_ARRAY:
                    self._reach(position, value, f"{pointer}/{escape_token(keyword)}", in_place)
            elif isinstance(value, list) and spec.holds in (Holds.SCHEMA_ARRAY, Holds.SCHEMA_OR_ARRAY):
                prefix = f"{pointer}/{escape_token(keyword)}/"
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        self._reach(position, item, f"{prefix}{index}", in_place)

    def _reach(self, position: int, child: dict[str, Any], pointer: str, in_place: bool) -> None:
        target = self.index_of.get(id(child))
        if target is None:
            resolver = self.graph.resolvers[position]
            if self.dialect.id_keyword in child:
                try:
                    resolver = resolver.in_subresource(self.dialect.specification.create_resource(child))
                except Exception as error:  # noqa: BLE001 - e.g. an $id urllib cannot parse: the schema's problem
                    self.graph.unresolvable.append(unusable_subschema(error, pointer))
                    return
            target = self._add(pointer, child, resolver)
        if in_place:
            self._edge(position, target, pointer)

    def _follow_references(self, position: int) -> None:
        schema = self.graph.schemas[position]
        for keyword in self.dialect.ref_keywords:
            if keyword not in schema:
                continue
            location = f"{self.graph.pointers[position]}/{escape_token(keyword)}"
            ref = schema[keyword]
            if not isinstance(ref, str):  # draft-04's metaschema leaves $ref out; validation would crash
                self.graph.unresolvable.append(SchemaProblem(location=location, message=f"{keyword} must be a string"))
                continue
            try:
                resolved = self.graph.resolvers[position].lookup(ref)
            except Exception as error:  # referencing raises ValueError/TypeError for odd pointers too
                message = _describe_unresolvable(ref, error, bool(self.references))
                self.graph.unresolvable.append(SchemaProblem(location=location, message=message))
                continue
            target = self._reference_target(resolved)
            if target is not None:
                self._edge(position, target, location)

    def _reference_target(self, resolved: Resolved[Any]) -> int | None:
        """The node a resolved reference leads to, added if new; None when it leads to no
        schema object of the document or its references."""
        contents = resolved.contents
        if not isinstance(contents, dict):
            return None
        target = self.index_of.get(id(contents))
        if target is None:
            if self.pointers is None:
                self.pointers = _reference_pointers(self.document, self.references)
            if id(contents) not in self.pointers:
                return None  # a bundled metaschema, not part of this document or its references
            target = self._add(self.pointers[id(contents)], contents, resolved.resolver)
        return target


def _describe_unresolvable(ref: str, error: Exception, has_references: bool) -> str:
    if isinstance(error, referencing.exceptions.PointerToNowhere):
        return f"$ref {ref!r} does not resolve: nothing exists at that JSON pointer in the schema"
    if isinstance(error, referencing.exceptions.NoSuchAnchor | referencing.exceptions.InvalidAnchor):
        return f"$ref {ref!r} does not resolve: the schema defines no such anchor"
    if isinstance(error, referencing.exceptions.Unresolvable) and has_references:
        return (
            f"$ref {ref!r} points outside this schema document and names none of the schemas it references; "
            "remote references are not allowed (they are never fetched) - add the schema as a reference "
            "or embed the definition under $defs"
        )
    if isinstance(error, referencing.exceptions.Unresolvable):
        return (
            f"$ref {ref!r} points outside this schema document; remote references are not allowed "
            "(they are never fetched) - embed the definition under $defs instead"
        )
    return f"$ref {ref!r} does not resolve: {error}"


def patterns_in(graph: SchemaGraph) -> Iterator[tuple[str, str]]:
    """(pointer, pattern) for every ``pattern`` and ``patternProperties`` key."""
    for pointer, schema in zip(graph.pointers, graph.schemas, strict=True):
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            yield pointer + "/pattern", pattern
        pattern_properties = schema.get("patternProperties")
        if isinstance(pattern_properties, dict):
            for pattern in pattern_properties:
                yield f"{pointer}/patternProperties/{escape_token(pattern)}", pattern


def cycle_problem(graph: SchemaGraph) -> SchemaProblem | None:
    """A reference cycle that never moves to a child value would recurse forever."""
    edges = graph.in_place_edges
    unvisited, in_progress, done = 0, 1, 2
    state = dict.fromkeys(edges, unvisited)  # a node without edges is on no cycle
    for start in edges:
        if state[start] != unvisited:
            continue
        state[start] = in_progress
        path = [start]
        iterators = [iter(edges[start])]
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                state[path.pop()] = done
                iterators.pop()
                continue
            target, location = step
            if state.get(target, done) == in_progress:
                cycle = path[path.index(target) :] + [target]
                route = " -> ".join(graph.pointers[index] or "#" for index in cycle)
                return SchemaProblem(
                    location=location,
                    message=f"reference cycle that never reaches a child value ({route}); "
                    "validation would never terminate",
                )
            if state.get(target, done) == unvisited:
                state[target] = in_progress
                path.append(target)
                iterators.append(iter(edges[target]))
    return None
