"""Dialects: which keywords hold subschemas, and the validator machinery for each.

Draft-04, -06, -07, 2019-09 and 2020-12, chosen by the root ``$schema`` (http or
https, with or without a trailing ``#``); 2020-12 when absent. References resolve
offline: the official metaschemas bundled with ``jsonschema`` and the resources given,
nothing else (every registry used here refuses retrieval).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import jsonschema.validators
import orjson
import referencing
import referencing.exceptions
import referencing.jsonschema
from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema_specifications import REGISTRY as _BUNDLED_METASCHEMAS

from registry.domain.compute import budget_checked
from registry.domain.errors import InvalidSchema
from registry.domain.formats.json_schema.keywords import (
    METASCHEMA_VALIDATOR_CLASSES,
    additional_properties_keyword,
    any_of_keyword,
    enum_keyword,
    one_of_keyword,
    pattern_keyword,
    pattern_properties_keyword,
    ref_keyword,
    unevaluated_properties_keyword,
    unique_items_keyword,
)
from registry.domain.formats.json_schema.metaschema import (
    Check,
    MetaschemaRules,
    compile_metaschema,
    root_reference_keyword,
)
from registry.domain.formats.json_schema.resolution import sturdy_specification, unusable_schema
from registry.domain.formats.json_schema.string_formats import (
    ANNOTATION_ONLY,
    DRAFT4_FORMATS,
    DRAFT6_FORMATS,
    DRAFT7_FORMATS,
    asserting_format_checker,
)
from registry.domain.model import SchemaProblem

if TYPE_CHECKING:
    from referencing._core import Resolver


class Holds(Enum):
    SCHEMA = "schema"
    SCHEMA_ARRAY = "array of schemas"
    SCHEMA_MAP = "map of name to schema"  # keys are names, never keywords
    SCHEMA_OR_ARRAY = "schema or array of schemas"


@dataclass(frozen=True, slots=True)
class SubschemaKeyword:
    holds: Holds
    # Applies its subschema(s) to the *same* instance (a $ref cycle through only these
    # never terminates); False when it moves to a child value or is not applied at all.
    in_place: bool


_COMMON_KEYWORDS: dict[str, SubschemaKeyword] = {
    "properties": SubschemaKeyword(Holds.SCHEMA_MAP, False),
    "patternProperties": SubschemaKeyword(Holds.SCHEMA_MAP, False),
    "additionalProperties": SubschemaKeyword(Holds.SCHEMA, False),
    "allOf": SubschemaKeyword(Holds.SCHEMA_ARRAY, True),
    "anyOf": SubschemaKeyword(Holds.SCHEMA_ARRAY, True),
    "oneOf": SubschemaKeyword(Holds.SCHEMA_ARRAY, True),
    "not": SubschemaKeyword(Holds.SCHEMA, True),
    # Both spellings in every draft: people mix them and reference them by JSON pointer.
    "definitions": SubschemaKeyword(Holds.SCHEMA_MAP, False),
    "$defs": SubschemaKeyword(Holds.SCHEMA_MAP, False),
}
_DRAFT4_KEYWORDS = _COMMON_KEYWORDS | {
    "items": SubschemaKeyword(Holds.SCHEMA_OR_ARRAY, False),
    "additionalItems": SubschemaKeyword(Holds.SCHEMA, False),
    "dependencies": SubschemaKeyword(Holds.SCHEMA_MAP, True),  # array values are skipped
}
_DRAFT6_KEYWORDS = _DRAFT4_KEYWORDS | {
    "contains": SubschemaKeyword(Holds.SCHEMA, False),
    "propertyNames": SubschemaKeyword(Holds.SCHEMA, False),
}
_DRAFT7_KEYWORDS = _DRAFT6_KEYWORDS | {
    "if": SubschemaKeyword(Holds.SCHEMA, True),
    "then": SubschemaKeyword(Holds.SCHEMA, True),
    "else": SubschemaKeyword(Holds.SCHEMA, True),
}
_DRAFT2019_KEYWORDS = {key: value for key, value in _DRAFT7_KEYWORDS.items() if key != "dependencies"} | {
    "dependentSchemas": SubschemaKeyword(Holds.SCHEMA_MAP, True),
    "unevaluatedItems": SubschemaKeyword(Holds.SCHEMA, False),
    "unevaluatedProperties": SubschemaKeyword(Holds.SCHEMA, False),
    "contentSchema": SubschemaKeyword(Holds.SCHEMA, False),
}
_DRAFT2020_KEYWORDS = _DRAFT2019_KEYWORDS | {
    "items": SubschemaKeyword(Holds.SCHEMA, False),
    "prefixItems": SubschemaKeyword(Holds.SCHEMA_ARRAY, False),
}
del _DRAFT2020_KEYWORDS["additionalItems"]


def _refuse_retrieval(uri: str) -> referencing.Resource[Any]:
    # Never fetch anything (SSRF, latency, non-reproducible validation).
    raise referencing.exceptions.NoSuchResource(uri)


def _without_dialect_name(uri: str) -> referencing.Resource[Any]:
    contents = _BUNDLED_METASCHEMAS.contents(uri)
    specification = referencing.jsonschema.specification_with(contents["$schema"])
    return specification.create_resource({key: value for key, value in contents.items() if key != "$schema"})


# Official metaschemas and their vocabularies (bundled, no network) and nothing else,
# without "$schema": jsonschema switches to its stock validator class (stock "pattern",
# "uniqueItems", "enum") whenever it enters a schema naming a dialect. A reference into
# another draft's metaschema is validated by our class of that draft (see ref_keyword).
_OFFLINE_REGISTRY: referencing.Registry[Any] = (
    # mypy does not read the dataclass_transform spelling of referencing's attrs classes.
    referencing.Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]
    .with_resources((uri, _without_dialect_name(uri)) for uri in _BUNDLED_METASCHEMAS)
    .crawl()
)


def _resolver(
    resource: referencing.Resource[Any],
    specification: referencing.Specification[Any],
    references: Mapping[str, object] | None,
) -> Resolver[Any]:
    root_uri = resource.id() or ""
    registry = _OFFLINE_REGISTRY.with_resources([(root_uri, resource)])
    if references:
        # Referenced schemas are read in the referencing schema's dialect (parse_schema
        # refuses one that names another).
        registry = registry.with_resources(
            (uri, specification.create_resource(referenced))
            for uri, referenced in references.items()
            if uri != root_uri
        )
    # Crawled up front so lookups on the hot path are dictionary hits, not re-crawls.
    return registry.crawl().resolver(base_uri=root_uri)


def _root_only(specification: referencing.Specification[Any]) -> referencing.Specification[Any]:
    """``specification`` for a document whose root alone may declare ids and anchors:
    crawling it reads the root, never its subschemas."""
    # mypy does not read the dataclass_transform spelling of referencing's attrs classes.
    return referencing.Specification(  # type: ignore[call-arg]
        name=specification.name,
        id_of=specification.id_of,
        subresources_of=lambda contents: (),
        anchors_in=lambda _, contents: specification.anchors_in(contents),
        maybe_in_subresource=specification.maybe_in_subresource,
    )


def _metaschema_and_resolver(
    stock_class: type[Any], specification: referencing.Specification[Any]
) -> tuple[Mapping[str, Any], Resolver[Any]]:
    """The dialect's metaschema, as the offline registry holds it, and its resolver."""
    root_uri = specification.create_resource(stock_class.META_SCHEMA).id()
    if root_uri is None:
        raise ValueError(f"{stock_class.__name__}'s metaschema has no id")
    return _OFFLINE_REGISTRY.contents(root_uri), _OFFLINE_REGISTRY.resolver(base_uri=root_uri)


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    keywords: Mapping[str, SubschemaKeyword]
    ref_keywords: tuple[str, ...]
    ref_overrides_siblings: bool  # drafts up to 7 ignore every keyword next to $ref
    id_keyword: str  # where a schema object may declare a new base URI
    identifier_keywords: tuple[str, ...]  # the keywords declaring ids or anchors
    specification: referencing.Specification[Any]
    root_only_specification: referencing.Specification[Any]  # see resolver_for
    validator_class: type[Any]
    format_checker: FormatChecker
    metaschema_check: Check  # the verdict, in one linear pass (see metaschema.py)
    metaschema_validator: Any  # the problems of a schema metaschema_check refuses


