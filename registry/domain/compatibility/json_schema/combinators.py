"""Combined schemas: allOf / anyOf / oneOf, and a ``$ref`` beside other keywords (an allOf member).

Subschemas are matched by implication rather than by a one-to-one matching, so e.g.
``anyOf [integer, number]`` -> ``anyOf [number]`` is compatible (Confluent pairs subschemas
one to one).  oneOf's exclusivity is not analysed (nor is it by Confluent).  Subschemas are
addressed by their index in the writer schema; like Confluent, duplicate subschemas count once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry.domain.compatibility.json_schema.changes import Change, ChangeType, prefixed
from registry.domain.compatibility.json_schema.comparison import Comparison
from registry.domain.compatibility.json_schema.document import CombinatorBlock, Document, SchemaView
from registry.domain.compatibility.json_schema.json_values import freeze


class CombinatorComparison(Comparison):
    """Schemas either of which combines subschemas."""

    def _subs(self, block: CombinatorBlock, doc: Document) -> list[tuple[int, SchemaView]]:
        doc = block.doc or doc
        if block.subs is None:
            if block.opaque_ref is not None:
                block.subs = [(0, doc.opaque_view(block.opaque_ref))]
            else:
                seen: set[Any] = set()
                subs: list[tuple[int, SchemaView]] = []
                for index, raw in enumerate(block.raw_subs):
                    # Like Confluent, duplicate subschemas count once.
                    fingerprint = freeze(raw)
                    if fingerprint not in seen:
                        seen.add(fingerprint)
                        subs.append((index, doc.view(raw)))
                block.subs = subs
        return block.subs

    def _compare_both_combined(self, old: SchemaView, new: SchemaView) -> list[Change]:
        diffs: list[Change] = []
        if old.has_base or new.has_base:
            diffs += self._compare_base(old, new)
        if len(old.blocks) == 1 and len(new.blocks) == 1:
            diffs += self._compare_blocks(old.blocks[0], old.doc, new.blocks[0], new.doc)
            return diffs
        new_by_keyword = {block.keyword: block for block in new.blocks}
        for block in old.blocks:
            partner = new_by_keyword.pop(block.keyword, None)
            if partner is None:
                diffs.append(Change(ChangeType.SCHEMA_REMOVED, (block.keyword,), f"the reader drops '{block.keyword}'"))
            else:
                diffs += self._compare_blocks(block, old.doc, partner, new.doc)
        for block in new_by_keyword.values():
            diffs += self._writer_within_block(old, block, new.doc)
        return diffs

    def _compare_into_combined(self, old: SchemaView, new: SchemaView) -> list[Change]:
        diffs: list[Change] = []
        if new.has_base:
            diffs += self._compare_base(old, new)
        for block in new.blocks:
            diffs += self._writer_within_block(old, block, new.doc)
        return diffs

    def _writer_within_block(self, old: SchemaView, block: CombinatorBlock, new_doc: Document) -> list[Change]:
        """Does every value of the (uncombined) writer satisfy the reader's combinator?"""
        subs = self._subs(block, new_doc)
        if block.criterion == "allOf":
            diffs: list[Change] = []
            for _, sub in subs:
                diffs += self.compare(old, sub)
            return diffs
        if len(subs) == 1:
            return list(self.compare(old, subs[0][1]))
        for _, sub in subs:
            found = self.compare(old, sub)
            if self.is_compatible(found):
                return [
                    *found,
                    Change(ChangeType.SUM_TYPE_EXTENDED, (), f"the reader adds alternatives in '{block.keyword}'"),
                ]
        # The writer may be a union of types ("type": ["string", "null"]) whose members
        # land in different alternatives of the reader.
        if not old.blocks and old.declared is not None and len(old.declared) > 1 and isinstance(old.raw, dict):
            diffs = []
            for kind in sorted(old.declared):
                piece = old.doc.made_up_view({**old.raw, "type": kind})
                match = next((found for _, sub in subs if self.is_compatible(found := self.compare(piece, sub))), None)
                if match is None:
                    break
                diffs += match
            else:
                return [
                    *diffs,
                    Change(ChangeType.SUM_TYPE_EXTENDED, (), f"the reader adds alternatives in '{block.keyword}'"),
                ]
        return [
            Change(ChangeType.TYPE_CHANGED, (), f"no subschema of the reader's '{block.keyword}' accepts the writer")
        ]

    def _compare_out_of_combined(self, old: SchemaView, new: SchemaView) -> list[Change]:
        """A combined writer against an uncombined reader: one conjunct must fit the reader."""
        failures: list[list[Change]] = []
        if old.has_base:
            found = self._compare_base(old, new)
            if self.is_compatible(found):
                return [
                    *found,
                    Change(ChangeType.PRODUCT_TYPE_NARROWED, (), "the reader drops the writer's combinators"),
                ]
            failures.append(found)
        for block in old.blocks:
            found = self._block_within_reader(block, old.doc, new)
            if self.is_compatible(found):
                if old.has_base or len(old.blocks) > 1:
                    found.append(
                        Change(
                            ChangeType.PRODUCT_TYPE_NARROWED, (), "the reader drops some of the writer's constraints"
                        )
                    )
                return found
            failures.append(found)
        return failures[0]

    def _block_within_reader(self, block: CombinatorBlock, old_doc: Document, new: SchemaView) -> list[Change]:
        subs = self._subs(block, old_doc)
        if len(subs) == 1:
            index, sub = subs[0]
            return prefixed(self.compare(sub, new), block.path(index))
        if block.criterion == "allOf":
            best: list[Change] | None = None
            for index, sub in subs:
                found = prefixed(self.compare(sub, new), block.path(index))
                if self.is_compatible(found):
                    return [
                        *found,
                        Change(ChangeType.PRODUCT_TYPE_NARROWED, (), f"the reader drops members of '{block.keyword}'"),
                    ]
                if best is None or self._incompatible_count(found) < self._incompatible_count(best):
                    best = found
            return best or []
        # anyOf / oneOf: every alternative the writer allowed must fit the reader.
        diffs: list[Change] = []
        rejected = 0
        for index, sub in subs:
            alternative = self.compare(sub, new)
            if self.is_compatible(alternative):
                diffs += prefixed(alternative, block.path(index))
            else:
                rejected += 1
                diffs.append(
                    Change(ChangeType.SUM_TYPE_NARROWED, block.path(index), "the reader rejects this alternative")
                )
        if rejected == len(subs):
            return [Change(ChangeType.TYPE_CHANGED, (), f"the reader accepts none of the writer's '{block.keyword}'")]
        return diffs

    def _compare_blocks(
        self, old_block: CombinatorBlock, old_doc: Document, new_block: CombinatorBlock, new_doc: Document
    ) -> list[Change]:
        old_subs = self._subs(old_block, old_doc)
        new_subs = self._subs(new_block, new_doc)
        old_criterion, new_criterion = old_block.criterion, new_block.criterion
        old_single, new_single = len(old_subs) == 1, len(new_subs) == 1
        diffs: list[Change] = []
        if old_criterion != new_criterion:
            if not _criterion_change_keeps_values(old_criterion, new_criterion, old_single, new_single):
                return [Change(ChangeType.COMBINED_TYPE_CHANGED, (), f"{old_criterion} -> {new_criterion}")]
            diffs.append(Change(ChangeType.COMBINED_TYPE_EXTENDED, (), f"{old_criterion} -> {new_criterion}"))

        old_is_sum = old_criterion != "allOf" and not old_single
        new_is_sum = new_criterion != "allOf" and not new_single
        if old_is_sum:
            matched, covered = self._alternatives_within(old_block, old_subs, new_subs, new_is_sum)
        elif new_is_sum:
            matched, covered = self._conjunction_within_alternatives(old_block, old_subs, new_subs)
        else:
            matched, covered = self._conjunctions_within(old_block, old_subs, new_subs)
        diffs += matched
        diffs += _subschema_count_changes(old_criterion, new_criterion, len(old_subs), len(new_subs), covered)
        return diffs

    def _alternatives_within(
        self,
        old_block: CombinatorBlock,
        old_subs: list[tuple[int, SchemaView]],
        new_subs: list[tuple[int, SchemaView]],
        new_is_sum: bool,
    ) -> tuple[list[Change], bool]:
        """Each alternative the writer allowed must be accepted by the reader."""
        diffs: list[Change] = []
        covered = True
        for position, (index, sub) in enumerate(old_subs):
            found: Sequence[Change] | None
            if new_is_sum:
                found = self._first_compatible(sub, new_subs, position)
            else:
                results = [self.compare(sub, target) for _, target in new_subs]
                found = [d for result in results for d in result] if all(map(self.is_compatible, results)) else None
            if found is None:
                covered = False
            else:
                diffs += prefixed(found, old_block.path(index))
        return diffs, covered

    def _conjunction_within_alternatives(
        self,
        old_block: CombinatorBlock,
        old_subs: list[tuple[int, SchemaView]],
        new_subs: list[tuple[int, SchemaView]],
    ) -> tuple[list[Change], bool]:
        """The writer is a conjunction: one conjunct inside one alternative suffices."""
        match = next(
            (
                (index, found)
                for index, sub in old_subs
                for _, target in new_subs
                if self.is_compatible(found := self.compare(sub, target))
            ),
            None,
        )
        if match is None:
            return [], False
        return prefixed(match[1], old_block.path(match[0])), True

    def _conjunctions_within(
        self,
        old_block: CombinatorBlock,
        old_subs: list[tuple[int, SchemaView]],
        new_subs: list[tuple[int, SchemaView]],
    ) -> tuple[list[Change], bool]:
        """Both conjunctions: every reader conjunct must follow from a writer conjunct."""
        diffs: list[Change] = []
        covered = True
        for position, (_, target) in enumerate(new_subs):
            match = self._first_compatible_source(old_subs, target, position)
            if match is None:
                covered = False
            else:
                diffs += prefixed(match[1], old_block.path(match[0]))
        return diffs, covered

    def _first_compatible(
        self, old: SchemaView, candidates: list[tuple[int, SchemaView]], preferred: int
    ) -> tuple[Change, ...] | None:
        order = ([preferred] if preferred < len(candidates) else []) + [
            i for i in range(len(candidates)) if i != preferred
        ]
        for position in order:
            found = self.compare(old, candidates[position][1])
            if self.is_compatible(found):
                return found
        return None

    def _first_compatible_source(
        self, sources: list[tuple[int, SchemaView]], target: SchemaView, preferred: int
    ) -> tuple[int, tuple[Change, ...]] | None:
        order = ([preferred] if preferred < len(sources) else []) + [i for i in range(len(sources)) if i != preferred]
        for position in order:
            index, source = sources[position]
            found = self.compare(source, target)
            if self.is_compatible(found):
                return index, found
        return None


