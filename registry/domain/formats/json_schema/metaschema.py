"""Checking a schema against its dialect's metaschema in one pass that costs what the schema weighs.

jsonschema evaluates a metaschema keyword by keyword and resolves a reference for every
subschema it meets (in 2020-12 a ``$dynamicRef`` through the dynamic scope, then seven
vocabularies): about 50 µs per schema object in draft-07 and 300 µs in 2020-12, so a schema
of 95,000 properties held a worker for half a minute. ``compile_metaschema`` turns a
metaschema into plain Python checks once per dialect:

* references are resolved while compiling. The metaschema recurses through its root only
  (``$ref: "#"`` up to draft-07, ``$recursiveRef: "#"`` in 2019-09, ``$dynamicRef: "#meta"``
  in 2020-12, which reach the root whenever the metaschema itself is the outermost schema);
* ``allOf`` and ``$ref`` to non-root subschemas are merged into one table of property name
  -> checks, so a schema object costs one dictionary lookup per keyword it holds;
* ``uniqueItems`` and ``enum`` use canonical keys (``equality``): no pairwise comparisons.

Its verdict is jsonschema's on the same metaschema (the tests compare them on generated
schemas), except that ``uniqueItems`` follows JSON Schema's equality where jsonschema's
sorting shortcut misses equal items (``[[1], [true], [1.0]]`` holds ``[1]`` twice).

When a schema is invalid, jsonschema still produces the messages and locations, with
``skipping_valid_subschemas``: its recursion through the root (``root_reference_keyword``)
then skips every subschema the compiled check accepts, so the cost follows the invalid
part of a schema, not its size. That part is bounded too: jsonschema examines at most
``MAX_EXAMINED_SUBSCHEMAS`` invalid subschemas (beyond, each is reported as a whole), and
the metaschema validators' ``anyOf`` keeps a bounded number of errors per branch
(``keywords.any_of_keyword``).
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jsonschema.exceptions import ValidationError

from registry.domain.formats.json_schema.equality import has_duplicates, json_key
from registry.domain.formats.json_schema.reporting import short_repr

if TYPE_CHECKING:
    from referencing._core import Resolver

# id() of a schema object -> whether it satisfies the whole metaschema: filled while
# jsonschema reports the problems of an invalid schema, so no subschema is checked twice.
Memo = dict[int, bool]
Check = Callable[[object, Memo | None], bool]


@dataclass(frozen=True, slots=True)
class MetaschemaRules:
    """How one draft's validator reads its metaschema."""

    keywords: frozenset[str]  # the validator's keywords; any other word is an annotation
    ref_overrides_siblings: bool  # up to draft-07, a "$ref" hides the keywords beside it
    integral_floats_are_integers: bool  # from draft-06, 1.0 is an "integer"
    boolean_exclusive_minimum: bool  # draft-04: "exclusiveMinimum" is a flag of "minimum"
    # The keyword and value by which the metaschema recurses into its own root.
    root_reference: tuple[str, str]


def _always(instance: object, memo: Memo | None) -> bool:
    return True


def _never(instance: object, memo: Memo | None) -> bool:
    return False


_SIMPLE_TYPES: dict[str, type] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
}


def _type_test(names: frozenset[str], integral_floats: bool) -> Callable[[object], bool]:
    """jsonschema's type checker for one ``type`` keyword: ``bool`` is not a number."""
    if names <= _SIMPLE_TYPES.keys():
        classes = tuple(_SIMPLE_TYPES[name] for name in sorted(names))
        return lambda instance: isinstance(instance, classes)

    def test(instance: object) -> bool:
        if isinstance(instance, bool):
            return "boolean" in names
        if instance is None:
            return "null" in names
        if isinstance(instance, int):
            return "integer" in names or "number" in names
        if isinstance(instance, float):
            return "number" in names or ("integer" in names and integral_floats and instance.is_integer())
        return any(isinstance(instance, _SIMPLE_TYPES[name]) for name in names if name in _SIMPLE_TYPES)

    return test


@dataclass(slots=True)
class _Node:
    """The conjunction of everything a (merged) subschema of the metaschema demands."""

    types: set[frozenset[str]] = field(default_factory=set)
    properties: dict[str, list[Check]] = field(default_factory=dict)
    others: list[Check] = field(default_factory=list)

    def merge(self, other: _Node) -> None:
        self.types |= other.types
        for name, checks in other.properties.items():
            self.properties.setdefault(name, []).extend(checks)
        self.others.extend(other.others)


def _node_check(
    type_tests: list[Callable[[object], bool]], properties: dict[str, list[Check]], others: list[Check]
) -> Check:
    def check(instance: object, memo: Memo | None) -> bool:
        for type_test in type_tests:
            if not type_test(instance):
                return False
        if properties and isinstance(instance, dict):
            for name, value in instance.items():
                checks = properties.get(name)
                if checks is not None:
                    for property_check in checks:
                        if not property_check(value, memo):
                            return False
        for other in others:
            if not other(instance, memo):
                return False
        return True

    return check


