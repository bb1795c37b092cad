"""Objects: declared properties, patternProperties, required, dependencies and the content model.

A property the writer does not declare is governed by its content model: open (anything
goes), closed (``additionalProperties: false``) or partially open (a schema, from a matching
pattern or additionalProperties).  Where this departs from Confluent, for soundness:

* every newly required name counts, not only properties both schemas declare, and a required
  property added to an open content model is also ``REQUIRED_ATTRIBUTE_ADDED``, so LENIENT
  never accepts it;
* every matching ``patternProperties`` entry applies, also to declared properties, and
  patterns added or removed are checked (Confluent ignores them).

Kept although unsound, because it is Confluent's rule: a required property *with a default*
counts as compatible.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from registry.domain.compatibility.json_schema.changes import Change, ChangeType, prefixed
from registry.domain.compatibility.json_schema.comparison import Comparison, rest_model
from registry.domain.compatibility.json_schema.document import ABSENT, Document, SchemaView
from registry.domain.compatibility.json_schema.json_values import dict_of
from registry.domain.compatibility.json_schema.keywords import (
    ADDITIONAL_PROPERTIES,
    UNEVALUATED_PROPERTIES,
    compare_object_keywords,
)


class ObjectComparison(Comparison):
    """The object keywords of two schemas that both admit objects."""

    def _compare_object(self, old: SchemaView, new: SchemaView) -> list[Change]:
        old_raw, new_raw = old.raw, new.raw
        old_props = dict_of(old_raw.get("properties"))
        new_props = dict_of(new_raw.get("properties"))
        # Patterns both schemas share whose reader schema accepts what the writer's did:
        # they need no second look when they match a declared property.
        kept_patterns = self._kept_patterns(old, new)
        diffs: list[Change] = []
        for name in old_props:
            if name in new_props:
                diffs += self._compare_declared_property(old, new, name, kept_patterns)
            else:
                diffs += self._property_removed(old, new, name)
        requirement_reported: set[str] = set()
        for name in new_props:
            if name not in old_props:
                diffs += self._property_added(old, new, name, kept_patterns)
                if _content_model_for(old, name)[0] != "open":
                    requirement_reported.add(name)
        diffs += self._compare_pattern_properties(old, new)
        diffs += self._compare_required(old, new, requirement_reported)
        diffs += self._compare_dependencies(old, new)
        diffs += self._compare_rest(
            old,
            old_raw.get("additionalProperties", ABSENT),
            new,
            new_raw.get("additionalProperties", ABSENT),
            ADDITIONAL_PROPERTIES,
            ("additionalProperties",),
        )
        diffs += self._compare_rest(
            old,
            old_raw.get("unevaluatedProperties", ABSENT),
            new,
            new_raw.get("unevaluatedProperties", ABSENT),
            UNEVALUATED_PROPERTIES,
            ("unevaluatedProperties",),
        )
        diffs += self._compare_optional(old, new, "propertyNames")
        diffs += compare_object_keywords(old_raw, new_raw)
        return diffs

    def _kept_patterns(self, old: SchemaView, new: SchemaView) -> set[str]:
        old_patterns = dict_of(old.raw.get("patternProperties"))
        return {
            pattern
            for pattern, sub in dict_of(new.raw.get("patternProperties")).items()
            if pattern in old_patterns
            and self.is_compatible(self.compare(old.doc.view(old_patterns[pattern]), new.doc.view(sub)))
        }

    def _compare_declared_property(self, old: SchemaView, new: SchemaView, name: str, kept: set[str]) -> list[Change]:
        old_view = old.doc.view(dict_of(old.raw.get("properties"))[name])
        new_view = new.doc.view(dict_of(new.raw.get("properties"))[name])
        diffs = prefixed(self.compare(old_view, new_view), ("properties", name))
        writer = [old_view, *_matching_patterns(old, name)]
        return diffs + self._reader_patterns_accept(writer, new, name, kept)

    def _reader_patterns_accept(
        self, writer: list[SchemaView], new: SchemaView, name: str, kept: set[str]
    ) -> list[Change]:
        """JSON Schema applies every matching patternProperties entry, declared property or not.

        Confluent ignores this; we check each reader pattern that matches `name` against the
        writer's constraints on it (any one implying the pattern suffices).
        """
        diffs: list[Change] = []
        for pattern, sub in dict_of(new.raw.get("patternProperties")).items():
            if pattern in kept or not _pattern_matches(pattern, name):
                continue
            target = new.doc.view(sub)
            if target.kind == "true":
                continue
            where = ("patternProperties", pattern)
            results = [self.compare(source, target) for source in writer]
            if any(self.is_compatible(found) for found in results):
                continue
            if results:
                diffs += prefixed(results[0], where)
            else:
                diffs.append(
                    Change(ChangeType.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, where, f"it now constrains '{name}'")
                )
        return diffs

    def _property_removed(self, old: SchemaView, new: SchemaView, name: str) -> list[Change]:
        where = ("properties", name)
        old_view = old.doc.view(dict_of(old.raw.get("properties"))[name])
        # Only the reader's content model decides whether dropping a property is safe.
        model, partial = _content_model_for(new, name)
        if model == "open":
            return [Change(ChangeType.PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL, where)]
        if model == "partial":
            # The reader applies every matching schema; each must follow from one of the
            # writer's constraints on the property (its schema or its own patterns).
            writer = [old_view, *_matching_patterns(old, name)]
            found: list[Change] = []
            for target in partial:
                results = [self.compare(source, target) for source in writer]
                found += next((result for result in results if self.is_compatible(result)), results[0])
            covered = self.is_compatible(found)
            return [
                *prefixed(found, where),
                Change(
                    ChangeType.PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                    if covered
                    else ChangeType.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    where,
                ),
            ]
        if old_view.kind == "false":
            return [Change(ChangeType.PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, where)]
        return [Change(ChangeType.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, where, f"the reader rejects '{name}'")]

    def _property_added(self, old: SchemaView, new: SchemaView, name: str, kept: set[str]) -> list[Change]:
        where = ("properties", name)
        new_prop = dict_of(new.raw.get("properties"))[name]
        new_view = new.doc.view(new_prop)
        # Only the writer's content model decides what the writer may have produced there.
        model, partial = _content_model_for(old, name)
        if model == "open":
            if new_view.kind == "true":
                diffs = [Change(ChangeType.PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, where)]
            else:
                detail = f"the writer may already have produced '{name}' with any value"
                diffs = [Change(ChangeType.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, where, detail)]
            return diffs + self._reader_patterns_accept([], new, name, kept)
        diffs = []
        if model == "partial":
            # The writer applied every matching schema, so one of them implying the new
            # property schema suffices.
            results = [self.compare(sub, new_view) for sub in partial]
            found = next((result for result in results if self.is_compatible(result)), None)
            covered = found is not None
            diffs += prefixed(found if found is not None else [d for r in results for d in r], where)
            diffs.append(
                Change(
                    ChangeType.PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                    if covered
                    else ChangeType.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    where,
                )
            )
            diffs += self._reader_patterns_accept(partial, new, name, kept)
        # Closed and partially open writers alike: the writer never produced this property
        # unconstrained, so only its requirement matters (Confluent's rule).
        if name in _required(new.raw):
            if _has_default(new.doc, new_prop):
                diffs.append(Change(ChangeType.REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL, where))
            else:
                detail = f"'{name}' is now required"
                diffs.append(Change(ChangeType.REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, where, detail))
        else:
            diffs.append(Change(ChangeType.OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, where))
        return diffs

    def _compare_pattern_properties(self, old: SchemaView, new: SchemaView) -> list[Change]:
        """Properties neither schema declares but some pattern matches."""
        old_patterns = dict_of(old.raw.get("patternProperties"))
        new_patterns = dict_of(new.raw.get("patternProperties"))
        diffs: list[Change] = []
        for pattern, sub in new_patterns.items():
            where = ("patternProperties", pattern)
            new_view = new.doc.view(sub)
            if pattern in old_patterns:
                diffs += prefixed(self.compare(old.doc.view(old_patterns[pattern]), new_view), where)
            elif new_view.kind != "true":
                diffs += self._pattern_added(old, old_patterns, pattern, new_view)
        for pattern, sub in old_patterns.items():
            if pattern not in new_patterns:
                diffs += self._pattern_removed(old.doc.view(sub), new, pattern)
        return diffs

    def _pattern_added(
        self, old: SchemaView, old_patterns: dict[str, Any], pattern: str, new_view: SchemaView
    ) -> list[Change]:
        where = ("patternProperties", pattern)
        diffs: list[Change] = []
        # Names the new pattern matches may have matched an old pattern...
        for old_pattern, old_sub in old_patterns.items():
            if _patterns_may_overlap(old_pattern, pattern):
                found = self.compare(old.doc.view(old_sub), new_view)
                if not self.is_compatible(found):
                    diffs += prefixed(found, where)
        # ...or no old pattern at all, leaving them to the writer's additionalProperties.
        model, rest = rest_model(old.doc, _rest_value(old.raw))
        if model == "open":
            diffs.append(
                Change(ChangeType.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, where, "a new pattern constrains them")
            )
        elif model == "partial":
            assert rest is not None
            found = self.compare(rest, new_view)
            diffs += prefixed(found, where)
            diffs.append(
                Change(
                    ChangeType.PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                    if self.is_compatible(found)
                    else ChangeType.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    where,
                )
            )
        return diffs

    def _pattern_removed(self, old_view: SchemaView, new: SchemaView, pattern: str) -> list[Change]:
        where = ("patternProperties", pattern)
        # Without the pattern, the reader's additionalProperties decides (reader patterns
        # that overlap it were checked by _pattern_added).
        model, rest = rest_model(new.doc, _rest_value(new.raw))
        if model == "open":
            return [Change(ChangeType.PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL, where)]
        if model == "partial":
            assert rest is not None
            found = self.compare(old_view, rest)
            return [
                *prefixed(found, where),
                Change(
                    ChangeType.PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                    if self.is_compatible(found)
                    else ChangeType.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    where,
                ),
            ]
        if old_view.kind == "false":
            return [Change(ChangeType.PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, where)]
        detail = "the reader rejects properties this pattern allowed"
        return [Change(ChangeType.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, where, detail)]

    def _compare_required(self, old: SchemaView, new: SchemaView, already_reported: set[str]) -> list[Change]:
        old_required, new_required = _required(old.raw), _required(new.raw)
        new_props = dict_of(new.raw.get("properties"))
        diffs: list[Change] = []
        # Unlike Confluent, which only looks at properties both schemas declare, every newly
        # required name counts: a required property the writer may have left out is missing.
        for name in new_required:
            if name in old_required or name in already_reported:
                continue
            where = ("required", name)
            if name in new_props and _has_default(new.doc, new_props[name]):
                diffs.append(Change(ChangeType.REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, where))
            else:
                diffs.append(Change(ChangeType.REQUIRED_ATTRIBUTE_ADDED, where, f"'{name}' is now required"))
        for name in old_required:
            if name not in new_required:
                diffs.append(Change(ChangeType.REQUIRED_ATTRIBUTE_REMOVED, ("required", name)))
        return diffs

    def _compare_dependencies(self, old: SchemaView, new: SchemaView) -> list[Change]:
        old_arrays, old_schemas = _dependencies(old.raw)
        new_arrays, new_schemas = _dependencies(new.raw)
        diffs: list[Change] = []
        for name in _ordered_union(old_arrays, new_arrays):
            if name not in new_arrays:
                diffs.append(Change(ChangeType.DEPENDENCY_ARRAY_REMOVED, (old_arrays[name][1], name)))
                continue
            new_names, keyword = new_arrays[name]
            where = (keyword, name)
            if name not in old_arrays:
                diffs.append(
                    Change(ChangeType.DEPENDENCY_ARRAY_ADDED, where, f"'{name}' now needs {sorted(new_names)}")
                )
                continue
            old_names = old_arrays[name][0]
            if old_names == new_names:
                continue
            if new_names > old_names:
                diffs.append(
                    Change(
                        ChangeType.DEPENDENCY_ARRAY_EXTENDED,
                        where,
                        f"'{name}' now also needs {sorted(new_names - old_names)}",
                    )
                )
            elif new_names < old_names:
                diffs.append(Change(ChangeType.DEPENDENCY_ARRAY_NARROWED, where))
            else:
                diffs.append(
                    Change(ChangeType.DEPENDENCY_ARRAY_CHANGED, where, f"{sorted(old_names)} -> {sorted(new_names)}")
                )
        for name in _ordered_union(old_schemas, new_schemas):
            if name not in new_schemas:
                diffs.append(Change(ChangeType.DEPENDENCY_SCHEMA_REMOVED, (old_schemas[name][1], name)))
                continue
            new_sub, keyword = new_schemas[name]
            where = (keyword, name)
            if name not in old_schemas:
                diffs.append(Change(ChangeType.DEPENDENCY_SCHEMA_ADDED, where))
                continue
            diffs += prefixed(self.compare(old.doc.view(old_schemas[name][0]), new.doc.view(new_sub)), where)
        return diffs


def _matching_patterns(schema: SchemaView, name: str) -> list[SchemaView]:
    return [
        schema.doc.view(sub)
        for pattern, sub in dict_of(schema.raw.get("patternProperties")).items()
        if _pattern_matches(pattern, name)
    ]


def _rest_value(raw: dict[str, Any]) -> Any:
    """What governs undeclared, unmatched properties: additionalProperties, else
    unevaluatedProperties (which it approximates when it stands alone)."""
    rest = raw.get("additionalProperties", ABSENT)
    return raw.get("unevaluatedProperties", ABSENT) if rest is ABSENT else rest


def _content_model_for(schema: SchemaView, name: str) -> tuple[str, list[SchemaView]]:
    """How `schema` treats a property it does not declare: open, closed or partially open.

    Returns ("open" | "closed" | "partial", the schemas that constrain the property).
    Unlike Confluent, all matching patternProperties apply (as JSON Schema says) and a name
    no pattern matches is open when additionalProperties is absent or true.
    """
    matching = _matching_patterns(schema, name)
    if matching:
        constraining = [view for view in matching if view.kind != "true"]
        return ("partial", constraining) if constraining else ("open", [])
    kind, view = rest_model(schema.doc, _rest_value(schema.raw))
    return kind, [view] if view is not None else []


def _dependencies(
    raw: dict[str, Any],
) -> tuple[dict[str, tuple[frozenset[str], str]], dict[str, tuple[Any, str]]]:
    """Property dependencies ({name: (names, keyword)}) and schema dependencies."""
    arrays: dict[str, tuple[frozenset[str], str]] = {}
    schemas: dict[str, tuple[Any, str]] = {}
    for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
        for name, value in dict_of(raw.get(keyword)).items():
            if isinstance(value, list) and keyword != "dependentSchemas":
                names = frozenset(item for item in value if isinstance(item, str))
                if names:  # an empty list requires nothing
                    arrays[name] = (names, keyword)
            elif isinstance(value, dict | bool) and keyword != "dependentRequired" and value is not True:
                if value != {}:
                    schemas[name] = (value, keyword)
    return arrays, schemas


def _required(raw: dict[str, Any]) -> list[str]:
    required = raw.get("required")
    if not isinstance(required, list):
        return []
    return list(dict.fromkeys(name for name in required if isinstance(name, str)))


def _has_default(doc: Document, raw: Any) -> bool:
    return (isinstance(raw, dict) and "default" in raw) or "default" in doc.view(raw).raw


def _ordered_union(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


@lru_cache(maxsize=2048)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, OverflowError, RecursionError):
        return None  # an ECMA-262 construct Python lacks: the pattern matches nothing here


def _pattern_matches(pattern: str, name: str) -> bool:
    compiled = _compiled(pattern) if isinstance(pattern, str) else None
    return compiled is not None and compiled.search(name) is not None


_REGEX_SYNTAX = frozenset(".^$*+?()[]{}|\\")


def _literal_prefix(pattern: str) -> str | None:
    """The text every match of an anchored pattern starts with, or None if unknown."""
    if not pattern.startswith("^") or "|" in pattern:
        return None
    prefix: list[str] = []
    for char in pattern[1:]:
        if char in _REGEX_SYNTAX:
            if char in "*?{" and prefix:
                prefix.pop()  # the character before a quantifier may be absent
            break
        prefix.append(char)
    return "".join(prefix)


def _patterns_may_overlap(first: str, second: str) -> bool:
    """Whether some name could match both patterns; "^S_" and "^I_" cannot."""
    first_prefix, second_prefix = _literal_prefix(first), _literal_prefix(second)
    if first_prefix is None or second_prefix is None:
        return True
    return first_prefix.startswith(second_prefix) or second_prefix.startswith(first_prefix)
