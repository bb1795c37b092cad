"""JSON Schema compatibility, following Confluent Schema Registry's change types.

The engine walks two schemas side by side and reports every difference as one of
Confluent's ``Difference.Type`` names (``TYPE_CHANGED``, ``MAX_LENGTH_DECREASED``,
``PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL`` ...).  A policy is the set of change types that
are *compatible*: :data:`COMPATIBLE_CHANGES_STRICT` is Confluent's default set and
:data:`COMPATIBLE_CHANGES_LENIENT` is its lenient superset, which additionally tolerates
changes to what an open or partially open content model lets through.

Direction
    ``backward_violations(writer, reader)`` lists the changes that let ``reader`` reject
    data ``writer`` accepted.  BACKWARD is ``backward_violations(old, new)``; FORWARD is
    ``backward_violations(new, old)``; FULL is both.  Messages therefore speak of the
    *writer* (first argument) and the *reader* (second argument).

Paths
    Paths are JSON pointers in Confluent's style: ``#/`` is the schema root,
    ``#/properties/foo/maxLength`` a keyword below it, ``#/required/foo`` the requirement
    of property ``foo``.  Segments are escaped as RFC 6901 requires (``~0``, ``~1``).
    A ``$ref`` is followed transparently, so a change inside a referenced definition is
    reported where it is used, as Confluent does.  Subschemas of ``allOf``/``anyOf``/
    ``oneOf`` are addressed by their index in the writer schema; tuple items by
    ``items/N`` or ``prefixItems/N`` as the reader schema spells them.

Where this engine departs from Confluent (whose model is everit's schema classes rather
than keywords), it errs on the side of soundness and precision:

* adding ``enum``/``const`` is ``ENUM_ARRAY_NARROWED`` (Confluent: ``TYPE_CHANGED``), dropping
  it ``ENUM_ARRAY_EXTENDED`` (Confluent: ``PRODUCT_TYPE_NARROWED``); same verdicts;
* adding ``"type"`` to a schema that had none is ``TYPE_NARROWED`` (Confluent: silent, as
  both are, say, ObjectSchemas), because the old schema accepted non-objects;
* every newly required name counts, not only properties both schemas declare, and a
  required property added to an open content model is also ``REQUIRED_ATTRIBUTE_ADDED``, so
  LENIENT never accepts it;
* every matching ``patternProperties`` entry applies, also to declared properties, and
  patterns added or removed are checked (Confluent ignores them);
* ``anyOf``/``oneOf``/``allOf`` subschemas are matched by implication rather than by a
  one-to-one matching, so e.g. ``anyOf [integer, number]`` -> ``anyOf [number]`` is
  compatible; oneOf's exclusivity is not analysed (nor is it by Confluent);
* extension change types ``FORMAT_*``, ``MAX_CONTAINS_*``/``MIN_CONTAINS_*`` and
  ``UNEVALUATED_*`` cover keywords Confluent's 7.x line ignores.

Kept although unsound, because they are Confluent's rules: a required property *with a
default* counts as compatible, and LENIENT accepts constraining what an open content model
let through.  ``if``/``then``/``else`` is compared only when the ``if`` schemas are equal
(otherwise ``TYPE_CHANGED`` at ``#/if``); ``$ref`` is resolved within the document (JSON
pointers, anchors, embedded ``$id``) and, when given, in the schemas the document references
(``old_references``/``new_references``: URI -> document, as
``registry.domain.formats.json_schema.reference_resources`` builds them); a referenced
schema is followed like a local definition, and so compared as if it were inline.
Anything else is opaque and compared by its text.

Limits: at most 500 differences are kept per schema node (incompatible ones first, so
verdicts are exact) since shared definitions can fan out to 2**depth paths; schemas
nesting deeper than roughly 150 levels raise :class:`SchemaTooLarge`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import unquote, urldefrag, urljoin

from registry.domain.errors import SchemaTooLarge
from registry.domain.model import CompatibilityPolicy, Violation
from registry.domain.pointers import escape_token

__all__ = [
    "COMPATIBLE_CHANGES_LENIENT",
    "COMPATIBLE_CHANGES_STRICT",
    "ChangeType",
    "Difference",
    "backward_violations",
    "compatible_changes",
    "differences",
]


class ChangeType(StrEnum):
    """Confluent's ``Difference.Type`` names, plus a few extensions marked below."""

    ID_CHANGED = "ID_CHANGED"
    DESCRIPTION_CHANGED = "DESCRIPTION_CHANGED"
    TITLE_CHANGED = "TITLE_CHANGED"
    DEFAULT_CHANGED = "DEFAULT_CHANGED"
    SCHEMA_ADDED = "SCHEMA_ADDED"
    SCHEMA_REMOVED = "SCHEMA_REMOVED"
    TYPE_EXTENDED = "TYPE_EXTENDED"
    TYPE_NARROWED = "TYPE_NARROWED"
    TYPE_CHANGED = "TYPE_CHANGED"

    MAX_LENGTH_ADDED = "MAX_LENGTH_ADDED"
    MAX_LENGTH_REMOVED = "MAX_LENGTH_REMOVED"
    MAX_LENGTH_INCREASED = "MAX_LENGTH_INCREASED"
    MAX_LENGTH_DECREASED = "MAX_LENGTH_DECREASED"
    MIN_LENGTH_ADDED = "MIN_LENGTH_ADDED"
    MIN_LENGTH_REMOVED = "MIN_LENGTH_REMOVED"
    MIN_LENGTH_INCREASED = "MIN_LENGTH_INCREASED"
    MIN_LENGTH_DECREASED = "MIN_LENGTH_DECREASED"
    PATTERN_ADDED = "PATTERN_ADDED"
    PATTERN_REMOVED = "PATTERN_REMOVED"
    PATTERN_CHANGED = "PATTERN_CHANGED"
    # Extension: Confluent ignores "format"; we treat it like "pattern".
    FORMAT_ADDED = "FORMAT_ADDED"
    FORMAT_REMOVED = "FORMAT_REMOVED"
    FORMAT_CHANGED = "FORMAT_CHANGED"

    MAXIMUM_ADDED = "MAXIMUM_ADDED"
    MAXIMUM_REMOVED = "MAXIMUM_REMOVED"
    MAXIMUM_INCREASED = "MAXIMUM_INCREASED"
    MAXIMUM_DECREASED = "MAXIMUM_DECREASED"
    MINIMUM_ADDED = "MINIMUM_ADDED"
    MINIMUM_REMOVED = "MINIMUM_REMOVED"
    MINIMUM_INCREASED = "MINIMUM_INCREASED"
    MINIMUM_DECREASED = "MINIMUM_DECREASED"
    EXCLUSIVE_MAXIMUM_ADDED = "EXCLUSIVE_MAXIMUM_ADDED"
    EXCLUSIVE_MAXIMUM_REMOVED = "EXCLUSIVE_MAXIMUM_REMOVED"
    EXCLUSIVE_MAXIMUM_INCREASED = "EXCLUSIVE_MAXIMUM_INCREASED"
    EXCLUSIVE_MAXIMUM_DECREASED = "EXCLUSIVE_MAXIMUM_DECREASED"
    EXCLUSIVE_MINIMUM_ADDED = "EXCLUSIVE_MINIMUM_ADDED"
    EXCLUSIVE_MINIMUM_REMOVED = "EXCLUSIVE_MINIMUM_REMOVED"
    EXCLUSIVE_MINIMUM_INCREASED = "EXCLUSIVE_MINIMUM_INCREASED"
    EXCLUSIVE_MINIMUM_DECREASED = "EXCLUSIVE_MINIMUM_DECREASED"
    MULTIPLE_OF_ADDED = "MULTIPLE_OF_ADDED"
    MULTIPLE_OF_REMOVED = "MULTIPLE_OF_REMOVED"
    MULTIPLE_OF_EXPANDED = "MULTIPLE_OF_EXPANDED"
    MULTIPLE_OF_REDUCED = "MULTIPLE_OF_REDUCED"
    MULTIPLE_OF_CHANGED = "MULTIPLE_OF_CHANGED"

    REQUIRED_ATTRIBUTE_ADDED = "REQUIRED_ATTRIBUTE_ADDED"
    REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED = "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"
    REQUIRED_ATTRIBUTE_REMOVED = "REQUIRED_ATTRIBUTE_REMOVED"
    MAX_PROPERTIES_ADDED = "MAX_PROPERTIES_ADDED"
    MAX_PROPERTIES_REMOVED = "MAX_PROPERTIES_REMOVED"
    MAX_PROPERTIES_INCREASED = "MAX_PROPERTIES_INCREASED"
    MAX_PROPERTIES_DECREASED = "MAX_PROPERTIES_DECREASED"
    MIN_PROPERTIES_ADDED = "MIN_PROPERTIES_ADDED"
    MIN_PROPERTIES_REMOVED = "MIN_PROPERTIES_REMOVED"
    MIN_PROPERTIES_INCREASED = "MIN_PROPERTIES_INCREASED"
    MIN_PROPERTIES_DECREASED = "MIN_PROPERTIES_DECREASED"
    ADDITIONAL_PROPERTIES_ADDED = "ADDITIONAL_PROPERTIES_ADDED"
    ADDITIONAL_PROPERTIES_REMOVED = "ADDITIONAL_PROPERTIES_REMOVED"
    ADDITIONAL_PROPERTIES_EXTENDED = "ADDITIONAL_PROPERTIES_EXTENDED"
    ADDITIONAL_PROPERTIES_NARROWED = "ADDITIONAL_PROPERTIES_NARROWED"
    # Extension: unevaluatedProperties (2019-09+) mirrors additionalProperties.
    UNEVALUATED_PROPERTIES_ADDED = "UNEVALUATED_PROPERTIES_ADDED"
    UNEVALUATED_PROPERTIES_REMOVED = "UNEVALUATED_PROPERTIES_REMOVED"
    UNEVALUATED_PROPERTIES_EXTENDED = "UNEVALUATED_PROPERTIES_EXTENDED"
    UNEVALUATED_PROPERTIES_NARROWED = "UNEVALUATED_PROPERTIES_NARROWED"
    DEPENDENCY_ARRAY_ADDED = "DEPENDENCY_ARRAY_ADDED"
    DEPENDENCY_ARRAY_REMOVED = "DEPENDENCY_ARRAY_REMOVED"
    DEPENDENCY_ARRAY_EXTENDED = "DEPENDENCY_ARRAY_EXTENDED"
    DEPENDENCY_ARRAY_NARROWED = "DEPENDENCY_ARRAY_NARROWED"
    DEPENDENCY_ARRAY_CHANGED = "DEPENDENCY_ARRAY_CHANGED"
    DEPENDENCY_SCHEMA_ADDED = "DEPENDENCY_SCHEMA_ADDED"
    DEPENDENCY_SCHEMA_REMOVED = "DEPENDENCY_SCHEMA_REMOVED"
    PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL = "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
    PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL = "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
    REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL = "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL = (
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL"
    )
    OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL = "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
    PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL = "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL"
    PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL = "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL = "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )

    MAX_ITEMS_ADDED = "MAX_ITEMS_ADDED"
    MAX_ITEMS_REMOVED = "MAX_ITEMS_REMOVED"
    MAX_ITEMS_INCREASED = "MAX_ITEMS_INCREASED"
    MAX_ITEMS_DECREASED = "MAX_ITEMS_DECREASED"
    MIN_ITEMS_ADDED = "MIN_ITEMS_ADDED"
    MIN_ITEMS_REMOVED = "MIN_ITEMS_REMOVED"
    MIN_ITEMS_INCREASED = "MIN_ITEMS_INCREASED"
    MIN_ITEMS_DECREASED = "MIN_ITEMS_DECREASED"
    # maxContains/minContains (2019-09+) carry the names Confluent's 8.x line uses.
    MAX_CONTAINS_ADDED = "MAX_CONTAINS_ADDED"
    MAX_CONTAINS_REMOVED = "MAX_CONTAINS_REMOVED"
    MAX_CONTAINS_INCREASED = "MAX_CONTAINS_INCREASED"
    MAX_CONTAINS_DECREASED = "MAX_CONTAINS_DECREASED"
    MIN_CONTAINS_INCREASED = "MIN_CONTAINS_INCREASED"
    MIN_CONTAINS_DECREASED = "MIN_CONTAINS_DECREASED"
    UNIQUE_ITEMS_ADDED = "UNIQUE_ITEMS_ADDED"
    UNIQUE_ITEMS_REMOVED = "UNIQUE_ITEMS_REMOVED"
    ADDITIONAL_ITEMS_ADDED = "ADDITIONAL_ITEMS_ADDED"
    ADDITIONAL_ITEMS_REMOVED = "ADDITIONAL_ITEMS_REMOVED"
    ADDITIONAL_ITEMS_EXTENDED = "ADDITIONAL_ITEMS_EXTENDED"
    ADDITIONAL_ITEMS_NARROWED = "ADDITIONAL_ITEMS_NARROWED"
    # Extension: unevaluatedItems (2019-09+) mirrors additionalItems.
    UNEVALUATED_ITEMS_ADDED = "UNEVALUATED_ITEMS_ADDED"
    UNEVALUATED_ITEMS_REMOVED = "UNEVALUATED_ITEMS_REMOVED"
    UNEVALUATED_ITEMS_EXTENDED = "UNEVALUATED_ITEMS_EXTENDED"
    UNEVALUATED_ITEMS_NARROWED = "UNEVALUATED_ITEMS_NARROWED"
    ITEM_ADDED_TO_OPEN_CONTENT_MODEL = "ITEM_ADDED_TO_OPEN_CONTENT_MODEL"
    ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL = "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
    ITEM_ADDED_TO_CLOSED_CONTENT_MODEL = "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL"
    ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL = "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL"
    ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL = "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL = "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"

    ENUM_ARRAY_EXTENDED = "ENUM_ARRAY_EXTENDED"
    ENUM_ARRAY_NARROWED = "ENUM_ARRAY_NARROWED"
    ENUM_ARRAY_CHANGED = "ENUM_ARRAY_CHANGED"

    COMBINED_TYPE_EXTENDED = "COMBINED_TYPE_EXTENDED"
    COMBINED_TYPE_CHANGED = "COMBINED_TYPE_CHANGED"
    PRODUCT_TYPE_EXTENDED = "PRODUCT_TYPE_EXTENDED"
    PRODUCT_TYPE_NARROWED = "PRODUCT_TYPE_NARROWED"
    SUM_TYPE_EXTENDED = "SUM_TYPE_EXTENDED"
    SUM_TYPE_NARROWED = "SUM_TYPE_NARROWED"
    COMBINED_TYPE_SUBSCHEMAS_CHANGED = "COMBINED_TYPE_SUBSCHEMAS_CHANGED"
    NOT_TYPE_EXTENDED = "NOT_TYPE_EXTENDED"
    NOT_TYPE_NARROWED = "NOT_TYPE_NARROWED"