def _additional_properties(declared: frozenset[str], value_check: Check) -> Check:
    def check(instance: object, memo: Memo | None) -> bool:
        if not isinstance(instance, dict):
            return True
        for name, value in instance.items():
            if name not in declared and not value_check(value, memo):
                return False
        return True

    return check


def _each_item(item_check: Check) -> Check:
    def check(instance: object, memo: Memo | None) -> bool:
        if not isinstance(instance, list):
            return True
        for item in instance:
            if not item_check(item, memo):
                return False
        return True

    return check


def _each_name(name_check: Check) -> Check:
    def check(instance: object, memo: Memo | None) -> bool:
        if not isinstance(instance, dict):
            return True
        for name in instance:
            if not name_check(name, memo):
                return False
        return True

    return check


def _any_of(branches: list[Check]) -> Check:
    def check(instance: object, memo: Memo | None) -> bool:
        for branch in branches:
            if branch(instance, memo):
                return True
        return False

    return check


def _dependencies(dependencies: Mapping[str, object], schema_checks: Mapping[str, Check]) -> Check:
    """Drafts 4-7: a present property requires other properties (array) or a schema."""

    def check(instance: object, memo: Memo | None) -> bool:
        if not isinstance(instance, dict):
            return True
        for name, dependency in dependencies.items():
            if name not in instance:
                continue
            if isinstance(dependency, list):
                if any(required not in instance for required in dependency):
                    return False
            elif not schema_checks[name](instance, memo):
                return False
        return True

    return check


def _minimum(minimum: float, exclusive: bool) -> Check:
    def check(instance: object, memo: Memo | None) -> bool:
        if isinstance(instance, bool) or not isinstance(instance, int | float):
            return True
        return instance > minimum if exclusive else instance >= minimum

    return check


def _min_items(minimum: int) -> Check:
    return lambda instance, memo: not isinstance(instance, list) or len(instance) >= minimum


def _unique_items(instance: object, memo: Memo | None) -> bool:
    return not isinstance(instance, list) or not has_duplicates(instance)


def _enum(values: list[object]) -> Check:
    keys = frozenset(map(json_key, values))
    return lambda instance, memo: json_key(instance) in keys


def _pattern(pattern: str) -> Check:
    # jsonschema's stock "pattern" (the metaschema's own patterns are Python-compatible).
    compiled = re.compile(pattern)
    return lambda instance, memo: not isinstance(instance, str) or compiled.search(instance) is not None


_IGNORED = frozenset({"format"})  # no format checker runs against the metaschema


