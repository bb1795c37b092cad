"""The comparator: the walk over two schemas side by side.

:class:`Comparator` compares a writer node with a reader node, dispatching to the parts that
know combined schemas (``combinators.py``), objects (``objects.py``) and arrays
(``arrays.py``), and to the per-keyword rules (``keywords.py``) for keywords compared on their
own.  A ``$ref`` is followed transparently (the document model hands out the target's view), so a
change inside a referenced definition is reported where it is used, as Confluent does.

Each node pair is compared once: results are memoized, and a pair met again inside its own
comparison (a recursive schema) is assumed compatible, its real differences being reported by
the outer comparison.  ``if``/``then``/``else`` is compared only when the ``if`` schemas are
equal (otherwise ``TYPE_CHANGED`` at ``#/if``).

Limits: at most 500 differences are kept per schema node (incompatible ones first, so verdicts
are exact) since shared definitions can fan out to 2**depth paths; schemas nesting deeper than
roughly 150 levels raise :class:`SchemaTooLarge`.
"""

from __future__ import annotations

from collections.abc import Mapping

from registry.domain.compatibility.json_schema.arrays import ArrayComparison
from registry.domain.compatibility.json_schema.changes import Change, ChangeType
from registry.domain.compatibility.json_schema.combinators import CombinatorComparison
from registry.domain.compatibility.json_schema.document import ABSENT, Document, SchemaView, document_with
from registry.domain.compatibility.json_schema.json_values import freeze
from registry.domain.compatibility.json_schema.keywords import (
    compare_annotations,
    compare_number_keywords,
    compare_string_keywords,
    compare_types,
    compare_values,
)
from registry.domain.compatibility.json_schema.objects import ObjectComparison
from registry.domain.compute import check_budget
from registry.domain.errors import SchemaTooLarge

_NO_CYCLE = 1 << 60
# Bounds the report (and the work) when shared definitions fan out; see Comparator._bounded.
_MAX_DIFFS_PER_SCHEMA = 500


def compare_documents(
    old: object,
    new: object,
    compatible: frozenset[str],
    old_references: Mapping[str, object] | None = None,
    new_references: Mapping[str, object] | None = None,
) -> list[Change]:
    """Every change from the writer document `old` to the reader `new`, each (type, path) once."""
    comparator = Comparator(document_with(old, old_references), document_with(new, new_references), compatible)
    try:
        found = comparator.compare(comparator.old_doc.view(old), comparator.new_doc.view(new))
    except RecursionError as exc:
        raise SchemaTooLarge("The schema nests too deeply to check its compatibility.") from exc
    unique: dict[tuple[str, tuple[str, ...]], Change] = {}
    for diff in found:
        unique.setdefault((diff.type, diff.path), diff)
    return list(unique.values())