T = ChangeType

# Confluent's COMPATIBLE_CHANGES_STRICT, plus the compatible members of our extensions.
COMPATIBLE_CHANGES_STRICT: frozenset[str] = frozenset(
    {
        T.ID_CHANGED,
        T.DESCRIPTION_CHANGED,
        T.TITLE_CHANGED,
        T.DEFAULT_CHANGED,
        T.SCHEMA_REMOVED,
        T.TYPE_EXTENDED,
        T.MAX_LENGTH_INCREASED,
        T.MAX_LENGTH_REMOVED,
        T.MIN_LENGTH_DECREASED,
        T.MIN_LENGTH_REMOVED,
        T.PATTERN_REMOVED,
        T.FORMAT_REMOVED,
        T.MAXIMUM_INCREASED,
        T.MAXIMUM_REMOVED,
        T.MINIMUM_DECREASED,
        T.MINIMUM_REMOVED,
        T.EXCLUSIVE_MAXIMUM_INCREASED,
        T.EXCLUSIVE_MAXIMUM_REMOVED,
        T.EXCLUSIVE_MINIMUM_DECREASED,
        T.EXCLUSIVE_MINIMUM_REMOVED,
        T.MULTIPLE_OF_REDUCED,
        T.MULTIPLE_OF_REMOVED,
        T.REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED,
        T.REQUIRED_ATTRIBUTE_REMOVED,
        T.DEPENDENCY_ARRAY_NARROWED,
        T.DEPENDENCY_ARRAY_REMOVED,
        T.DEPENDENCY_SCHEMA_REMOVED,
        T.MAX_PROPERTIES_INCREASED,
        T.MAX_PROPERTIES_REMOVED,
        T.MIN_PROPERTIES_DECREASED,
        T.MIN_PROPERTIES_REMOVED,
        T.ADDITIONAL_PROPERTIES_ADDED,
        T.ADDITIONAL_PROPERTIES_EXTENDED,
        T.UNEVALUATED_PROPERTIES_ADDED,
        T.UNEVALUATED_PROPERTIES_EXTENDED,
        T.PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
        T.REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL,
        T.OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL,
        T.PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
        T.PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
        T.PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        T.PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        T.MAX_ITEMS_INCREASED,
        T.MAX_ITEMS_REMOVED,
        T.MIN_ITEMS_DECREASED,
        T.MIN_ITEMS_REMOVED,
        T.MAX_CONTAINS_INCREASED,
        T.MAX_CONTAINS_REMOVED,
        T.MIN_CONTAINS_DECREASED,
        T.UNIQUE_ITEMS_REMOVED,
        T.ADDITIONAL_ITEMS_ADDED,
        T.ADDITIONAL_ITEMS_EXTENDED,
        T.UNEVALUATED_ITEMS_ADDED,
        T.UNEVALUATED_ITEMS_EXTENDED,
        T.ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL,
        T.ITEM_ADDED_TO_CLOSED_CONTENT_MODEL,
        T.ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL,
        T.ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
        T.ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        T.ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
        T.ENUM_ARRAY_EXTENDED,
        T.COMBINED_TYPE_EXTENDED,
        T.PRODUCT_TYPE_NARROWED,
        T.SUM_TYPE_EXTENDED,
        T.NOT_TYPE_NARROWED,
    }
)

# Confluent's COMPATIBLE_CHANGES_LENIENT: readers are assumed to ignore properties they
# do not know, so what an open or partially open content model admits stops mattering.
COMPATIBLE_CHANGES_LENIENT: frozenset[str] = COMPATIBLE_CHANGES_STRICT | {
    T.ADDITIONAL_PROPERTIES_NARROWED,
    T.ADDITIONAL_PROPERTIES_REMOVED,
    T.UNEVALUATED_PROPERTIES_NARROWED,
    T.UNEVALUATED_PROPERTIES_REMOVED,
    T.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
    T.PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
    T.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
    T.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
}


def compatible_changes(policy: CompatibilityPolicy) -> frozenset[str]:
    """The change types ``policy`` accepts."""
    return COMPATIBLE_CHANGES_LENIENT if policy == CompatibilityPolicy.LENIENT else COMPATIBLE_CHANGES_STRICT


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
        Violation(type=str(diff.type), path=_format_path(diff.path), message=_message(diff))
        for diff in _compare_documents(old, new, allowed, old_references, new_references)
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
        Difference(type=str(diff.type), path=_format_path(diff.path))
        for diff in _compare_documents(old, new, compatible_changes(policy), old_references, new_references)
    ]


# --------------------------------------------------------------------------------------
# Internal representation
# --------------------------------------------------------------------------------------


class _Diff(NamedTuple):
    type: str
    path: tuple[str, ...]
    detail: str = ""


_ABSENT: Any = object()
_NO_CYCLE = 1 << 60
# Bounds the report (and the work) when shared definitions fan out; see _Comparator._bounded.
_MAX_DIFFS_PER_SCHEMA = 500

_KNOWN_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
_COMBINATORS = ("allOf", "anyOf", "oneOf")
_REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
# Keywords that can make a schema reject an instance.  Everything else (annotations,
# $defs, unknown keywords) is ignored when deciding whether a schema accepts everything.
_ASSERTION_KEYWORDS = frozenset(
    {
        "type", "enum", "const",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "format",
        "items", "prefixItems", "additionalItems", "unevaluatedItems", "contains",
        "minContains", "maxContains", "maxItems", "minItems", "uniqueItems",
        "maxProperties", "minProperties", "required", "properties", "patternProperties",
        "additionalProperties", "unevaluatedProperties", "dependencies", "dependentRequired",
        "dependentSchemas", "propertyNames",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    }
)  # fmt: skip
_DRAFT_MARKERS = (
    ("draft-03", 4),
    ("draft-04", 4),
    ("draft-05", 4),
    ("draft-06", 6),
    ("draft-07", 7),
    ("2019-09", 2019),
    ("2020-12", 2020),
)
_NEWER_THAN_DRAFT_7 = frozenset(
    {"prefixItems", "dependentRequired", "dependentSchemas", "unevaluatedItems", "unevaluatedProperties",
     "minContains", "maxContains"}
)  # fmt: skip
# Keywords a declared draft does not know, and so ignores like any unknown keyword.
_NOT_IN_DRAFT: dict[int, frozenset[str]] = {
    4: _NEWER_THAN_DRAFT_7 | {"const", "contains", "propertyNames", "if", "then", "else"},
    6: _NEWER_THAN_DRAFT_7 | {"if", "then", "else"},
    7: _NEWER_THAN_DRAFT_7,
    2019: frozenset({"prefixItems", "dependencies"}),
    2020: frozenset({"dependencies", "additionalItems"}),
}


