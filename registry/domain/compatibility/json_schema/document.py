"""The internal representation: a schema document and a view per schema node.

The comparison never walks raw JSON.  It asks a :class:`Document` for the :class:`SchemaView` of
a node, which has already followed ``$ref`` and answers the questions the comparison keeps
asking (which types, which values, which combinators).  Views are cached per node, so a shared
definition is read once.

``$ref`` is resolved within the document (JSON pointers, anchors, embedded ``$id``) and, when
given, in the schemas the document references (URI -> document, as
``registry.domain.formats.json_schema.reference_resources`` builds them); a referenced schema is
followed like a local definition, and so compared as if it were inline.  A reference that
resolves nowhere (nothing remote is fetched) is opaque and compared by its text.

Drafts: a declared ``$schema`` decides which keywords count (a keyword the draft does not know
is ignored like any unknown keyword) and whether ``$ref`` replaces its siblings (up to draft 7)
or applies beside them (2019-09 on).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from registry.domain.compatibility.json_schema.json_values import admits, declared_types, json_type

# Marks a keyword that is not there (None is a JSON value: null).
ABSENT: Any = object()

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


class CombinatorBlock:
    """One combinator of a schema: its criterion, where it lives, and its subschemas."""

    __slots__ = ("criterion", "keyword", "raw_subs", "opaque_ref", "doc", "subs")

    def __init__(
        self,
        criterion: str,
        keyword: str,
        raw_subs: Sequence[Any],
        opaque_ref: str | None = None,
        doc: Document | None = None,
    ):
        self.criterion = criterion  # allOf, anyOf or oneOf
        self.keyword = keyword  # the keyword in the schema; "$ref" for a $ref with siblings
        self.raw_subs = raw_subs
        self.opaque_ref = opaque_ref
        # The document the subschemas belong to when it is not the schema's own (a $ref
        # into a referenced schema).
        self.doc = doc
        self.subs: list[tuple[int, SchemaView]] | None = None

    def path(self, index: int) -> tuple[str, ...]:
        return () if self.keyword == "$ref" else (self.keyword, str(index))


class SchemaView:
    """A schema node after following `$ref`, with the facts the comparison keeps asking."""

    __slots__ = ("kind", "raw", "doc", "ref", "blocks", "has_base", "declared", "values", "values_keyword",
                 "types")  # fmt: skip

    def __init__(self, kind: str, raw: dict[str, Any], doc: Document, ref: str | None = None) -> None:
        self.kind = kind  # "true" (accepts all), "false" (accepts none), "dict", or "opaque" (unresolvable $ref)
        self.raw = raw
        self.doc = doc
        self.ref = ref
        self.blocks: tuple[CombinatorBlock, ...] = ()
        self.has_base = False
        self.declared: frozenset[str] | None = None
        self.values: tuple[Any, ...] | None = None
        self.values_keyword: str | None = None
        self.types: frozenset[str] | None = None


class ReferencedDocuments:
    """The schemas one side's `$ref`s may reach beyond its document, by URI: one
    `Document` each, made when first reached."""

    def __init__(self, resources: Mapping[str, Any], draft: int | None) -> None:
        self._resources = resources
        # A referenced schema that declares no draft is read in the referencing one's.
        self._draft = draft
        self._documents: dict[str, Document] = {}

    def find(self, uri: str) -> tuple[Document, Any] | None:
        """The document and schema at `uri`: a referenced schema, or a resource embedded
        in one (by its `$id`)."""
        if uri in self._resources:
            document = self._document(uri)
            return document, document.root
        for known in self._resources:
            document = self._document(known)
            embedded = document.embedded_resource(uri)
            if embedded is not ABSENT:
                return document, embedded
        return None

    def _document(self, uri: str) -> Document:
        document = self._documents.get(uri)
        if document is None:
            document = Document(self._resources[uri], self, uri=uri, inherited_draft=self._draft)
            self._documents[uri] = document
        return document


class Document:
    """One schema document: resolves `$ref`s and caches a view per schema node."""

    def __init__(
        self,
        root: object,
        references: ReferencedDocuments | None = None,
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
        root_id = schema_id(root) if isinstance(root, dict) else None
        # A referenced schema without an $id has the URI it was reached by as its base.
        self.base_uri = (urljoin(uri, root_id) if root_id else uri).rstrip("#")
        self.references = references
        self._views: dict[int, SchemaView] = {}
        self._opaque: dict[int, SchemaView] = {}
        self._opaque_by_ref: dict[str, SchemaView] = {}
        self._resolving: set[int] = set()
        # Nodes made up during the comparison must outlive it: views are cached by id().
        self._made_up: list[Any] = []
        self._anchors: dict[str, Any] | None = None
        self._resources: dict[str, Any] | None = None
        self.true_view = SchemaView("true", {}, self)
        self.false_view = SchemaView("false", {}, self)

    def view(self, raw: object) -> SchemaView:
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

    def made_up_view(self, raw: dict[str, Any]) -> SchemaView:
        self._made_up.append(raw)
        return self.view(raw)

    def _build_view(self, raw: dict[str, Any]) -> SchemaView:
        if self.unknown_keywords and not self.unknown_keywords.isdisjoint(raw):
            raw = {key: value for key, value in raw.items() if key not in self.unknown_keywords}
            self._made_up.append(raw)
        ref_keyword = next((key for key in _REF_KEYWORDS if isinstance(raw.get(key), str)), None)
        assertions = [key for key in raw if key in _ASSERTION_KEYWORDS]
        if ref_keyword is not None and (self.ref_ignores_siblings or not assertions):
            return self._follow_ref(raw, ref_keyword)
        if not assertions and ref_keyword is None:
            view = SchemaView("true", raw, self)
            return view

        view = SchemaView("dict", raw, self)
        blocks = [
            CombinatorBlock(keyword, keyword, raw[keyword])
            for keyword in _COMBINATORS
            if isinstance(raw.get(keyword), list) and raw[keyword]
        ]
        if ref_keyword is not None:
            # A $ref beside other assertions behaves as one more allOf member.
            target_doc, target = self._resolve(raw[ref_keyword], ref_keyword)
            if target is ABSENT:
                blocks.append(CombinatorBlock("allOf", "$ref", (), opaque_ref=raw[ref_keyword]))
            else:
                blocks.append(CombinatorBlock("allOf", "$ref", (target,), doc=target_doc))
        view.blocks = tuple(blocks)
        view.has_base = any(key not in _COMBINATORS for key in assertions)
        view.declared = declared_types(raw.get("type"))
        if "const" in raw:
            view.values, view.values_keyword = (raw["const"],), "const"
        elif isinstance(raw.get("enum"), list):
            view.values, view.values_keyword = tuple(raw["enum"]), "enum"
        if view.values is not None:
            admitted = frozenset(kind for kind in map(json_type, view.values) if admits(view.declared, kind))
            view.types = admitted
        else:
            view.types = view.declared
        return view

    def _follow_ref(self, raw: dict[str, Any], ref_keyword: str) -> SchemaView:
        target_doc, target = self._resolve(raw[ref_keyword], ref_keyword)
        if target is ABSENT:
            opaque = self._opaque.get(id(raw))
            if opaque is None:
                opaque = SchemaView("opaque", {}, self, ref=raw[ref_keyword])
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

    def opaque_view(self, ref: str) -> SchemaView:
        opaque = self._opaque_by_ref.get(ref)
        if opaque is None:
            opaque = SchemaView("opaque", {}, self, ref=ref)
            self._opaque_by_ref[ref] = opaque
        return opaque

    # -- $ref resolution (local pointers, anchors, embedded $ids and referenced schemas;
    #    nothing remote) --

    def _resolve(self, ref: str, ref_keyword: str) -> tuple[Document, Any]:
        """The document the target lives in, and the target (ABSENT if unresolvable)."""
        if ref_keyword == "$recursiveRef":
            return self, self.root
        base, fragment = urldefrag(ref)
        if base:
            doc, target = self._resource(base)
            if target is ABSENT:
                return self, ABSENT
        else:
            doc, target = self, self.root
        if not fragment:
            return doc, target
        if fragment.startswith("/"):
            return doc, _follow_pointer(target, fragment)
        return doc, doc._index()[0].get(unquote(fragment), ABSENT)

    def _resource(self, base: str) -> tuple[Document, Any]:
        absolute = urljoin(self.base_uri, base).rstrip("#") if self.base_uri else base.rstrip("#")
        if self.base_uri and absolute == self.base_uri:
            return self, self.root
        embedded = self.embedded_resource(absolute)
        if embedded is ABSENT:
            embedded = self.embedded_resource(base.rstrip("#"))
        if embedded is not ABSENT or self.references is None:
            return self, embedded
        found = self.references.find(absolute) or self.references.find(base.rstrip("#"))
        return found if found is not None else (self, ABSENT)

    def embedded_resource(self, uri: str) -> Any:
        """The schema inside this document whose `$id` is `uri`, or ABSENT."""
        return self._index()[1].get(uri, ABSENT)

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
                    identifier = schema_id(node)
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


def document_with(root: object, references: Mapping[str, object] | None) -> Document:
    """The document of `root`, whose `$ref`s may also reach the `references` (URI -> document)."""
    if not references:
        return Document(root)
    document = Document(root)
    document.references = ReferencedDocuments(references, document.draft)
    return document


def schema_id(raw: dict[str, Any]) -> str | None:
    identifier = raw.get("$id", raw.get("id"))
    return identifier if isinstance(identifier, str) else None


def _follow_pointer(node: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = unquote(token).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return ABSENT
    return node
