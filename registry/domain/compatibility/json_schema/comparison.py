"""What every part of the comparison shares.

:class:`Comparison` is the base of the comparator's parts (combinators, objects, arrays and the
walk itself in ``comparator.py``): the policy's compatible changes, the recursive
:meth:`Comparison.compare` they all call, and the two subschema keywords objects and arrays
have in common: a keyword holding one optional subschema, and an additionalProperties-like
content model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from registry.domain.compatibility.json_schema.changes import Change, ChangeType, prefixed
from registry.domain.compatibility.json_schema.document import ABSENT, Document, SchemaView
from registry.domain.compatibility.json_schema.keywords import ContentModelRule


class Comparison(ABC):
    """The comparator as its parts see it; ``Comparator`` puts the parts together."""

    compatible: frozenset[str]

    @abstractmethod
    def compare(self, old: SchemaView, new: SchemaView) -> tuple[Change, ...]:
        """Every change from the writer `old` to the reader `new`, below their own path."""

    @abstractmethod
    def _compare_base(self, old: SchemaView, new: SchemaView) -> list[Change]:
        """The schemas' own keywords, leaving their combinators aside."""

    def is_compatible(self, diffs: Iterable[Change]) -> bool:
        return all(diff.type in self.compatible for diff in diffs)

    def _incompatible_count(self, diffs: Iterable[Change]) -> int:
        return sum(diff.type not in self.compatible for diff in diffs)

    def _compare_optional(self, old: SchemaView, new: SchemaView, keyword: str) -> list[Change]:
        """A keyword holding one subschema, where absence means "anything goes"."""
        old_sub = old.doc.view(old.raw[keyword]) if keyword in old.raw else None
        new_sub = new.doc.view(new.raw[keyword]) if keyword in new.raw else None
        # "contains": true still demands a non-empty array; for the others true is a no-op.
        if keyword != "contains":
            old_sub = None if old_sub is None or old_sub.kind == "true" else old_sub
            new_sub = None if new_sub is None or new_sub.kind == "true" else new_sub
        where = (keyword,)
        if old_sub is None and new_sub is None:
            return []
        if old_sub is None:
            return [Change(ChangeType.SCHEMA_ADDED, where, f"the reader adds '{keyword}'")]
        if new_sub is None:
            return [Change(ChangeType.SCHEMA_REMOVED, where, f"the reader drops '{keyword}'")]
        return prefixed(self.compare(old_sub, new_sub), where)

    def _compare_rest(
        self,
        old: SchemaView,
        old_value: Any,
        new: SchemaView,
        new_value: Any,
        rule: ContentModelRule,
        path: tuple[str, ...],
    ) -> list[Change]:
        """additionalProperties-like keywords: absent/true (open), false (closed) or a schema."""
        old_kind, old_sub = rest_model(old.doc, old_value)
        new_kind, new_sub = rest_model(new.doc, new_value)
        if (old_kind == "closed") != (new_kind == "closed"):
            return [Change(rule.added if old_kind == "closed" else rule.removed, path)]
        if old_kind == "closed" or (old_kind == new_kind == "open"):
            return []
        if old_kind == "open":
            return [Change(rule.narrowed, path, "the reader constrains what the writer left open")]
        if new_kind == "open":
            return [Change(rule.extended, path)]
        assert old_sub is not None and new_sub is not None
        return prefixed(self.compare(old_sub, new_sub), path)


def rest_model(doc: Document, value: Any) -> tuple[str, SchemaView | None]:
    """An additionalProperties-like value as a content model: "open", "closed" or "partial"
    (with the schema that constrains what the model leaves partially open)."""
    if value is ABSENT:
        return "open", None
    view = doc.view(value)
    if view.kind == "true":
        return "open", None
    if view.kind == "false":
        return "closed", None
    return "partial", view