class _Block:
    """One combinator of a schema: its criterion, where it lives, and its subschemas."""

    __slots__ = ("criterion", "keyword", "raw_subs", "opaque_ref", "doc", "subs")

    def __init__(
        self,
        criterion: str,
        keyword: str,
        raw_subs: Sequence[Any],
        opaque_ref: str | None = None,
        doc: _Document | None = None,
    ):
        self.criterion = criterion  # allOf, anyOf or oneOf
        self.keyword = keyword  # the keyword in the schema; "$ref" for a $ref with siblings
        self.raw_subs = raw_subs
        self.opaque_ref = opaque_ref
        # The document the subschemas belong to when it is not the schema's own (a $ref
        # into a referenced schema).
        self.doc = doc
        self.subs: list[tuple[int, _Schema]] | None = None

    def path(self, index: int) -> tuple[str, ...]:
        return () if self.keyword == "$ref" else (self.keyword, str(index))


class _Schema:
    """A schema node after following `$ref`, with the facts the comparison keeps asking."""

    __slots__ = ("kind", "raw", "doc", "ref", "blocks", "has_base", "declared", "values", "values_keyword",
                 "types")  # fmt: skip

    def __init__(self, kind: str, raw: dict[str, Any], doc: _Document, ref: str | None = None) -> None:
        self.kind = kind  # "true" (accepts all), "false" (accepts none), "dict", or "opaque" (unresolvable $ref)
        self.raw = raw
        self.doc = doc
        self.ref = ref
        self.blocks: tuple[_Block, ...] = ()
        self.has_base = False
        self.declared: frozenset[str] | None = None
        self.values: tuple[Any, ...] | None = None
        self.values_keyword: str | None = None
        self.types: frozenset[str] | None = None


class _References:
    """The schemas one side's `$ref`s may reach beyond its document, by URI: one
    `_Document` each, made when first reached."""

    def __init__(self, resources: Mapping[str, Any], draft: int | None) -> None:
        self._resources = resources
        # A referenced schema that declares no draft is read in the referencing one's.
        self._draft = draft
        self._documents: dict[str, _Document] = {}

    def find(self, uri: str) -> tuple[_Document, Any] | None:
        """The document and schema at `uri`: a referenced schema, or a resource embedded
        in one (by its `$id`)."""
        if uri in self._resources:
            document = self._document(uri)
            return document, document.root
        for known in self._resources:
            document = self._document(known)
            embedded = document.embedded_resource(uri)
            if embedded is not _ABSENT:
                return document, embedded
        return None

    def _document(self, uri: str) -> _Document:
        document = self._documents.get(uri)
        if document is None:
            document = _Document(self._resources[uri], self, uri=uri, inherited_draft=self._draft)
            self._documents[uri] = document
        return document


class _Document:
    """One schema document: resolves `$ref`s and caches a view per schema node."""

    def __init__(
        self,
        root: object,
        references: _References | None = None,
        *,
        uri: str = "",
        inherited_draft: int | None = None,
    ) -> None:
        self.root = root
        schema_uri = root.get("$schema") if isinstance(root, dict) else None
        # Without a declared draft every draft's keywords count, so no keyword an author
        # wrote is silently dropped; $ref then applies beside its siblings, as in 2020-12.
        self.draft = next(
            (draft for marker, draft in _DRAFT_MARKERS if isinstance(schema_uri, str) and marker in schema_uri),
            None,
        )
        if schema_uri is None:
            self.draft = inherited_draft
        self.unknown_keywords = _NOT_IN_DRAFT.get(self.draft, frozenset()) if self.draft else frozenset()
        # Before 2019-09 a $ref replaces its siblings; from 2019-09 on it applies beside them.
        self.ref_ignores_siblings = self.draft is not None and self.draft <= 7
        root_id = _schema_id(root) if isinstance(root, dict) else None
        # A referenced schema without an $id has the URI it was reached by as its base.
        self.base_uri = (urljoin(uri, root_id) if root_id else uri).rstrip("#")
        self.references = references
        self._views: dict[int, _Schema] = {}
        self._opaque: dict[int, _Schema] = {}
        self._opaque_by_ref: dict[str, _Schema] = {}
        self._resolving: set[int] = set()
        # Nodes made up during the comparison must outlive it: views are cached by id().
        self._made_up: list[Any] = []
        self._anchors: dict[str, Any] | None = None
        self._resources: dict[str, Any] | None = None
        self.true_view = _Schema("true", {}, self)
        self.false_view = _Schema("false", {}, self)

    def view(self, raw: object) -> _Schema:
        if raw is False:
            return self.false_view
        if not isinstance(raw, dict):
            # true, and anything that is not a schema at all, constrains nothing.
            return self.true_view
        cached = self._views.get(id(raw))
        if cached is None:
            cached = self._build_view(raw)
            self._views[id(raw)] = cached
        return cached

    def made_up_view(self, raw: dict[str, Any]) -> _Schema:
        self._made_up.append(raw)
        return self.view(raw)

    def _build_view(self, raw: dict[str, Any]) -> _Schema:
        if self.unknown_keywords and not self.unknown_keywords.isdisjoint(raw):
            raw = {key: value for key, value in raw.items() if key not in self.unknown_keywords}
            self._made_up.append(raw)
        ref_keyword = next((key for key in _REF_KEYWORDS if isinstance(raw.get(key), str)), None)
        assertions = [key for key in raw if key in _ASSERTION_KEYWORDS]
        if ref_keyword is not None and (self.ref_ignores_siblings or not assertions):
            return self._follow_ref(raw, ref_keyword)
        if not assertions and ref_keyword is None:
            view = _Schema("true", raw, self)
            return view

        view = _Schema("dict", raw, self)
        blocks = [
            _Block(keyword, keyword, raw[keyword])
            for keyword in _COMBINATORS
            if isinstance(raw.get(keyword), list) and raw[keyword]
        ]
        if ref_keyword is not None:
            # A $ref beside other assertions behaves as one more allOf member.
            target_doc, target = self._resolve(raw[ref_keyword], ref_keyword)
            if target is _ABSENT:
                blocks.append(_Block("allOf", "$ref", (), opaque_ref=raw[ref_keyword]))
            else:
                blocks.append(_Block("allOf", "$ref", (target,), doc=target_doc))
        view.blocks = tuple(blocks)
        view.has_base = any(key not in _COMBINATORS for key in assertions)
        view.declared = _declared_types(raw.get("type"))
        if "const" in raw:
            view.values, view.values_keyword = (raw["const"],), "const"
        elif isinstance(raw.get("enum"), list):
            view.values, view.values_keyword = tuple(raw["enum"]), "enum"
        if view.values is not None:
            admitted = frozenset(kind for kind in map(_json_type, view.values) if _admits(view.declared, kind))
            view.types = admitted
        else:
            view.types = view.declared
        return view

    def _follow_ref(self, raw: dict[str, Any], ref_keyword: str) -> _Schema:
        target_doc, target = self._resolve(raw[ref_keyword], ref_keyword)
        if target is _ABSENT:
            opaque = self._opaque.get(id(raw))
            if opaque is None:
                opaque = _Schema("opaque", {}, self, ref=raw[ref_keyword])
                self._opaque[id(raw)] = opaque
            return opaque
        if id(raw) in self._resolving or (target_doc is self and id(target) in self._resolving):
            # A chain of $refs that never reaches a real schema constrains nothing.
            return self.true_view
        self._resolving.add(id(raw))
        try:
            return target_doc.view(target)
        finally:
            self._resolving.discard(id(raw))

    def opaque_view(self, ref: str) -> _Schema:
        opaque = self._opaque_by_ref.get(ref)
        if opaque is None:
            opaque = _Schema("opaque", {}, self, ref=ref)
            self._opaque_by_ref[ref] = opaque
        return opaque

    # -- $ref resolution (local pointers, anchors, embedded $ids and referenced schemas;
    #    nothing remote) --

    def _resolve(self, ref: str, ref_keyword: str) -> tuple[_Document, Any]:
        """The document the target lives in, and the target (_ABSENT if unresolvable)."""
        if ref_keyword == "$recursiveRef":
            return self, self.root
        base, fragment = urldefrag(ref)
        if base:
            doc, target = self._resource(base)
            if target is _ABSENT:
                return self, _ABSENT
        else:
            doc, target = self, self.root
        if not fragment:
            return doc, target
        if fragment.startswith("/"):
            return doc, _follow_pointer(target, fragment)
        return doc, doc._index()[0].get(unquote(fragment), _ABSENT)

    def _resource(self, base: str) -> tuple[_Document, Any]:
        absolute = urljoin(self.base_uri, base).rstrip("#") if self.base_uri else base.rstrip("#")
        if self.base_uri and absolute == self.base_uri:
            return self, self.root
        embedded = self.embedded_resource(absolute)
        if embedded is _ABSENT:
            embedded = self.embedded_resource(base.rstrip("#"))
        if embedded is not _ABSENT or self.references is None:
            return self, embedded
        found = self.references.find(absolute) or self.references.find(base.rstrip("#"))
        return found if found is not None else (self, _ABSENT)

    def embedded_resource(self, uri: str) -> Any:
        """The schema inside this document whose `$id` is `uri`, or _ABSENT."""
        return self._index()[1].get(uri, _ABSENT)

    def _index(self) -> tuple[dict[str, Any], dict[str, Any]]:
        if self._anchors is None or self._resources is None:
            anchors: dict[str, Any] = {}
            resources: dict[str, Any] = {}
            stack: list[Any] = [self.root]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    for key in ("$anchor", "$dynamicAnchor"):
                        if isinstance(node.get(key), str):
                            anchors.setdefault(node[key], node)
                    identifier = _schema_id(node)
                    if identifier is not None:
                        if identifier.startswith("#"):
                            anchors.setdefault(identifier[1:], node)
                        else:
                            resources.setdefault(identifier.rstrip("#"), node)
                            if self.base_uri:
                                resources.setdefault(urljoin(self.base_uri, identifier).rstrip("#"), node)
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
            self._anchors, self._resources = anchors, resources
        return self._anchors, self._resources


