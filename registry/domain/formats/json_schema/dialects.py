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
import referencing
import referencing.exceptions
import referencing.jsonschema
from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema_specifications import REGISTRY as _BUNDLED_METASCHEMAS

from registry.domain.compute import check_budget
from registry.domain.errors import InvalidSchema
from registry.domain.formats.json_schema.keywords import (
    additional_properties_keyword,
    pattern_keyword,
    pattern_properties_keyword,
    ref_keyword,
    unevaluated_properties_keyword,
)
from registry.domain.formats.json_schema.string_formats import (
    ANNOTATION_ONLY,
    DRAFT4_FORMATS,
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


# Official metaschemas (bundled, no network) and nothing else.
_OFFLINE_REGISTRY: referencing.Registry[Any] = _BUNDLED_METASCHEMAS.combine(
    # mypy does not read the dataclass_transform spelling of referencing's attrs classes.
    referencing.Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]
).crawl()


def resolver_for(
    document: object,
    specification: referencing.Specification[Any],
    references: Mapping[str, object] | None = None,
) -> Resolver[Any]:
    resource = specification.create_resource(document)
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


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    keywords: Mapping[str, SubschemaKeyword]
    ref_keywords: tuple[str, ...]
    ref_overrides_siblings: bool  # drafts up to 7 ignore every keyword next to $ref
    specification: referencing.Specification[Any]
    validator_class: type[Any]
    format_checker: FormatChecker
    metaschema_validator: Any


def _check_budget_on_descent(validator_class: type[Any]) -> None:
    """Make ``validator_class.descend`` check the step's compute budget first.

    Every subschema applied to a value passes through ``descend`` ($ref, combinators, items,
    properties...), so a document or a recursive schema that multiplies the work stops at
    the budget (see registry.domain.compute). Done to our own classes, and to jsonschema's
    stock ones too: the metaschema check runs them (a metaschema names its dialect, so
    jsonschema switches to the stock class at every embedded ``$schema``). Outside a step
    the check is one context variable lookup.
    """
    if validator_class in _CHECKING_BUDGET:
        return
    descend: Callable[..., Iterator[ValidationError]] = validator_class.descend

    def descend_within_budget(validator: Any, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
        check_budget()
        return descend(validator, *args, **kwargs)

    validator_class.descend = descend_within_budget
    _CHECKING_BUDGET.add(validator_class)


_CHECKING_BUDGET: set[type[Any]] = set()


def _build_dialect(
    name: str,
    stock_class: type[Any],
    keywords: Mapping[str, SubschemaKeyword],
    formats: frozenset[str],
    ref_keywords: tuple[str, ...],
) -> Dialect:
    replacements: dict[str, Callable[..., Iterator[ValidationError]]] = {
        "$ref": ref_keyword,
        "pattern": pattern_keyword,
        "patternProperties": pattern_properties_keyword,
        "additionalProperties": additional_properties_keyword,
    }
    if name == "2019-09":
        replacements["unevaluatedProperties"] = unevaluated_properties_keyword(draft2019=True)
    elif name == "2020-12":
        replacements["unevaluatedProperties"] = unevaluated_properties_keyword(draft2019=False)
    specification = referencing.jsonschema.specification_with(stock_class.META_SCHEMA["$schema"])
    metaschema = stock_class.META_SCHEMA
    # types-jsonschema leaves extend() unannotated.
    validator_class = jsonschema.validators.extend(stock_class, validators=replacements)  # type: ignore[no-untyped-call]
    _check_budget_on_descent(validator_class)
    _check_budget_on_descent(stock_class)
    return Dialect(
        name=name,
        keywords=keywords,
        ref_keywords=ref_keywords,
        ref_overrides_siblings=name in {"draft-04", "draft-06", "draft-07"},
        specification=specification,
        validator_class=validator_class,
        format_checker=asserting_format_checker(formats),
        # No format checking here: ``pattern`` values are checked by our own walk, with
        # precise pointers, and the stock "regex" format checker is Python ``re``.
        metaschema_validator=stock_class(metaschema, _resolver=resolver_for(metaschema, specification)),
    )


_DIALECTS: dict[str, Dialect] = {
    dialect.name: dialect
    for dialect in (
        _build_dialect("draft-04", jsonschema.validators.Draft4Validator, _DRAFT4_KEYWORDS, DRAFT4_FORMATS, ("$ref",)),
        _build_dialect("draft-06", jsonschema.validators.Draft6Validator, _DRAFT6_KEYWORDS, DRAFT4_FORMATS, ("$ref",)),
        _build_dialect("draft-07", jsonschema.validators.Draft7Validator, _DRAFT7_KEYWORDS, DRAFT7_FORMATS, ("$ref",)),
        _build_dialect(
            "2019-09",
            jsonschema.validators.Draft201909Validator,
            _DRAFT2019_KEYWORDS,
            ANNOTATION_ONLY,
            ("$ref", "$recursiveRef"),
        ),
        _build_dialect(
            "2020-12",
            jsonschema.validators.Draft202012Validator,
            _DRAFT2020_KEYWORDS,
            ANNOTATION_ONLY,
            ("$ref", "$dynamicRef"),
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
