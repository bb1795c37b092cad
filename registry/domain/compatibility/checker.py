"""Compatibility modes applied to pairs of schemas and to a subject's history.

Each format supplies one primitive, ``backward_violations(old, new)``: what a
reader of ``new`` cannot accept from data written with ``old``. FORWARD is that
primitive with the roles swapped, FULL is both, and the ``_TRANSITIVE`` modes
apply it to every live version instead of only the latest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TypeVar

from registry.domain.compatibility.base import CompatibilityRules
from registry.domain.model import CompatibilityMode, CompatibilityPolicy, Violation

Item = TypeVar("Item")


def pair_violations(
    rules: CompatibilityRules,
    candidate: Any,
    existing: Any,
    mode: CompatibilityMode,
    policy: CompatibilityPolicy,
) -> list[Violation]:
    """Violations of ``mode`` by ``candidate`` against one ``existing`` schema.

    On a single pair a ``_TRANSITIVE`` mode is the same as its base mode.
    """
    violations: list[Violation] = []
    if mode.checks_backward:
        violations.extend(rules.backward_violations(existing, candidate, policy))
    if mode.checks_forward:
        for violation in rules.backward_violations(candidate, existing, policy):
            if violation not in violations:
                violations.append(violation)
    return violations


def compared_versions(live_versions: Sequence[Item], mode: CompatibilityMode) -> Sequence[Item]:
    """The live versions (oldest first) that ``mode`` checks a new schema against."""
    if mode is CompatibilityMode.NONE:
        return []
    return live_versions if mode.is_transitive else live_versions[-1:]


def history_violations(
    rules: CompatibilityRules,
    candidate: Any,
    live_versions: Sequence[tuple[str, Any]],
    mode: CompatibilityMode,
    policy: CompatibilityPolicy,
) -> list[Violation]:
    """Violations against a subject's live versions (``(label, document)``, oldest first):
    the latest only, or all of them under a ``_TRANSITIVE`` mode. Each names its version."""
    violations: list[Violation] = []
    for label, document in reversed(compared_versions(live_versions, mode)):
        violations.extend(
            replace(violation, version=label) for violation in pair_violations(rules, candidate, document, mode, policy)
        )
    return violations