# --------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------


def _compare_documents(
    old: object,
    new: object,
    compatible: frozenset[str],
    old_references: Mapping[str, object] | None = None,
    new_references: Mapping[str, object] | None = None,
) -> list[_Diff]:
    comparator = _Comparator(_document_with(old, old_references), _document_with(new, new_references), compatible)
    try:
        found = comparator.compare(comparator.old_doc.view(old), comparator.new_doc.view(new))
    except RecursionError as exc:
        raise SchemaTooLarge("The schema nests too deeply to check its compatibility.") from exc
    unique: dict[tuple[str, tuple[str, ...]], _Diff] = {}
    for diff in found:
        unique.setdefault((diff.type, diff.path), diff)
    return list(unique.values())


def _document_with(root: object, references: Mapping[str, object] | None) -> _Document:
    if not references:
        return _Document(root)
    document = _Document(root)
    document.references = _References(references, document.draft)
    return document


class _Comparator:
    def __init__(self, old_doc: _Document, new_doc: _Document, compatible: frozenset[str]) -> None:
        self.old_doc = old_doc
        self.new_doc = new_doc
        self.compatible = compatible
        # Results per (writer view, reader view), so shared or recursive definitions are
        # compared once; see compare() for why some results cannot be kept.
        self._memo: dict[tuple[int, int], tuple[_Diff, ...]] = {}
        self._active: dict[tuple[int, int], int] = {}
        self._lowest_cycle_depth = _NO_CYCLE

    def is_compatible(self, diffs: Iterable[_Diff]) -> bool:
        return all(diff.type in self.compatible for diff in diffs)

    def compare(self, old: _Schema, new: _Schema) -> tuple[_Diff, ...]:
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

    def _bounded(self, diffs: list[_Diff]) -> tuple[_Diff, ...]:
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

    def _compare(self, old: _Schema, new: _Schema) -> list[_Diff]:
        if old.kind == "false" or new.kind == "true":
            return []
        if old.kind == "opaque" or new.kind == "opaque":
            if old.kind == new.kind == "opaque" and old.ref == new.ref:
                return []
            shown = old.ref if old.kind == "opaque" else new.ref
            return [_Diff(T.TYPE_CHANGED, (), f"the reference '{shown}' cannot be resolved locally")]
        if new.kind == "false":
            return [_Diff(T.TYPE_CHANGED, (), "the reader schema accepts nothing")]
        if not old.blocks and not new.blocks:
            return self._compare_base(old, new)
        if old.blocks and new.blocks:
            return self._compare_both_combined(old, new)
        if new.blocks:
            return self._compare_into_combined(old, new)
        return self._compare_out_of_combined(old, new)

    # -- combined schemas (allOf / anyOf / oneOf, and $ref beside other keywords) --

    def _subs(self, block: _Block, doc: _Document) -> list[tuple[int, _Schema]]:
        doc = block.doc or doc
        if block.subs is None:
            if block.opaque_ref is not None:
                block.subs = [(0, doc.opaque_view(block.opaque_ref))]
            else:
                seen: set[Any] = set()
                subs: list[tuple[int, _Schema]] = []
                for index, raw in enumerate(block.raw_subs):
                    # Like Confluent, duplicate subschemas count once.
                    fingerprint = _freeze(raw)
                    if fingerprint not in seen:
                        seen.add(fingerprint)
                        subs.append((index, doc.view(raw)))
                block.subs = subs
        return block.subs

    def _compare_both_combined(self, old: _Schema, new: _Schema) -> list[_Diff]:
        diffs: list[_Diff] = []
        if old.has_base or new.has_base:
            diffs += self._compare_base(old, new)
        if len(old.blocks) == 1 and len(new.blocks) == 1:
            diffs += self._compare_blocks(old.blocks[0], old.doc, new.blocks[0], new.doc)
            return diffs
        new_by_keyword = {block.keyword: block for block in new.blocks}
        for block in old.blocks:
            partner = new_by_keyword.pop(block.keyword, None)
            if partner is None:
                diffs.append(_Diff(T.SCHEMA_REMOVED, (block.keyword,), f"the reader drops '{block.keyword}'"))
            else:
                diffs += self._compare_blocks(block, old.doc, partner, new.doc)
        for block in new_by_keyword.values():
            diffs += self._writer_within_block(old, block, new.doc)
        return diffs

    def _compare_into_combined(self, old: _Schema, new: _Schema) -> list[_Diff]:
        diffs: list[_Diff] = []
        if new.has_base:
            diffs += self._compare_base(old, new)
        for block in new.blocks:
            diffs += self._writer_within_block(old, block, new.doc)
        return diffs

    def _writer_within_block(self, old: _Schema, block: _Block, new_doc: _Document) -> list[_Diff]:
        """Does every value of the (uncombined) writer satisfy the reader's combinator?"""
        subs = self._subs(block, new_doc)
        if block.criterion == "allOf":
            diffs: list[_Diff] = []
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
                    _Diff(T.SUM_TYPE_EXTENDED, (), f"the reader adds alternatives in '{block.keyword}'"),
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
                    _Diff(T.SUM_TYPE_EXTENDED, (), f"the reader adds alternatives in '{block.keyword}'"),
                ]
        return [_Diff(T.TYPE_CHANGED, (), f"no subschema of the reader's '{block.keyword}' accepts the writer")]

    def _compare_out_of_combined(self, old: _Schema, new: _Schema) -> list[_Diff]:
        """A combined writer against an uncombined reader: one conjunct must fit the reader."""
        failures: list[list[_Diff]] = []
        if old.has_base:
            found = self._compare_base(old, new)
            if self.is_compatible(found):
                return [
                    *found,
                    _Diff(T.PRODUCT_TYPE_NARROWED, (), "the reader drops the writer's combinators"),
                ]
            failures.append(found)
        for block in old.blocks:
            found = self._block_within_reader(block, old.doc, new)
            if self.is_compatible(found):
                if old.has_base or len(old.blocks) > 1:
                    found.append(
                        _Diff(T.PRODUCT_TYPE_NARROWED, (), "the reader drops some of the writer's constraints")
                    )
                return found
            failures.append(found)
        return failures[0]

    def _block_within_reader(self, block: _Block, old_doc: _Document, new: _Schema) -> list[_Diff]:
        subs = self._subs(block, old_doc)
        if len(subs) == 1:
            index, sub = subs[0]
            return _prefixed(self.compare(sub, new), block.path(index))
        if block.criterion == "allOf":
            best: list[_Diff] | None = None
            for index, sub in subs:
                found = _prefixed(self.compare(sub, new), block.path(index))
                if self.is_compatible(found):
                    return [
                        *found,
                        _Diff(T.PRODUCT_TYPE_NARROWED, (), f"the reader drops members of '{block.keyword}'"),
                    ]
                if best is None or self._incompatible_count(found) < self._incompatible_count(best):
                    best = found
            return best or []
        # anyOf / oneOf: every alternative the writer allowed must fit the reader.
        diffs: list[_Diff] = []
        rejected = 0
        for index, sub in subs:
            found = self.compare(sub, new)
            if self.is_compatible(found):
                diffs += _prefixed(found, block.path(index))
            else:
                rejected += 1
                diffs.append(_Diff(T.SUM_TYPE_NARROWED, block.path(index), "the reader rejects this alternative"))
        if rejected == len(subs):
            return [_Diff(T.TYPE_CHANGED, (), f"the reader accepts none of the writer's '{block.keyword}'")]
        return diffs

    def _incompatible_count(self, diffs: Iterable[_Diff]) -> int:
        return sum(diff.type not in self.compatible for diff in diffs)

    def _compare_blocks(
        self, old_block: _Block, old_doc: _Document, new_block: _Block, new_doc: _Document
    ) -> list[_Diff]:
        old_subs = self._subs(old_block, old_doc)
        new_subs = self._subs(new_block, new_doc)
        old_criterion, new_criterion = old_block.criterion, new_block.criterion
        old_single, new_single = len(old_subs) == 1, len(new_subs) == 1
        here: tuple[str, ...] = ()
        diffs: list[_Diff] = []
        if old_criterion != new_criterion:
            # Confluent's rule for which criterion changes keep every valid value valid.
            if (
                new_criterion == "anyOf"
                or (old_single and new_single)
                or (old_single and new_criterion == "oneOf")
                or (new_single and old_criterion == "allOf")
            ):
                diffs.append(_Diff(T.COMBINED_TYPE_EXTENDED, here, f"{old_criterion} -> {new_criterion}"))
            else:
                return [_Diff(T.COMBINED_TYPE_CHANGED, here, f"{old_criterion} -> {new_criterion}")]

        old_is_sum = old_criterion != "allOf" and not old_single
        new_is_sum = new_criterion != "allOf" and not new_single
        covered = True
        if old_is_sum:
            # Each alternative the writer allowed must be accepted by the reader.
            for position, (index, sub) in enumerate(old_subs):
                if new_is_sum:
                    found = self._first_compatible(sub, new_subs, position)
                else:
                    results = [self.compare(sub, target) for _, target in new_subs]
                    found = [d for result in results for d in result] if all(map(self.is_compatible, results)) else None
                if found is None:
                    covered = False
                else:
                    diffs += _prefixed(found, old_block.path(index))
        elif new_is_sum:
            # The writer is a conjunction: one conjunct inside one alternative suffices.
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
                covered = False
            else:
                diffs += _prefixed(match[1], old_block.path(match[0]))
        else:
            # Both conjunctions: every reader conjunct must follow from a writer conjunct.
            for position, (_, target) in enumerate(new_subs):
                match = self._first_compatible_source(old_subs, target, position)
                if match is None:
                    covered = False
                else:
                    diffs += _prefixed(match[1], old_block.path(match[0]))

        grew, shrank = len(new_subs) > len(old_subs), len(new_subs) < len(old_subs)
        explained = False
        if grew:
            if new_criterion != "allOf":
                diffs.append(_Diff(T.SUM_TYPE_EXTENDED, here, f"{len(old_subs)} -> {len(new_subs)} subschemas"))
            elif not covered:
                diffs.append(_Diff(T.PRODUCT_TYPE_EXTENDED, here, f"{len(old_subs)} -> {len(new_subs)} subschemas"))
                explained = True
        if shrank:
            if old_criterion == "allOf":
                diffs.append(_Diff(T.PRODUCT_TYPE_NARROWED, here, f"{len(old_subs)} -> {len(new_subs)} subschemas"))
            elif not covered:
                diffs.append(_Diff(T.SUM_TYPE_NARROWED, here, f"{len(old_subs)} -> {len(new_subs)} subschemas"))
                explained = True
        if not covered and not explained:
            diffs.append(
                _Diff(
                    T.COMBINED_TYPE_SUBSCHEMAS_CHANGED,
                    here,
                    "the subschemas no longer correspond one to another",
                )
            )
        return diffs

    def _first_compatible(
        self, old: _Schema, candidates: list[tuple[int, _Schema]], preferred: int
    ) -> tuple[_Diff, ...] | None:
        order = ([preferred] if preferred < len(candidates) else []) + [
            i for i in range(len(candidates)) if i != preferred
        ]
        for position in order:
            found = self.compare(old, candidates[position][1])
            if self.is_compatible(found):
                return found
        return None

    def _first_compatible_source(
        self, sources: list[tuple[int, _Schema]], target: _Schema, preferred: int
    ) -> tuple[int, tuple[_Diff, ...]] | None:
        order = ([preferred] if preferred < len(sources) else []) + [i for i in range(len(sources)) if i != preferred]
        for position in order:
            index, source = sources[position]
            found = self.compare(source, target)
            if self.is_compatible(found):
                return index, found
        return None

    # -- plain schemas --

    def _compare_base(self, old: _Schema, new: _Schema) -> list[_Diff]:
        diffs = _annotation_diffs(old.raw, new.raw)
        type_diffs, shared = self._compare_types(old, new)
        diffs += type_diffs
        if not shared:
            return diffs
        diffs += _compare_values(old, new)
        if "string" in shared:
            diffs += _compare_string(old.raw, new.raw)
        if shared & {"integer", "number"}:
            diffs += _compare_number(old.raw, new.raw)
        if "object" in shared:
            diffs += self._compare_object(old, new)
        if "array" in shared:
            diffs += self._compare_array(old, new)
        diffs += self._compare_not(old, new)
        diffs += self._compare_conditional(old, new)
        return diffs

    def _compare_types(self, old: _Schema, new: _Schema) -> tuple[list[_Diff], frozenset[str]]:
        if old.types is not None and not old.types:
            return [], frozenset()  # the writer accepts nothing, so any reader is fine
        writer = _widen(old.types if old.types is not None else _KNOWN_TYPES)
        reader = _widen(new.types if new.types is not None else _KNOWN_TYPES)
        shared = writer & reader
        detail = f"type {_show_types(old.types)} -> {_show_types(new.types)}"
        if writer == reader:
            return [], shared
        if writer < reader:
            if new.types is None:
                return [], shared  # dropping "type" altogether is silent, as with Confluent
            kind = T.TYPE_EXTENDED if reader - writer == {"number"} else T.SUM_TYPE_EXTENDED
            return [_Diff(kind, (), detail)], shared
        if reader < writer and reader:
            narrowed_only_numbers = writer - reader == {"number"}
            kind = T.TYPE_NARROWED if narrowed_only_numbers or old.types is None else T.SUM_TYPE_NARROWED
            return [_Diff(kind, (), detail)], shared
        return [_Diff(T.TYPE_CHANGED, (), detail)], shared

    def _compare_not(self, old: _Schema, new: _Schema) -> list[_Diff]:
        old_not = old.doc.view(old.raw["not"]) if "not" in old.raw else None
        new_not = new.doc.view(new.raw["not"]) if "not" in new.raw else None
        # "not": false excludes nothing, so it is as good as absent.
        old_not = None if old_not is None or old_not.kind == "false" else old_not
        new_not = None if new_not is None or new_not.kind == "false" else new_not
        if old_not is None and new_not is None:
            return []
        if new_not is None:
            return [_Diff(T.NOT_TYPE_NARROWED, ("not",), "the reader no longer excludes anything")]
        if old_not is None:
            return [_Diff(T.NOT_TYPE_EXTENDED, ("not",), "the reader excludes values the writer allowed")]
        # The excluded set may only shrink: compare the wrapped schemas the other way round.
        reversed_diffs = self.compare(new_not, old_not)
        if not reversed_diffs:
            return []
        if self.is_compatible(reversed_diffs):
            return [_Diff(T.NOT_TYPE_NARROWED, ("not",))]
        return [_Diff(T.NOT_TYPE_EXTENDED, ("not",), "the reader excludes values the writer allowed")]

    def _compare_conditional(self, old: _Schema, new: _Schema) -> list[_Diff]:
        old_if, new_if = old.raw.get("if", _ABSENT), new.raw.get("if", _ABSENT)
        if old_if is _ABSENT and new_if is _ABSENT:
            return []
        if new_if is _ABSENT:
            return [_Diff(T.SCHEMA_REMOVED, ("if",), "the reader drops its if/then/else")]
        if old_if is _ABSENT:
            return [_Diff(T.SCHEMA_ADDED, ("if",), "the reader adds an if/then/else")]
        if _freeze(old_if) != _freeze(new_if):
            # Different conditions split values differently; we do not reason about that.
            return [_Diff(T.TYPE_CHANGED, ("if",), "the condition of if/then/else changed")]
        return self._compare_optional(old, new, "then") + self._compare_optional(old, new, "else")

    def _compare_optional(self, old: _Schema, new: _Schema, keyword: str) -> list[_Diff]:
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
            return [_Diff(T.SCHEMA_ADDED, where, f"the reader adds '{keyword}'")]
        if new_sub is None:
            return [_Diff(T.SCHEMA_REMOVED, where, f"the reader drops '{keyword}'")]
        return _prefixed(self.compare(old_sub, new_sub), where)

    def _compare_rest(
        self, old: _Schema, old_value: Any, new: _Schema, new_value: Any, family: str, path: tuple[str, ...]
    ) -> list[_Diff]:
        """additionalProperties-like keywords: absent/true (open), false (closed) or a schema."""
        old_kind, old_sub = _rest_model(old.doc, old_value)
        new_kind, new_sub = _rest_model(new.doc, new_value)
        if (old_kind == "closed") != (new_kind == "closed"):
            suffix = "ADDED" if old_kind == "closed" else "REMOVED"
            return [_Diff(f"{family}_{suffix}", path)]
        if old_kind == "closed" or (old_kind == new_kind == "open"):
            return []
        if old_kind == "open":
            return [_Diff(f"{family}_NARROWED", path, "the reader constrains what the writer left open")]
        if new_kind == "open":
            return [_Diff(f"{family}_EXTENDED", path)]
        assert old_sub is not None and new_sub is not None
        return _prefixed(self.compare(old_sub, new_sub), path)

    # -- objects --

    def _compare_object(self, old: _Schema, new: _Schema) -> list[_Diff]:
        old_raw, new_raw = old.raw, new.raw
        old_props = _dict_of(old_raw.get("properties"))
        new_props = _dict_of(new_raw.get("properties"))
        # Patterns both schemas share whose reader schema accepts what the writer's did:
        # they need no second look when they match a declared property.
        kept_patterns = self._kept_patterns(old, new)
        diffs: list[_Diff] = []
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
            old_raw.get("additionalProperties", _ABSENT),
            new,
            new_raw.get("additionalProperties", _ABSENT),
            "ADDITIONAL_PROPERTIES",
            ("additionalProperties",),
        )
        diffs += self._compare_rest(
            old,
            old_raw.get("unevaluatedProperties", _ABSENT),
            new,
            new_raw.get("unevaluatedProperties", _ABSENT),
            "UNEVALUATED_PROPERTIES",
            ("unevaluatedProperties",),
        )
        diffs += self._compare_optional(old, new, "propertyNames")
        diffs += _compare_count(old_raw, new_raw, "maxProperties", "MAX_PROPERTIES")
        diffs += _compare_count(old_raw, new_raw, "minProperties", "MIN_PROPERTIES", zero_is_absent=True)
        return diffs

    def _kept_patterns(self, old: _Schema, new: _Schema) -> set[str]:
        old_patterns = _dict_of(old.raw.get("patternProperties"))
        return {
            pattern
            for pattern, sub in _dict_of(new.raw.get("patternProperties")).items()
            if pattern in old_patterns
            and self.is_compatible(self.compare(old.doc.view(old_patterns[pattern]), new.doc.view(sub)))
        }

    def _compare_declared_property(self, old: _Schema, new: _Schema, name: str, kept: set[str]) -> list[_Diff]:
        old_view = old.doc.view(_dict_of(old.raw.get("properties"))[name])
        new_view = new.doc.view(_dict_of(new.raw.get("properties"))[name])
        diffs = _prefixed(self.compare(old_view, new_view), ("properties", name))
        writer = [old_view, *_matching_patterns(old, name)]
        return diffs + self._reader_patterns_accept(writer, new, name, kept)

    def _reader_patterns_accept(self, writer: list[_Schema], new: _Schema, name: str, kept: set[str]) -> list[_Diff]:
        """JSON Schema applies every matching patternProperties entry, declared property or not.

        Confluent ignores this; we check each reader pattern that matches `name` against the
        writer's constraints on it (any one implying the pattern suffices).
        """
        diffs: list[_Diff] = []
        for pattern, sub in _dict_of(new.raw.get("patternProperties")).items():
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
                diffs += _prefixed(results[0], where)
            else:
                diffs.append(_Diff(T.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, where, f"it now constrains '{name}'"))
        return diffs

    def _property_removed(self, old: _Schema, new: _Schema, name: str) -> list[_Diff]:
        where = ("properties", name)
        old_view = old.doc.view(_dict_of(old.raw.get("properties"))[name])
        # Only the reader's content model decides whether dropping a property is safe.
        model, partial = _content_model_for(new, name)
        if model == "open":
            return [_Diff(T.PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL, where)]
        if model == "partial":
            # The reader applies every matching schema; each must follow from one of the
            # writer's constraints on the property (its schema or its own patterns).
            writer = [old_view, *_matching_patterns(old, name)]
            found = []
            for target in partial:
                results = [self.compare(source, target) for source in writer]
                found += next((result for result in results if self.is_compatible(result)), results[0])
            covered = self.is_compatible(found)
            return [
                *_prefixed(found, where),
                _Diff(
                    T.PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                    if covered
                    else T.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    where,
                ),
            ]
        if old_view.kind == "false":
            return [_Diff(T.PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, where)]
        return [_Diff(T.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, where, f"the reader rejects '{name}'")]

    def _property_added(self, old: _Schema, new: _Schema, name: str, kept: set[str]) -> list[_Diff]:
        where = ("properties", name)
        new_prop = _dict_of(new.raw.get("properties"))[name]
        new_view = new.doc.view(new_prop)
        # Only the writer's content model decides what the writer may have produced there.
        model, partial = _content_model_for(old, name)
        if model == "open":
            if new_view.kind == "true":
                diffs = [_Diff(T.PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, where)]
            else:
                detail = f"the writer may already have produced '{name}' with any value"
                diffs = [_Diff(T.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, where, detail)]
            return diffs + self._reader_patterns_accept([], new, name, kept)
        diffs = []
        if model == "partial":
            # The writer applied every matching schema, so one of them implying the new
            # property schema suffices.
            results = [self.compare(sub, new_view) for sub in partial]
            found = next((result for result in results if self.is_compatible(result)), None)
            covered = found is not None
            diffs += _prefixed(found if found is not None else [d for r in results for d in r], where)
            diffs.append(
                _Diff(
                    T.PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                    if covered
                    else T.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    where,
                )
            )
            diffs += self._reader_patterns_accept(partial, new, name, kept)
        # Closed and partially open writers alike: the writer never produced this property
        # unconstrained, so only its requirement matters (Confluent's rule).
        if name in _required(new.raw):
            if _has_default(new.doc, new_prop):
                diffs.append(_Diff(T.REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL, where))
            else:
                detail = f"'{name}' is now required"
                diffs.append(_Diff(T.REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, where, detail))
        else:
            diffs.append(_Diff(T.OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, where))
        return diffs

    def _compare_pattern_properties(self, old: _Schema, new: _Schema) -> list[_Diff]:
        """Properties neither schema declares but some pattern matches."""
        old_patterns = _dict_of(old.raw.get("patternProperties"))
        new_patterns = _dict_of(new.raw.get("patternProperties"))
        diffs: list[_Diff] = []
        for pattern, sub in new_patterns.items():
            where = ("patternProperties", pattern)
            new_view = new.doc.view(sub)
            if pattern in old_patterns:
                diffs += _prefixed(self.compare(old.doc.view(old_patterns[pattern]), new_view), where)
                continue
            if new_view.kind == "true":
                continue
            # Names the new pattern matches may have matched an old pattern...
            for old_pattern, old_sub in old_patterns.items():
                if _patterns_may_overlap(old_pattern, pattern):
                    found = self.compare(old.doc.view(old_sub), new_view)
                    if not self.is_compatible(found):
                        diffs += _prefixed(found, where)
            # ...or no old pattern at all, leaving them to the writer's additionalProperties.
            model, rest = _rest_model(old.doc, _rest_value(old.raw))
            if model == "open":
                diffs.append(_Diff(T.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, where, "a new pattern constrains them"))
            elif model == "partial":
                assert rest is not None
                found = self.compare(rest, new_view)
                diffs += _prefixed(found, where)
                diffs.append(
                    _Diff(
                        T.PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        if self.is_compatible(found)
                        else T.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                        where,
                    )
                )
        for pattern, sub in old_patterns.items():
            if pattern in new_patterns:
                continue
            where = ("patternProperties", pattern)
            old_view = old.doc.view(sub)
            # Without the pattern, the reader's additionalProperties decides (reader patterns
            # that overlap were checked above).
            model, rest = _rest_model(new.doc, _rest_value(new.raw))
            if model == "open":
                diffs.append(_Diff(T.PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL, where))
            elif model == "partial":
                assert rest is not None
                found = self.compare(old_view, rest)
                diffs += _prefixed(found, where)
                diffs.append(
                    _Diff(
                        T.PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        if self.is_compatible(found)
                        else T.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                        where,
                    )
                )
            elif old_view.kind == "false":
                diffs.append(_Diff(T.PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, where))
            else:
                detail = "the reader rejects properties this pattern allowed"
                diffs.append(_Diff(T.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, where, detail))
        return diffs

    def _compare_required(self, old: _Schema, new: _Schema, already_reported: set[str]) -> list[_Diff]:
        old_required, new_required = _required(old.raw), _required(new.raw)
        new_props = _dict_of(new.raw.get("properties"))
        diffs: list[_Diff] = []
        # Unlike Confluent, which only looks at properties both schemas declare, every newly
        # required name counts: a required property the writer may have left out is missing.
        for name in new_required:
            if name in old_required or name in already_reported:
                continue
            where = ("required", name)
            if name in new_props and _has_default(new.doc, new_props[name]):
                diffs.append(_Diff(T.REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, where))
            else:
                diffs.append(_Diff(T.REQUIRED_ATTRIBUTE_ADDED, where, f"'{name}' is now required"))
        for name in old_required:
            if name not in new_required:
                diffs.append(_Diff(T.REQUIRED_ATTRIBUTE_REMOVED, ("required", name)))
        return diffs

    def _compare_dependencies(self, old: _Schema, new: _Schema) -> list[_Diff]:
        old_arrays, old_schemas = _dependencies(old.raw)
        new_arrays, new_schemas = _dependencies(new.raw)
        diffs: list[_Diff] = []
        for name in _ordered_union(old_arrays, new_arrays):
            if name not in new_arrays:
                diffs.append(_Diff(T.DEPENDENCY_ARRAY_REMOVED, (old_arrays[name][1], name)))
                continue
            new_names, keyword = new_arrays[name]
            where = (keyword, name)
            if name not in old_arrays:
                diffs.append(_Diff(T.DEPENDENCY_ARRAY_ADDED, where, f"'{name}' now needs {sorted(new_names)}"))
                continue
            old_names = old_arrays[name][0]
            if old_names == new_names:
                continue
            if new_names > old_names:
                diffs.append(
                    _Diff(
                        T.DEPENDENCY_ARRAY_EXTENDED,
                        where,
                        f"'{name}' now also needs {sorted(new_names - old_names)}",
                    )
                )
            elif new_names < old_names:
                diffs.append(_Diff(T.DEPENDENCY_ARRAY_NARROWED, where))
            else:
                diffs.append(_Diff(T.DEPENDENCY_ARRAY_CHANGED, where, f"{sorted(old_names)} -> {sorted(new_names)}"))
        for name in _ordered_union(old_schemas, new_schemas):
            if name not in new_schemas:
                diffs.append(_Diff(T.DEPENDENCY_SCHEMA_REMOVED, (old_schemas[name][1], name)))
                continue
            new_sub, keyword = new_schemas[name]
            where = (keyword, name)
            if name not in old_schemas:
                diffs.append(_Diff(T.DEPENDENCY_SCHEMA_ADDED, where))
                continue
            diffs += _prefixed(self.compare(old.doc.view(old_schemas[name][0]), new.doc.view(new_sub)), where)
        return diffs

    # -- arrays --

    def _compare_array(self, old: _Schema, new: _Schema) -> list[_Diff]:
        old_raw, new_raw = old.raw, new.raw
        old_prefix, old_prefix_keyword, old_rest, _ = _array_layout(old_raw)
        new_prefix, new_prefix_keyword, new_rest, new_rest_keyword = _array_layout(new_raw)
        diffs: list[_Diff] = []
        if not old_prefix and not new_prefix:
            diffs += self._compare_items_schema(old, old_rest, new, new_rest)
        else:
            diffs += self._compare_tuples(old, old_prefix, old_rest, new, new_prefix, new_rest,
                                          new_prefix_keyword or old_prefix_keyword or "items")  # fmt: skip
            diffs += self._compare_rest(old, old_rest, new, new_rest, "ADDITIONAL_ITEMS", (new_rest_keyword,))
        diffs += self._compare_rest(
            old,
            old_raw.get("unevaluatedItems", _ABSENT),
            new,
            new_raw.get("unevaluatedItems", _ABSENT),
            "UNEVALUATED_ITEMS",
            ("unevaluatedItems",),
        )
        diffs += self._compare_optional(old, new, "contains")
        diffs += _compare_count(old_raw, new_raw, "maxItems", "MAX_ITEMS")
        diffs += _compare_count(old_raw, new_raw, "minItems", "MIN_ITEMS", zero_is_absent=True)
        diffs += _compare_count(old_raw, new_raw, "maxContains", "MAX_CONTAINS")
        old_min_contains = _number(old_raw.get("minContains"))
        new_min_contains = _number(new_raw.get("minContains"))
        # minContains defaults to 1, so it can only rise or fall, never appear or vanish.
        old_min_contains = 1 if old_min_contains is None else old_min_contains
        new_min_contains = 1 if new_min_contains is None else new_min_contains
        if "contains" in new_raw and new_min_contains != old_min_contains:
            kind = T.MIN_CONTAINS_INCREASED if new_min_contains > old_min_contains else T.MIN_CONTAINS_DECREASED
            diffs.append(_Diff(kind, ("minContains",), f"{old_min_contains} -> {new_min_contains}"))
        if bool(old_raw.get("uniqueItems") is True) != bool(new_raw.get("uniqueItems") is True):
            kind = T.UNIQUE_ITEMS_ADDED if new_raw.get("uniqueItems") is True else T.UNIQUE_ITEMS_REMOVED
            diffs.append(_Diff(kind, ("uniqueItems",)))
        return diffs

    def _compare_items_schema(self, old: _Schema, old_items: Any, new: _Schema, new_items: Any) -> list[_Diff]:
        old_sub = None if old_items is _ABSENT else old.doc.view(old_items)
        new_sub = None if new_items is _ABSENT else new.doc.view(new_items)
        old_sub = None if old_sub is None or old_sub.kind == "true" else old_sub
        new_sub = None if new_sub is None or new_sub.kind == "true" else new_sub
        if old_sub is None and new_sub is None:
            return []
        if old_sub is None:
            return [_Diff(T.SCHEMA_ADDED, ("items",), "the reader constrains every item")]
        if new_sub is None:
            return [_Diff(T.SCHEMA_REMOVED, ("items",))]
        return _prefixed(self.compare(old_sub, new_sub), ("items",))

    def _compare_tuples(
        self,
        old: _Schema,
        old_prefix: Sequence[Any],
        old_rest: Any,
        new: _Schema,
        new_prefix: Sequence[Any],
        new_rest: Any,
        keyword: str,
    ) -> list[_Diff]:
        diffs: list[_Diff] = []
        for index in range(min(len(old_prefix), len(new_prefix))):
            diffs += _prefixed(
                self.compare(old.doc.view(old_prefix[index]), new.doc.view(new_prefix[index])),
                (keyword, str(index)),
            )
        reader_model, reader_rest = _rest_model(new.doc, new_rest)
        for index in range(len(new_prefix), len(old_prefix)):
            where = (keyword, str(index))
            old_item = old.doc.view(old_prefix[index])
            if reader_model == "open":
                diffs.append(_Diff(T.ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL, where))
            elif reader_model == "partial":
                assert reader_rest is not None
                found = self.compare(old_item, reader_rest)
                diffs += _prefixed(found, where)
                diffs.append(
                    _Diff(
                        T.ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        if self.is_compatible(found)
                        else T.ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                        where,
                    )
                )
            elif old_item.kind == "false":
                diffs.append(_Diff(T.ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, where))
            else:
                diffs.append(_Diff(T.ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, where, "the reader rejects this item"))
        writer_model, writer_rest = _rest_model(old.doc, old_rest)
        for index in range(len(old_prefix), len(new_prefix)):
            where = (keyword, str(index))
            new_item = new.doc.view(new_prefix[index])
            if writer_model == "open":
                if new_item.kind == "true":
                    diffs.append(_Diff(T.ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, where))
                else:
                    diffs.append(
                        _Diff(
                            T.ITEM_ADDED_TO_OPEN_CONTENT_MODEL,
                            where,
                            "the writer may have put any value there",
                        )
                    )
            elif writer_model == "partial":
                assert writer_rest is not None
                found = self.compare(writer_rest, new_item)
                diffs += _prefixed(found, where)
                diffs.append(
                    _Diff(
                        T.ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL
                        if self.is_compatible(found)
                        else T.ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                        where,
                    )
                )
            else:
                diffs.append(_Diff(T.ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, where))
        return diffs


