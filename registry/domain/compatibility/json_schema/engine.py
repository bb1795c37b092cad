"""JSON Schema compatibility, following Confluent Schema Registry's change types.

The engine walks two schemas side by side and reports every difference as one of
Confluent's ``Difference.Type`` names; a policy is the set of names that are *compatible*
(``changes.py``).

Direction
    ``backward_violations(writer, reader)`` lists the changes that let ``reader`` reject
    data ``writer`` accepted.  BACKWARD is ``backward_violations(old, new)``; FORWARD is
    ``backward_violations(new, old)``; FULL is both.  Messages therefore speak of the
    *writer* (first argument) and the *reader* (second argument).

Paths
    JSON pointers in Confluent's style, ``#/properties/foo/maxLength`` (``messages.py``).

Where this engine departs from Confluent (whose model is everit's schema classes rather
than keywords), it errs on the side of soundness and precision; each departure is written
down beside the code that makes it.

The package, in reading order:

``changes.py``      the change names, the STRICT and LENIENT policies, the Change record
``document.py``     the internal representation: documents, $ref resolution, schema views
                    (over ``json_values.py``: JSON types, equality and numbers)
``keywords.py``     per-keyword rules, most of them as rows (maxLength, minimum, ...), with
                    ``value_kinds.py`` saying how each kind of keyword value compares
``comparator.py``   the walk, with ``combinators.py``, ``objects.py`` and ``arrays.py``
                    (their shared base is ``comparison.py``)
``messages.py``     paths and messages
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from registry.domain.compatibility.json_schema.changes import compatible_changes
from registry.domain.compatibility.json_schema.comparator import compare_documents
from registry.domain.compatibility.json_schema.messages import format_path, violation_message
from registry.domain.model import CompatibilityPolicy, Violation

__all__ = ["Difference", "backward_violations", "differences"]


@dataclass(frozen=True, slots=True)
class Difference:
    """One change between two schemas, compatible or not."""

    type: str
    path: str


def backward_violations(
    old: object,
    new: object,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    *,
    old_references: Mapping[str, object] | None = None,
    new_references: Mapping[str, object] | None = None,
) -> list[Violation]:
    """Changes from `old` (the existing schema, the parsed JSON document) to `new` (the candidate)
    that a reader using `new` cannot accept for data written with `old`. Each side's
    `$ref`s may also reach the schemas it references (URI -> parsed document).

    Empty list = BACKWARD compatible. FORWARD is backward_violations(new, old); FULL is both.
    Raises :class:`SchemaTooLarge` only when a schema nests deeper than Python's stack allows.
    """
    allowed = compatible_changes(policy)
    return [
        Violation(type=str(diff.type), path=format_path(diff.path), message=violation_message(diff))
        for diff in compare_documents(old, new, allowed, old_references, new_references)
        if diff.type not in allowed
    ]


def differences(
    old: object,
    new: object,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    *,
    old_references: Mapping[str, object] | None = None,
    new_references: Mapping[str, object] | None = None,
) -> list[Difference]:
    """Every difference from `old` to `new`, compatible ones included.

    The policy matters even here: like Confluent, whether a subschema is "covered" by a
    partially open content model or matches a combined type depends on which changes count
    as compatible.
    """
    return [
        Difference(type=str(diff.type), path=format_path(diff.path))
        for diff in compare_documents(old, new, compatible_changes(policy), old_references, new_references)
    ]