def _criterion_change_keeps_values(old_criterion: str, new_criterion: str, old_single: bool, new_single: bool) -> bool:
    """Confluent's rule for which criterion changes keep every valid value valid."""
    return (
        new_criterion == "anyOf"
        or (old_single and new_single)
        or (old_single and new_criterion == "oneOf")
        or (new_single and old_criterion == "allOf")
    )


def _subschema_count_changes(
    old_criterion: str, new_criterion: str, old_count: int, new_count: int, covered: bool
) -> list[Change]:
    """What a different number of subschemas means, and the verdict when they do not match up."""
    diffs: list[Change] = []
    detail = f"{old_count} -> {new_count} subschemas"
    explained = False
    if new_count > old_count:
        if new_criterion != "allOf":
            diffs.append(Change(ChangeType.SUM_TYPE_EXTENDED, (), detail))
        elif not covered:
            diffs.append(Change(ChangeType.PRODUCT_TYPE_EXTENDED, (), detail))
            explained = True
    if new_count < old_count:
        if old_criterion == "allOf":
            diffs.append(Change(ChangeType.PRODUCT_TYPE_NARROWED, (), detail))
        elif not covered:
            diffs.append(Change(ChangeType.SUM_TYPE_NARROWED, (), detail))
            explained = True
    if not covered and not explained:
        diffs.append(
            Change(
                ChangeType.COMBINED_TYPE_SUBSCHEMAS_CHANGED, (), "the subschemas no longer correspond one to another"
            )
        )
    return diffs