# --------------------------------------------------------------------------------------
# Keyword helpers (no recursion into subschemas)
# --------------------------------------------------------------------------------------


def _annotation_diffs(old: dict[str, Any], new: dict[str, Any]) -> list[_Diff]:
    diffs: list[_Diff] = []
    if _schema_id(old) != _schema_id(new):
        diffs.append(_Diff(T.ID_CHANGED, ()))
    if old.get("title") != new.get("title"):
        diffs.append(_Diff(T.TITLE_CHANGED, ()))
    if old.get("description") != new.get("description"):
        diffs.append(_Diff(T.DESCRIPTION_CHANGED, ()))
    if ("default" in old) != ("default" in new) or (
        "default" in old and _freeze(old["default"]) != _freeze(new["default"])
    ):
        diffs.append(_Diff(T.DEFAULT_CHANGED, ()))
    return diffs


def _compare_values(old: _Schema, new: _Schema) -> list[_Diff]:
    """enum and const, both read as the set of values they allow."""
    if old.values is None and new.values is None:
        return []
    if old.values is None:
        assert new.values_keyword is not None and new.values is not None
        return [
            _Diff(
                T.ENUM_ARRAY_NARROWED,
                (new.values_keyword,),
                f"the reader only allows {_show_values(new.values)}",
            )
        ]
    assert old.values_keyword is not None
    if new.values is None:
        return [_Diff(T.ENUM_ARRAY_EXTENDED, (old.values_keyword,))]
    assert new.values_keyword is not None
    # Values the declared type rules out were never valid, so they do not count.
    writer = {_freeze(value) for value in old.values if _admits(old.declared, _json_type(value))}
    reader = {_freeze(value) for value in new.values if _admits(new.declared, _json_type(value))}
    where = (new.values_keyword,)
    if writer == reader:
        return []
    if writer <= reader:
        return [_Diff(T.ENUM_ARRAY_EXTENDED, where)]
    dropped = [value for value in old.values if _freeze(value) not in reader]
    if reader <= writer:
        return [_Diff(T.ENUM_ARRAY_NARROWED, where, f"the reader no longer allows {_show_values(dropped)}")]
    return [_Diff(T.ENUM_ARRAY_CHANGED, where, f"the reader no longer allows {_show_values(dropped)}")]