class Comparator(CombinatorComparison, ObjectComparison, ArrayComparison):
    """Compares one writer document with one reader document, node pair by node pair."""

    def __init__(self, old_doc: Document, new_doc: Document, compatible: frozenset[str]) -> None:
        self.old_doc = old_doc
        self.new_doc = new_doc
        self.compatible = compatible
        # Results per (writer view, reader view), so shared or recursive definitions are
        # compared once; see compare() for why some results cannot be kept.
        self._memo: dict[tuple[int, int], tuple[Change, ...]] = {}
        self._active: dict[tuple[int, int], int] = {}
        self._lowest_cycle_depth = _NO_CYCLE

    def compare(self, old: SchemaView, new: SchemaView) -> tuple[Change, ...]:
        key = (id(old), id(new))
        memoized = self._memo.get(key)
        if memoized is not None:
            return memoized
        if key in self._active:
            # Recursive schemas: comparing this pair again from inside itself would never
            # end.  Assume it compatible (the coinductive reading): any real difference is
            # reported by the outer comparison of the same pair.
            self._lowest_cycle_depth = min(self._lowest_cycle_depth, self._active[key])
            return ()
        check_budget()  # results that rest on a cycle are not memoized: a walk can multiply
        depth = len(self._active)
        self._active[key] = depth
        outer_lowest = self._lowest_cycle_depth
        self._lowest_cycle_depth = _NO_CYCLE
        try:
            result = self._bounded(self._compare(old, new))
        finally:
            del self._active[key]
        inner_lowest = self._lowest_cycle_depth
        if inner_lowest >= depth:
            # Every assumption made below was about this pair or its descendants, so the
            # result no longer depends on the path that led here and can be reused.
            self._memo[key] = result
            self._lowest_cycle_depth = outer_lowest
        else:
            self._lowest_cycle_depth = min(outer_lowest, inner_lowest)
        return result

    def _bounded(self, diffs: list[Change]) -> tuple[Change, ...]:
        """At most _MAX_DIFFS_PER_SCHEMA differences, incompatible ones first.

        A definition referenced from many places is reported once per place, and those
        places can multiply level by level (2**depth paths).  Keeping every incompatible
        difference we keep, and at least one when any exists, leaves all verdicts intact.
        """
        if len(diffs) <= _MAX_DIFFS_PER_SCHEMA:
            return tuple(diffs)
        incompatible = [diff for diff in diffs if diff.type not in self.compatible]
        compatible = [diff for diff in diffs if diff.type in self.compatible]
        return tuple((incompatible + compatible)[:_MAX_DIFFS_PER_SCHEMA])

    def _compare(self, old: SchemaView, new: SchemaView) -> list[Change]:
        if old.kind == "false" or new.kind == "true":
            return []
        if old.kind == "opaque" or new.kind == "opaque":
            if old.kind == new.kind == "opaque" and old.ref == new.ref:
                return []
            shown = old.ref if old.kind == "opaque" else new.ref
            return [Change(ChangeType.TYPE_CHANGED, (), f"the reference '{shown}' cannot be resolved locally")]
        if new.kind == "false":
            return [Change(ChangeType.TYPE_CHANGED, (), "the reader schema accepts nothing")]
        if not old.blocks and not new.blocks:
            return self._compare_base(old, new)
        if old.blocks and new.blocks:
            return self._compare_both_combined(old, new)
        if new.blocks:
            return self._compare_into_combined(old, new)
        return self._compare_out_of_combined(old, new)

    # -- plain schemas --

    def _compare_base(self, old: SchemaView, new: SchemaView) -> list[Change]:
        diffs = compare_annotations(old.raw, new.raw)
        type_diffs, shared = compare_types(old, new)
        diffs += type_diffs
        if not shared:
            return diffs
        diffs += compare_values(old, new)
        if "string" in shared:
            diffs += compare_string_keywords(old.raw, new.raw)
        if shared & {"integer", "number"}:
            diffs += compare_number_keywords(old.raw, new.raw)
        if "object" in shared:
            diffs += self._compare_object(old, new)
        if "array" in shared:
            diffs += self._compare_array(old, new)
        diffs += self._compare_not(old, new)
        diffs += self._compare_conditional(old, new)
        return diffs

    def _compare_not(self, old: SchemaView, new: SchemaView) -> list[Change]:
        old_not = old.doc.view(old.raw["not"]) if "not" in old.raw else None
        new_not = new.doc.view(new.raw["not"]) if "not" in new.raw else None
        # "not": false excludes nothing, so it is as good as absent.
        old_not = None if old_not is None or old_not.kind == "false" else old_not
        new_not = None if new_not is None or new_not.kind == "false" else new_not
        if old_not is None and new_not is None:
            return []
        if new_not is None:
            return [Change(ChangeType.NOT_TYPE_NARROWED, ("not",), "the reader no longer excludes anything")]
        if old_not is None:
            return [Change(ChangeType.NOT_TYPE_EXTENDED, ("not",), "the reader excludes values the writer allowed")]
        # The excluded set may only shrink: compare the wrapped schemas the other way round.
        reversed_diffs = self.compare(new_not, old_not)
        if not reversed_diffs:
            return []
        if self.is_compatible(reversed_diffs):
            return [Change(ChangeType.NOT_TYPE_NARROWED, ("not",))]
        return [Change(ChangeType.NOT_TYPE_EXTENDED, ("not",), "the reader excludes values the writer allowed")]

    def _compare_conditional(self, old: SchemaView, new: SchemaView) -> list[Change]:
        old_if, new_if = old.raw.get("if", ABSENT), new.raw.get("if", ABSENT)
        if old_if is ABSENT and new_if is ABSENT:
            return []
        if new_if is ABSENT:
            return [Change(ChangeType.SCHEMA_REMOVED, ("if",), "the reader drops its if/then/else")]
        if old_if is ABSENT:
            return [Change(ChangeType.SCHEMA_ADDED, ("if",), "the reader adds an if/then/else")]
        if freeze(old_if) != freeze(new_if):
            # Different conditions split values differently; we do not reason about that.
            return [Change(ChangeType.TYPE_CHANGED, ("if",), "the condition of if/then/else changed")]
        return self._compare_optional(old, new, "then") + self._compare_optional(old, new, "else")
