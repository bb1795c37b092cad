"""Arrays: items, tuples (``items: [...]``/``prefixItems``) and what lies beyond them, contains.

Tuple items are addressed as ``items/N`` or ``prefixItems/N``, as the reader schema spells
them; the items beyond a tuple form a content model like an object's undeclared properties.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry.domain.compatibility.json_schema.changes import Change, ChangeType, prefixed
from registry.domain.compatibility.json_schema.comparison import Comparison, rest_model
from registry.domain.compatibility.json_schema.document import ABSENT, SchemaView
from registry.domain.compatibility.json_schema.keywords import (
    ADDITIONAL_ITEMS,
    UNEVALUATED_ITEMS,
    compare_array_keywords,
)


class ArrayComparison(Comparison):
    """The array keywords of two schemas that both admit arrays."""

    def _compare_array(self, old: SchemaView, new: SchemaView) -> list[Change]:
        old_raw, new_raw = old.raw, new.raw
        old_prefix, old_prefix_keyword, old_rest, _ = _array_layout(old_raw)
        new_prefix, new_prefix_keyword, new_rest, new_rest_keyword = _array_layout(new_raw)
        diffs: list[Change] = []
        if not old_prefix and not new_prefix:
            diffs += self._compare_items_schema(old, old_rest, new, new_rest)
        else:
            diffs += self._compare_tuples(old, old_prefix, old_rest, new, new_prefix, new_rest,
                                          new_prefix_keyword or old_prefix_keyword or "items")  # fmt: skip
            diffs += self._compare_rest(old, old_rest, new, new_rest, ADDITIONAL_ITEMS, (new_rest_keyword,))
        diffs += self._compare_rest(
            old,
            old_raw.get("unevaluatedItems", ABSENT),
            new,
            new_raw.get("unevaluatedItems", ABSENT),
            UNEVALUATED_ITEMS,
            ("unevaluatedItems",),
        )
        diffs += self._compare_optional(old, new, "contains")
        diffs += compare_array_keywords(old_raw, new_raw)
        return diffs

    def _compare_items_schema(self, old: SchemaView, old_items: Any, new: SchemaView, new_items: Any) -> list[Change]:
        old_sub = None if old_items is ABSENT else old.doc.view(old_items)
        new_sub = None if new_items is ABSENT else new.doc.view(new_items)
        old_sub = None if old_sub is None or old_sub.kind == "true" else old_sub
        new_sub = None if new_sub is None or new_sub.kind == "true" else new_sub
        if old_sub is None and new_sub is None:
            return []
        if old_sub is None:
            return [Change(ChangeType.SCHEMA_ADDED, ("items",), "the reader constrains every item")]
        if new_sub is None:
            return [Change(ChangeType.SCHEMA_REMOVED, ("items",))]
        return prefixed(self.compare(old_sub, new_sub), ("items",))

    def _compare_tuples(
        self,
        old: SchemaView,
        old_prefix: Sequence[Any],
        old_rest: Any,
        new: SchemaView,
        new_prefix: Sequence[Any],
        new_rest: Any,
        keyword: str,
    ) -> list[Change]:
        diffs: list[Change] = []
        for index in range(min(len(old_prefix), len(new_prefix))):
            diffs += prefixed(
                self.compare(old.doc.view(old_prefix[index]), new.doc.view(new_prefix[index])),
                (keyword, str(index)),
            )
        reader_model, reader_rest = rest_model(new.doc, new_rest)
        for index in range(len(new_prefix), len(old_prefix)):
            where = (keyword, str(index))
            old_item = old.doc.view(old_prefix[index])
            if reader_model == "open":
                diffs.append(Change(ChangeType.ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL, where))
            elif reader_model == "partial":
                assert reader_rest is not None
                found = self.compare(old_item, reader_rest)
                diffs += prefixed(found, where)
                diffs.append(
                    Change(
                        ChangeType.ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        if self.is_compatible(found)
                        else ChangeType.ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                        where,
                    )
                )
            elif old_item.kind == "false":
                diffs.append(Change(ChangeType.ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, where))
            else:
                diffs.append(
                    Change(ChangeType.ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, where, "the reader rejects this item")
                )
        writer_model, writer_rest = rest_model(old.doc, old_rest)
        for index in range(len(old_prefix), len(new_prefix)):
            where = (keyword, str(index))
            new_item = new.doc.view(new_prefix[index])
            if writer_model == "open":
                if new_item.kind == "true":
                    diffs.append(Change(ChangeType.ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, where))
                else:
                    diffs.append(
                        Change(
                            ChangeType.ITEM_ADDED_TO_OPEN_CONTENT_MODEL,
                            where,
                            "the writer may have put any value there",
                        )
                    )
            elif writer_model == "partial":
                assert writer_rest is not None
                found = self.compare(writer_rest, new_item)
                diffs += prefixed(found, where)
                diffs.append(
                    Change(
                        ChangeType.ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        if self.is_compatible(found)
                        else ChangeType.ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                        where,
                    )
                )
            else:
                diffs.append(Change(ChangeType.ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, where))
        return diffs


def _array_layout(raw: dict[str, Any]) -> tuple[Sequence[Any], str | None, Any, str]:
    """(tuple item schemas, their keyword, schema for the other items, its keyword)."""
    if isinstance(raw.get("prefixItems"), list):
        return raw["prefixItems"], "prefixItems", raw.get("items", ABSENT), "items"
    if isinstance(raw.get("items"), list):
        return raw["items"], "items", raw.get("additionalItems", ABSENT), "additionalItems"
    # Without a tuple, additionalItems has no effect in any draft.
    return (), None, raw.get("items", ABSENT), "items"