def _compare_string(old: dict[str, Any], new: dict[str, Any]) -> list[_Diff]:
    diffs = _compare_count(old, new, "maxLength", "MAX_LENGTH")
    diffs += _compare_count(old, new, "minLength", "MIN_LENGTH", zero_is_absent=True)
    for keyword, family in (("pattern", "PATTERN"), ("format", "FORMAT")):
        old_value = old.get(keyword) if isinstance(old.get(keyword), str) else None
        new_value = new.get(keyword) if isinstance(new.get(keyword), str) else None
        if old_value == new_value:
            continue
        if old_value is None:
            diffs.append(_Diff(f"{family}_ADDED", (keyword,), f"{keyword} {new_value!r}"))
        elif new_value is None:
            diffs.append(_Diff(f"{family}_REMOVED", (keyword,)))
        else:
            diffs.append(_Diff(f"{family}_CHANGED", (keyword,), f"{old_value!r} -> {new_value!r}"))
    return diffs


class _Bound(NamedTuple):
    value: int | float
    exclusive: bool
    keyword: str  # where the limit is spelled: maximum, exclusiveMaximum, ...


def _bound(raw: dict[str, Any], inclusive_keyword: str, exclusive_keyword: str, upper: bool) -> _Bound | None:
    candidates: list[_Bound] = []
    inclusive = _number(raw.get(inclusive_keyword))
    flag = raw.get(exclusive_keyword)
    if inclusive is not None:
        # Draft 4 spells an exclusive limit as a boolean beside maximum/minimum.
        candidates.append(_Bound(inclusive, flag is True, exclusive_keyword if flag is True else inclusive_keyword))
    exclusive = _number(flag)
    if exclusive is not None:
        candidates.append(_Bound(exclusive, True, exclusive_keyword))
    if not candidates:
        return None
    # The tighter limit wins; at the same value an exclusive limit is the tighter one.
    if upper:
        return min(candidates, key=lambda bound: (bound.value, not bound.exclusive))
    return max(candidates, key=lambda bound: (bound.value, bound.exclusive))


