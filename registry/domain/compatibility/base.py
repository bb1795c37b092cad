"""What every format's compatibility rules provide."""

from __future__ import annotations

from typing import Any, Protocol

from registry.domain.model import CompatibilityPolicy, SchemaFormat, Violation


class CompatibilityRules(Protocol):
    """One format's rules for whether a reader can accept what a writer wrote."""

    @property
    def format(self) -> SchemaFormat: ...

    def backward_violations(self, old: Any, new: Any, policy: CompatibilityPolicy) -> list[Violation]:
        """What a reader of ``new`` cannot accept from data written with ``old``. Both are
        documents as the format's handler parses or loads them."""
        ...