def _check_budget_on_descent(validator_class: type[Any]) -> None:
    """Make ``validator_class.descend`` check the step's compute budget first.

    Every subschema applied to a value passes through ``descend`` ($ref, combinators, items,
    properties...), so a document or a recursive schema that multiplies the work stops at
    the budget (see registry.domain.compute). Done to the classes built here, for documents
    and for the metaschema check's wording (the bundled metaschemas name no dialect, so
    jsonschema never switches to its stock classes, which stay untouched). Outside a step
    the check is one context variable lookup.
    """
    if validator_class in _CHECKING_BUDGET:
        return
    validator_class.descend = budget_checked(validator_class.descend)
    _CHECKING_BUDGET.add(validator_class)


_CHECKING_BUDGET: set[type[Any]] = set()


def _build_dialect(
    name: str,
    stock_class: type[Any],
    keywords: Mapping[str, SubschemaKeyword],
    formats: frozenset[str],
    ref_keywords: tuple[str, ...],
    identifier_keywords: tuple[str, ...],
    root_reference: tuple[str, str],
) -> Dialect:
    replacements: dict[str, Callable[..., Iterator[ValidationError]]] = {
        "$ref": ref_keyword,
        "pattern": pattern_keyword,
        "patternProperties": pattern_properties_keyword,
        "additionalProperties": additional_properties_keyword,
        "uniqueItems": unique_items_keyword,
        "enum": enum_keyword,
        "anyOf": any_of_keyword,
        "oneOf": one_of_keyword,
    }
    if name == "2019-09":
        replacements["unevaluatedProperties"] = unevaluated_properties_keyword(draft2019=True)
    elif name == "2020-12":
        replacements["unevaluatedProperties"] = unevaluated_properties_keyword(draft2019=False)
    specification = sturdy_specification(referencing.jsonschema.specification_with(stock_class.META_SCHEMA["$schema"]))
    metaschema, metaschema_resolver = _metaschema_and_resolver(stock_class, specification)
    legacy = name in {"draft-04", "draft-06", "draft-07"}
    rules = MetaschemaRules(
        keywords=frozenset(stock_class.VALIDATORS),
        ref_overrides_siblings=legacy,
        integral_floats_are_integers=name != "draft-04",
        boolean_exclusive_minimum=name == "draft-04",
        root_reference=root_reference,
    )
    root_keyword, root_value = root_reference
    # No format checking in the metaschema: ``pattern`` values are checked by our own walk,
    # with precise pointers, and the stock "regex" format checker is Python ``re``.
    metaschema_class = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        stock_class,
        validators={
            "uniqueItems": unique_items_keyword,
            "anyOf": any_of_keyword,
            root_keyword: root_reference_keyword(stock_class.VALIDATORS[root_keyword], root_value),
        },
    )
    # types-jsonschema leaves extend() unannotated.
    validator_class = jsonschema.validators.extend(stock_class, validators=replacements)  # type: ignore[no-untyped-call]
    _check_budget_on_descent(validator_class)
    _check_budget_on_descent(metaschema_class)
    return Dialect(
        name=name,
        keywords=keywords,
        ref_keywords=ref_keywords,
        ref_overrides_siblings=legacy,
        id_keyword="id" if name == "draft-04" else "$id",
        identifier_keywords=identifier_keywords,
        specification=specification,
        root_only_specification=_root_only(specification),
        validator_class=validator_class,
        format_checker=asserting_format_checker(formats),
        metaschema_check=compile_metaschema(metaschema, metaschema_resolver, rules),
        metaschema_validator=metaschema_class(metaschema, _resolver=metaschema_resolver),
    )