def _compare_bound(old: dict[str, Any], new: dict[str, Any], upper: bool) -> list[_Diff]:
    inclusive_keyword, exclusive_keyword = ("maximum", "exclusiveMaximum") if upper else ("minimum", "exclusiveMinimum")
    old_bound = _bound(old, inclusive_keyword, exclusive_keyword, upper)
    new_bound = _bound(new, inclusive_keyword, exclusive_keyword, upper)
    if old_bound is None and new_bound is None:
        return []
    if old_bound is None:
        assert new_bound is not None
        return [_Diff(f"{_family(new_bound.keyword)}_ADDED", (new_bound.keyword,), f"limit {new_bound.value}")]
    if new_bound is None:
        return [_Diff(f"{_family(old_bound.keyword)}_REMOVED", (old_bound.keyword,))]
    if old_bound.value == new_bound.value and old_bound.exclusive == new_bound.exclusive:
        return []
    if upper:
        looser = new_bound.value > old_bound.value or (
            new_bound.value == old_bound.value and old_bound.exclusive and not new_bound.exclusive
        )
        change = "INCREASED" if looser else "DECREASED"
    else:
        looser = new_bound.value < old_bound.value or (
            new_bound.value == old_bound.value and old_bound.exclusive and not new_bound.exclusive
        )
        change = "DECREASED" if looser else "INCREASED"
    detail = f"{old_bound.keyword} {old_bound.value} -> {new_bound.keyword} {new_bound.value}"
    return [_Diff(f"{_family(new_bound.keyword)}_{change}", (new_bound.keyword,), detail)]


def _family(keyword: str) -> str:
    return {
        "maximum": "MAXIMUM",
        "exclusiveMaximum": "EXCLUSIVE_MAXIMUM",
        "minimum": "MINIMUM",
        "exclusiveMinimum": "EXCLUSIVE_MINIMUM",
    }[keyword]


def _compare_number(old: dict[str, Any], new: dict[str, Any]) -> list[_Diff]:
    diffs = _compare_bound(old, new, upper=True) + _compare_bound(old, new, upper=False)
    old_step, new_step = _exact(old.get("multipleOf")), _exact(new.get("multipleOf"))
    if old_step == new_step:
        return diffs
    where = ("multipleOf",)
    if old_step is None:
        diffs.append(_Diff(T.MULTIPLE_OF_ADDED, where, f"multipleOf {new.get('multipleOf')}"))
    elif new_step is None:
        diffs.append(_Diff(T.MULTIPLE_OF_REMOVED, where))
    elif (old_step / new_step).denominator == 1:
        # Every multiple of the old step is a multiple of the new one (10 -> 2, 0.5 -> 0.25).
        diffs.append(_Diff(T.MULTIPLE_OF_REDUCED, where))
    elif (new_step / old_step).denominator == 1:
        diffs.append(_Diff(T.MULTIPLE_OF_EXPANDED, where, f"{old.get('multipleOf')} -> {new.get('multipleOf')}"))
    else:
        diffs.append(_Diff(T.MULTIPLE_OF_CHANGED, where, f"{old.get('multipleOf')} -> {new.get('multipleOf')}"))
    return diffs


def _compare_count(
    old: dict[str, Any], new: dict[str, Any], keyword: str, family: str, zero_is_absent: bool = False
) -> list[_Diff]:
    old_value, new_value = _number(old.get(keyword)), _number(new.get(keyword))
    if zero_is_absent:
        # minLength 0 and friends constrain nothing; treat them like the keyword's absence.
        old_value = None if old_value == 0 else old_value
        new_value = None if new_value == 0 else new_value
    if old_value == new_value:
        return []
    where = (keyword,)
    if old_value is None:
        return [_Diff(f"{family}_ADDED", where, f"{keyword} {new_value}")]
    if new_value is None:
        return [_Diff(f"{family}_REMOVED", where)]
    change = "INCREASED" if new_value > old_value else "DECREASED"
    return [_Diff(f"{family}_{change}", where, f"{keyword} {old_value} -> {new_value}")]


def _matching_patterns(schema: _Schema, name: str) -> list[_Schema]:
    return [
        schema.doc.view(sub)
        for pattern, sub in _dict_of(schema.raw.get("patternProperties")).items()
        if _pattern_matches(pattern, name)
    ]


def _rest_value(raw: dict[str, Any]) -> Any:
    """What governs undeclared, unmatched properties: additionalProperties, else
    unevaluatedProperties (which it approximates when it stands alone)."""
    rest = raw.get("additionalProperties", _ABSENT)
    return raw.get("unevaluatedProperties", _ABSENT) if rest is _ABSENT else rest