class _Compiler:
    def __init__(self, root: Mapping[str, Any], rules: MetaschemaRules, root_check: Check) -> None:
        self.root = root
        self.rules = rules
        self.root_check = root_check
        self.expanding: set[int] = set()

    def check_of(self, schema: object, resolver: Resolver[Any]) -> Check:
        node = self.node_of(schema, resolver)
        if not node.types and not node.properties and not node.others:
            return _always
        type_tests = [_type_test(names, self.rules.integral_floats_are_integers) for names in node.types]
        others = node.others
        if not node.properties and not others and len(type_tests) == 1:
            only = type_tests[0]
            return lambda instance, memo: only(instance)
        if not node.types and not node.properties and len(others) == 1:
            return others[0]
        return _node_check(type_tests, node.properties, others)

    def node_of(self, schema: object, resolver: Resolver[Any]) -> _Node:
        if schema is True:
            return _Node()
        if schema is False:
            return _Node(others=[_never])
        if not isinstance(schema, dict):
            raise ValueError(f"not a schema in the metaschema: {schema!r}")
        if id(schema) in self.expanding:
            raise ValueError("the metaschema recurses other than through its root")
        self.expanding.add(id(schema))
        node = _Node()
        keywords = schema.items()
        if self.rules.ref_overrides_siblings and "$ref" in schema:
            keywords = {"$ref": schema["$ref"]}.items()
        for keyword, value in keywords:
            if keyword in self.rules.keywords and keyword not in _IGNORED:
                self._add_keyword(node, keyword, value, schema, resolver)
        self.expanding.discard(id(schema))
        return node

    def _add_keyword(  # noqa: C901  one branch per keyword the metaschemas use
        self, node: _Node, keyword: str, value: Any, schema: Mapping[str, Any], resolver: Resolver[Any]
    ) -> None:
        if keyword == "type":
            node.types.add(frozenset([value] if isinstance(value, str) else value))
        elif keyword == "properties":
            for name, subschema in value.items():
                check = self.check_of(subschema, resolver)
                if check is not _always:
                    node.properties.setdefault(name, []).append(check)
        elif keyword == "additionalProperties" and "patternProperties" not in schema:
            check = self.check_of(value, resolver)
            if check is not _always:
                node.others.append(_additional_properties(frozenset(schema.get("properties", {})), check))
        elif keyword == "items" and not isinstance(value, list) and "prefixItems" not in schema:
            check = self.check_of(value, resolver)
            if check is not _always:
                node.others.append(_each_item(check))
        elif keyword == "propertyNames":
            check = self.check_of(value, resolver)
            if check is not _always:
                node.others.append(_each_name(check))
        elif keyword == "allOf":
            for subschema in value:
                node.merge(self.node_of(subschema, resolver))
        elif keyword == "anyOf":
            branches = [self.check_of(subschema, resolver) for subschema in value]
            if _always not in branches:
                node.others.append(_any_of(branches))
        elif keyword == "$ref":
            resolved = resolver.lookup(value)
            if resolved.contents is self.root:
                node.others.append(self.root_check)
            else:
                node.merge(self.node_of(resolved.contents, resolved.resolver))
        elif (keyword, value) == self.rules.root_reference:
            node.others.append(self.root_check)
        elif (check := self._value_check(keyword, value, schema, resolver)) is not _always:
            node.others.append(check)

    def _value_check(self, keyword: str, value: Any, schema: Mapping[str, Any], resolver: Resolver[Any]) -> Check:
        """The keywords that check a value without applying subschemas to parts of it."""
        if keyword == "enum":
            return _enum(value)
        if keyword == "uniqueItems":
            return _unique_items if value is True else _always
        if keyword == "minItems":
            return _min_items(value)
        if keyword == "minimum":
            exclusive = self.rules.boolean_exclusive_minimum and bool(schema.get("exclusiveMinimum", False))
            return _minimum(value, exclusive)
        if keyword == "exclusiveMinimum" and not self.rules.boolean_exclusive_minimum:
            return _minimum(value, exclusive=True)
        if keyword == "pattern":
            return _pattern(value)
        if keyword == "dependencies":
            schema_checks = {
                name: self.check_of(dependency, resolver)
                for name, dependency in value.items()
                if not isinstance(dependency, list)
            }
            return _dependencies(value, schema_checks)
        raise ValueError(f"the metaschema uses {keyword}: {value!r}, which compile_metaschema does not implement")


def compile_metaschema(metaschema: Mapping[str, Any], resolver: Resolver[Any], rules: MetaschemaRules) -> Check:
    """Whether a document satisfies ``metaschema`` (see the module docstring); ``resolver``
    resolves the metaschema's references. With a ``Memo``, each schema object reached
    through the metaschema's root is checked once and its verdict kept."""

    def root_check(instance: object, memo: Memo | None) -> bool:
        if memo is None or not isinstance(instance, dict):
            return root_body(instance, memo)
        verdict = memo.get(id(instance))
        if verdict is None:
            verdict = memo[id(instance)] = root_body(instance, memo)
        return verdict

    root_body = _Compiler(metaschema, rules, root_check).check_of(metaschema, resolver)
    return root_check


# A schema with more invalid subschemas than this is no typo; its problems beyond the first
# ones need not each be worded.
MAX_EXAMINED_SUBSCHEMAS = 1_000


@dataclass(slots=True)
class _Skipping:
    check: Check
    memo: Memo = field(default_factory=dict)
    examined: int = 0


_skipping: contextvars.ContextVar[_Skipping | None] = contextvars.ContextVar(
    "registry_metaschema_skipping", default=None
)


@contextmanager
def skipping_valid_subschemas(check: Check) -> Iterator[None]:
    """While this holds, ``root_reference_keyword``s skip the subschemas ``check`` accepts."""
    token = _skipping.set(_Skipping(check))
    try:
        yield
    finally:
        _skipping.reset(token)


KeywordFunction = Callable[[Any, Any, object, Mapping[str, Any]], Iterator[ValidationError]]


def root_reference_keyword(stock: KeywordFunction, root_value: str) -> KeywordFunction:
    """``stock`` (the metaschema validator's keyword for the root reference), which does
    nothing for a subschema the compiled check accepts (see ``skipping_valid_subschemas``):
    jsonschema would find no problem there."""

    def keyword(validator: Any, value: Any, instance: object, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
        skipping = _skipping.get()
        if skipping is not None and value == root_value:
            if skipping.check(instance, skipping.memo):
                return
            skipping.examined += 1
            if skipping.examined > MAX_EXAMINED_SUBSCHEMAS:
                yield ValidationError(
                    f"{short_repr(instance)} is not a valid schema (not examined further: "
                    f"the schema has more than {MAX_EXAMINED_SUBSCHEMAS} invalid subschemas)"
                )
                return
        yield from stock(validator, value, instance, schema)

    return keyword
