"""Matching ECMA-262 patterns while validating a document, within a time budget.

Each match may take ``PATTERN_MATCH_TIMEOUT_SECONDS``; one ``validate`` call may spend
``PATTERN_TIME_BUDGET_SECONDS`` on all of them. The budget lives in a context variable
that ``CompiledValidator.validate`` sets for the length of one call.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Mapping

import regex

from registry.domain.formats.json_schema.ecma_regex import InvalidEcmaPattern, compile_ecma

# One pathological match may cost this much before the value is reported invalid.
PATTERN_MATCH_TIMEOUT_SECONDS = 0.1
# Total regex time one ``validate`` call may spend; bounds documents with many strings
# that each hit the per-match timeout.
PATTERN_TIME_BUDGET_SECONDS = 1.0


class ValidationContext:
    """State of one ``validate`` call (one per call, never shared): the regex time left,
    and the validator's precompiled patterns (so a schema with more patterns than the
    shared cache holds does not recompile them on every call)."""

    __slots__ = ("remaining", "patterns")

    def __init__(self, seconds: float, patterns: Mapping[str, regex.Pattern[str]]) -> None:
        self.remaining = seconds
        self.patterns = patterns


# Greenlets (gevent) and threads each see their own value.
validation_context: contextvars.ContextVar[ValidationContext | None] = contextvars.ContextVar(
    "json_schema_validation_context", default=None
)


def pattern_matches(pattern: str, text: str) -> bool:
    """ECMA ``search`` semantics; raises TimeoutError (time spent) or InvalidEcmaPattern."""
    context = validation_context.get()
    if context is None:
        return compile_ecma(pattern).search(text, timeout=PATTERN_MATCH_TIMEOUT_SECONDS) is not None
    compiled = context.patterns.get(pattern) or compile_ecma(pattern)
    if context.remaining <= 0:
        raise TimeoutError("regex time budget for this document is spent")
    started = time.perf_counter()
    try:
        return compiled.search(text, timeout=min(PATTERN_MATCH_TIMEOUT_SECONDS, context.remaining)) is not None
    finally:
        context.remaining -= time.perf_counter() - started


def pattern_matches_or_unknown(pattern: str, text: str) -> bool:
    """For bookkeeping (which keys are 'covered'): an unanswerable match counts as a match,
    because the ``patternProperties`` keyword itself reports the failure."""
    try:
        return pattern_matches(pattern, text)
    except (TimeoutError, InvalidEcmaPattern):
        return True