def _content_model_for(schema: _Schema, name: str) -> tuple[str, list[_Schema]]:
    """How `schema` treats a property it does not declare: open, closed or partially open.

    Returns ("open" | "closed" | "partial", the schemas that constrain the property).
    Unlike Confluent, all matching patternProperties apply (as JSON Schema says) and a name
    no pattern matches is open when additionalProperties is absent or true.
    """
    matching = _matching_patterns(schema, name)
    if matching:
        constraining = [view for view in matching if view.kind != "true"]
        return ("partial", constraining) if constraining else ("open", [])
    kind, view = _rest_model(schema.doc, _rest_value(schema.raw))
    return kind, [view] if view is not None else []


def _rest_model(doc: _Document, value: Any) -> tuple[str, _Schema | None]:
    if value is _ABSENT:
        return "open", None
    view = doc.view(value)
    if view.kind == "true":
        return "open", None
    if view.kind == "false":
        return "closed", None
    return "partial", view


def _array_layout(raw: dict[str, Any]) -> tuple[Sequence[Any], str | None, Any, str]:
    """(tuple item schemas, their keyword, schema for the other items, its keyword)."""
    if isinstance(raw.get("prefixItems"), list):
        return raw["prefixItems"], "prefixItems", raw.get("items", _ABSENT), "items"
    if isinstance(raw.get("items"), list):
        return raw["items"], "items", raw.get("additionalItems", _ABSENT), "additionalItems"
    # Without a tuple, additionalItems has no effect in any draft.
    return (), None, raw.get("items", _ABSENT), "items"


def _dependencies(
    raw: dict[str, Any],
) -> tuple[dict[str, tuple[frozenset[str], str]], dict[str, tuple[Any, str]]]:
    """Property dependencies ({name: (names, keyword)}) and schema dependencies."""
    arrays: dict[str, tuple[frozenset[str], str]] = {}
    schemas: dict[str, tuple[Any, str]] = {}
    for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
        for name, value in _dict_of(raw.get(keyword)).items():
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


def _has_default(doc: _Document, raw: Any) -> bool:
    return (isinstance(raw, dict) and "default" in raw) or "default" in doc.view(raw).raw


def _schema_id(raw: dict[str, Any]) -> str | None:
    identifier = raw.get("$id", raw.get("id"))
    return identifier if isinstance(identifier, str) else None


def _declared_types(value: Any) -> frozenset[str] | None:
    if isinstance(value, str):
        names = {value}
    elif isinstance(value, list):
        names = {name for name in value if isinstance(name, str)}
    else:
        return None
    known = frozenset(names & _KNOWN_TYPES)
    return known or None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def _admits(types: frozenset[str] | None, kind: str) -> bool:
    return types is None or kind in types or (kind == "integer" and "number" in types)


def _widen(types: frozenset[str]) -> frozenset[str]:
    # "number" admits integers, so a set holding number also holds integer.
    return types | {"integer"} if "number" in types else types


def _freeze(value: Any) -> Any:
    """A hashable form of a JSON value under JSON equality (1 == 1.0, True != 1)."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", int(value) if isinstance(value, float) and value.is_integer() else value)
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z",)
    if isinstance(value, list | tuple):
        return ("a", tuple(_freeze(item) for item in value))
    if isinstance(value, dict):
        return ("o", frozenset((key, _freeze(item)) for key, item in value.items()))
    return ("?", repr(value))


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _exact(value: Any) -> Fraction | None:
    number = _number(value)
    if number is None or number <= 0:
        return None
    try:
        # Through str, so 0.1 means one tenth rather than the nearest binary fraction.
        return Fraction(str(number))
    except (ValueError, OverflowError):
        return None


def _dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


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
    prefix = []
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


def _follow_pointer(node: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = unquote(token).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _ABSENT
    return node


def _prefixed(diffs: Iterable[_Diff], prefix: tuple[str, ...]) -> list[_Diff]:
    if not prefix:
        return list(diffs)
    return [diff._replace(path=prefix + diff.path) for diff in diffs]


# --------------------------------------------------------------------------------------
# Presentation
# --------------------------------------------------------------------------------------


def _format_path(segments: tuple[str, ...]) -> str:
    return "#/" + "/".join(escape_token(segment) for segment in segments)


def _show_types(types: frozenset[str] | None) -> str:
    return "any" if types is None else "[" + ", ".join(sorted(types)) + "]"


def _show_values(values: Iterable[Any]) -> str:
    shown = [repr(value) for value in values]
    return ", ".join(shown[:5]) + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")


# What each incompatible change means for data: a writer-valid value the reader refuses.
_EXPLANATIONS: dict[str, str] = {
    T.SCHEMA_ADDED: "the reader adds a subschema the writer did not have",
    T.TYPE_NARROWED: "the reader accepts fewer types than the writer",
    T.TYPE_CHANGED: "the reader expects a different type than the writer",
    T.MAX_LENGTH_ADDED: "the reader adds a maximum string length",
    T.MAX_LENGTH_DECREASED: "the reader lowers the maximum string length",
    T.MIN_LENGTH_ADDED: "the reader adds a minimum string length",
    T.MIN_LENGTH_INCREASED: "the reader raises the minimum string length",
    T.PATTERN_ADDED: "the reader adds a pattern strings must match",
    T.PATTERN_CHANGED: "the reader changes the pattern strings must match",
    T.FORMAT_ADDED: "the reader adds a format strings must follow",
    T.FORMAT_CHANGED: "the reader changes the format strings must follow",
    T.MAXIMUM_ADDED: "the reader adds a maximum",
    T.MAXIMUM_DECREASED: "the reader lowers the maximum",
    T.MINIMUM_ADDED: "the reader adds a minimum",
    T.MINIMUM_INCREASED: "the reader raises the minimum",
    T.EXCLUSIVE_MAXIMUM_ADDED: "the reader adds an exclusive maximum",
    T.EXCLUSIVE_MAXIMUM_DECREASED: "the reader lowers the exclusive maximum",
    T.EXCLUSIVE_MINIMUM_ADDED: "the reader adds an exclusive minimum",
    T.EXCLUSIVE_MINIMUM_INCREASED: "the reader raises the exclusive minimum",
    T.MULTIPLE_OF_ADDED: "the reader adds a multipleOf",
    T.MULTIPLE_OF_EXPANDED: "the reader's multipleOf is a multiple of the writer's",
    T.MULTIPLE_OF_CHANGED: "the reader's multipleOf does not divide the writer's",
    T.REQUIRED_ATTRIBUTE_ADDED: "the reader requires a property the writer did not",
    T.MAX_PROPERTIES_ADDED: "the reader adds a maximum number of properties",
    T.MAX_PROPERTIES_DECREASED: "the reader lowers the maximum number of properties",
    T.MIN_PROPERTIES_ADDED: "the reader adds a minimum number of properties",
    T.MIN_PROPERTIES_INCREASED: "the reader raises the minimum number of properties",
    T.ADDITIONAL_PROPERTIES_REMOVED: "the reader closes the content model the writer left open",
    T.ADDITIONAL_PROPERTIES_NARROWED: "the reader constrains additional properties the writer left open",
    T.UNEVALUATED_PROPERTIES_REMOVED: "the reader forbids unevaluated properties the writer allowed",
    T.UNEVALUATED_PROPERTIES_NARROWED: "the reader constrains unevaluated properties the writer left open",
    T.DEPENDENCY_ARRAY_ADDED: "the reader adds a property dependency",
    T.DEPENDENCY_ARRAY_EXTENDED: "the reader's property dependency requires more properties",
    T.DEPENDENCY_ARRAY_CHANGED: "the reader's property dependency requires different properties",
    T.DEPENDENCY_SCHEMA_ADDED: "the reader adds a schema dependency",
    T.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL: "the reader constrains a property the open writer allowed",
    T.REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL: "the reader requires a property the writer lacked",
    T.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL: "the reader's closed model drops a property the writer had",
    T.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: (
        "the reader drops a property its partially open content model does not cover"
    ),
    T.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: (
        "the reader adds a property the writer's partially open content model allowed differently"
    ),
    T.MAX_ITEMS_ADDED: "the reader adds a maximum number of items",
    T.MAX_ITEMS_DECREASED: "the reader lowers the maximum number of items",
    T.MIN_ITEMS_ADDED: "the reader adds a minimum number of items",
    T.MIN_ITEMS_INCREASED: "the reader raises the minimum number of items",
    T.MAX_CONTAINS_ADDED: "the reader adds maxContains",
    T.MAX_CONTAINS_DECREASED: "the reader lowers maxContains",
    T.MIN_CONTAINS_INCREASED: "the reader raises minContains",
    T.UNIQUE_ITEMS_ADDED: "the reader requires unique items",
    T.ADDITIONAL_ITEMS_REMOVED: "the reader forbids items beyond the tuple that the writer allowed",
    T.ADDITIONAL_ITEMS_NARROWED: "the reader constrains items beyond the tuple that the writer left open",
    T.UNEVALUATED_ITEMS_REMOVED: "the reader forbids unevaluated items the writer allowed",
    T.UNEVALUATED_ITEMS_NARROWED: "the reader constrains unevaluated items the writer left open",
    T.ITEM_ADDED_TO_OPEN_CONTENT_MODEL: "the reader constrains a tuple item the writer's open model allowed",
    T.ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL: "the reader's closed tuple drops an item the writer had",
    T.ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: (
        "the reader drops a tuple item its additional items schema does not cover"
    ),
    T.ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: (
        "the reader adds a tuple item the writer's additional items schema allowed differently"
    ),
    T.ENUM_ARRAY_NARROWED: "the reader allows fewer values",
    T.ENUM_ARRAY_CHANGED: "the reader allows different values",
    T.COMBINED_TYPE_CHANGED: "the reader combines its subschemas differently",
    T.PRODUCT_TYPE_EXTENDED: "the reader's allOf adds constraints",
    T.SUM_TYPE_NARROWED: "the reader accepts fewer alternatives",
    T.COMBINED_TYPE_SUBSCHEMAS_CHANGED: "the reader's subschemas do not accept the writer's",
    T.NOT_TYPE_EXTENDED: "the reader's 'not' excludes more values",
}


def _message(diff: _Diff) -> str:
    explanation = _EXPLANATIONS.get(diff.type, diff.type.lower().replace("_", " "))
    detail = f" ({diff.detail})" if diff.detail else ""
    return (
        f"{explanation} at '{_format_path(diff.path)}'{detail}: "
        "data valid under the writer schema can be rejected by the reader schema"
    )