_DIALECTS: dict[str, Dialect] = {
    dialect.name: dialect
    for dialect in (
        _build_dialect(
            "draft-04",
            jsonschema.validators.Draft4Validator,
            _DRAFT4_KEYWORDS,
            DRAFT4_FORMATS,
            ("$ref",),
            identifier_keywords=("id",),
            root_reference=("$ref", "#"),
        ),
        _build_dialect(
            "draft-06",
            jsonschema.validators.Draft6Validator,
            _DRAFT6_KEYWORDS,
            DRAFT6_FORMATS,
            ("$ref",),
            identifier_keywords=("$id",),
            root_reference=("$ref", "#"),
        ),
        _build_dialect(
            "draft-07",
            jsonschema.validators.Draft7Validator,
            _DRAFT7_KEYWORDS,
            DRAFT7_FORMATS,
            ("$ref",),
            identifier_keywords=("$id",),
            root_reference=("$ref", "#"),
        ),
        _build_dialect(
            "2019-09",
            jsonschema.validators.Draft201909Validator,
            _DRAFT2019_KEYWORDS,
            ANNOTATION_ONLY,
            ("$ref", "$recursiveRef"),
            identifier_keywords=("$id", "$anchor"),
            root_reference=("$recursiveRef", "#"),
        ),
        _build_dialect(
            "2020-12",
            jsonschema.validators.Draft202012Validator,
            _DRAFT2020_KEYWORDS,
            ANNOTATION_ONLY,
            ("$ref", "$dynamicRef"),
            identifier_keywords=("$id", "$anchor", "$dynamicAnchor"),
            root_reference=("$dynamicRef", "#meta"),
        ),
    )
}
# Keyed by the URI without scheme and without a trailing '#'.
_DIALECT_BY_URI: dict[str, Dialect] = {
    "json-schema.org/draft-04/schema": _DIALECTS["draft-04"],
    "json-schema.org/draft-06/schema": _DIALECTS["draft-06"],
    "json-schema.org/draft-07/schema": _DIALECTS["draft-07"],
    "json-schema.org/draft/2019-09/schema": _DIALECTS["2019-09"],
    "json-schema.org/draft/2020-12/schema": _DIALECTS["2020-12"],
}
_DEFAULT_DIALECT = _DIALECTS["2020-12"]

for _uri in _BUNDLED_METASCHEMAS:
    _dialect = _DIALECT_BY_URI.get(_BUNDLED_METASCHEMAS.contents(_uri)["$schema"].split("://", 1)[1].rstrip("#"))
    if _dialect is not None:  # draft-03's is read in the dialect of the schema referring to it
        METASCHEMA_VALIDATOR_CLASSES[id(_OFFLINE_REGISTRY.contents(_uri))] = _dialect.validator_class


def resolver_for(document: object, dialect: Dialect, references: Mapping[str, object] | None = None) -> Resolver[Any]:
    """The resolver of a schema's references: inside the document, to the bundled
    metaschemas and to ``references`` (name -> referenced schema). Raises ``InvalidSchema``
    naming the schema object the ``referencing`` library cannot read.

    The registry is crawled up front, so lookups are dictionary hits. Crawling a document
    costs a few µs per schema object and only finds ids and anchors, so when none sits
    below the root (most schemas: the serialised document holds no identifier keyword
    besides the root's own), only the root is read; references resolve the same.
    """
    specification = dialect.specification
    if not _declares_identifiers_below_root(document, dialect):
        specification = dialect.root_only_specification
    try:
        return _resolver(specification.create_resource(document), dialect.specification, references)
    except Exception as error:  # noqa: BLE001 - whatever the library trips over is the schema's problem
        raise unusable_schema(error, document, dialect.specification, references) from None


def _declares_identifiers_below_root(document: object, dialect: Dialect) -> bool:
    if not isinstance(document, dict):
        return False
    try:
        text = orjson.dumps(document)
    except TypeError:  # not plain JSON data: assume it does
        return True
    # Ids and anchors are strings (the metaschema sees to it wherever a crawl looks), and in
    # serialised JSON only an object key is a quoted word followed by a colon: this counts
    # every declaration, and some keys that declare nothing (e.g. a property named "id"
    # whose schema is a string, which is no schema), never fewer.
    declared = sum(text.count(f'"{keyword}":"'.encode()) for keyword in dialect.identifier_keywords)
    at_root = sum(isinstance(document.get(keyword), str) for keyword in dialect.identifier_keywords)
    return declared > at_root


def lookup_dialect(uri: object) -> Dialect | None:
    if not isinstance(uri, str):
        return None
    for scheme in ("https://", "http://"):
        if uri[: len(scheme)].lower() == scheme:
            key = uri[len(scheme) :]
            break
    else:
        return None
    return _DIALECT_BY_URI.get(key[:-1] if key.endswith("#") else key)


def dialect_of(document: object) -> Dialect:
    if not isinstance(document, dict) or "$schema" not in document:
        return _DEFAULT_DIALECT
    uri = document["$schema"]
    if not isinstance(uri, str):
        raise InvalidSchema(
            "$schema must be a string",
            problems=[SchemaProblem(location="/$schema", message="$schema must be a string URI")],
        )
    dialect = lookup_dialect(uri)
    if dialect is None:
        raise InvalidSchema(
            f"unknown $schema {uri!r}",
            problems=[
                SchemaProblem(
                    location="/$schema",
                    message=f"unknown $schema {uri!r}; supported: "
                    "http(s)://json-schema.org/draft-04/schema#, draft-06, draft-07, "
                    "draft/2019-09 and draft/2020-12 (the default)",
                )
            ],
        )
    return dialect
