"""Keyword implementations replacing jsonschema's, which match patterns with Python ``re``.

Each has jsonschema's keyword signature ``(validator, value, instance, schema)`` and
runs for every instance validated: keep them lean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

import jsonschema.validators
import referencing.jsonschema
from jsonschema.exceptions import ValidationError

from registry.domain.formats.json_schema.ecma_regex import (
    InvalidEcmaPattern,
    pattern_matches,
    pattern_matches_or_unknown,
)
from registry.domain.formats.json_schema.equality import IndexedEnum, has_duplicates, json_key
from registry.domain.formats.json_schema.reporting import short_repr

_stock_enum = jsonschema.validators.Draft202012Validator.VALIDATORS["enum"]  # the same in every draft

if TYPE_CHECKING:
    from referencing._core import Resolved


# id() of each bundled metaschema (as references resolve to it) -> our validator class of
# its draft (filled by ``dialects`` when it builds them).
METASCHEMA_VALIDATOR_CLASSES: dict[int, type[Any]] = {}


def ref_keyword(validator: Any, ref: str, instance: object, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    resolved = validator._resolver.lookup(ref)
    other_draft = METASCHEMA_VALIDATOR_CLASSES.get(id(resolved.contents))
    if other_draft is None or isinstance(validator, other_draft):
        errors = validator.descend(instance, resolved.contents, resolver=resolved.resolver)
    else:
        # Another draft's metaschema, read by that draft's rules: jsonschema would switch to
        # its stock class for that draft on a "$schema" (see dialects._OFFLINE_REGISTRY).
        errors = other_draft(
            resolved.contents, format_checker=validator.format_checker, _resolver=resolved.resolver
        ).iter_errors(instance)
    # jsonschema leaves "$ref" out of schema paths; the standard keyword location has it.
    for error in errors:
        error.relative_schema_path.appendleft("$ref")
        yield error


def unique_items_keyword(
    validator: Any, unique: object, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    # jsonschema's message; its check compares every pair once the items mix types.
    if unique and isinstance(instance, list) and has_duplicates(instance):
        yield ValidationError(f"{instance!r} has non-unique elements")


def enum_keyword(validator: Any, values: Any, instance: object, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if not isinstance(values, IndexedEnum):
        yield from _stock_enum(validator, values, instance, schema)
    elif json_key(instance) not in values.keys:
        yield ValidationError(f"{instance!r} is not one of {values!r}")  # jsonschema's message


# jsonschema collects every error of a failing anyOf/oneOf branch, eagerly, to report the
# one it finds closest: 100,000 of them for an array of that many items (3.5 s). The closest
# of the first ones is as telling.
MAX_BRANCH_ERRORS = 100


def _branch_errors(validator: Any, instance: object, subschema: object, index: int) -> list[ValidationError]:
    return list(islice(validator.descend(instance, subschema, schema_path=index), MAX_BRANCH_ERRORS))


def any_of_keyword(
    validator: Any, any_of: Any, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """jsonschema's ``anyOf``, keeping at most ``MAX_BRANCH_ERRORS`` errors of a branch."""
    errors: list[ValidationError] = []
    for index, subschema in enumerate(any_of):
        branch_errors = _branch_errors(validator, instance, subschema, index)
        if not branch_errors:
            return
        errors.extend(branch_errors)
    yield ValidationError(f"{instance!r} is not valid under any of the given schemas", context=errors)


def one_of_keyword(
    validator: Any, one_of: Any, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """jsonschema's ``oneOf``, keeping at most ``MAX_BRANCH_ERRORS`` errors of a branch."""
    subschemas = enumerate(one_of)
    errors: list[ValidationError] = []
    for index, subschema in subschemas:
        branch_errors = _branch_errors(validator, instance, subschema, index)
        if not branch_errors:
            first_valid = subschema
            break
        errors.extend(branch_errors)
    else:
        yield ValidationError(f"{instance!r} is not valid under any of the given schemas", context=errors)
        return
    more_valid = [other for _, other in subschemas if validator.evolve(schema=other).is_valid(instance)]
    if more_valid:
        reprs = ", ".join(repr(each) for each in [*more_valid, first_valid])
        yield ValidationError(f"{instance!r} is valid under each of {reprs}")


def pattern_keyword(
    validator: Any, pattern: str, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not isinstance(instance, str):
        return
    try:
        matched = pattern_matches(pattern, instance)
    except TimeoutError:
        yield ValidationError(
            f"{short_repr(instance)} could not be checked against pattern {pattern!r} in time "
            "(the pattern is too expensive for this value), so it is treated as not matching"
        )
        return
    except InvalidEcmaPattern as error:
        yield ValidationError(f"pattern {pattern!r} is not a valid ECMA-262 regular expression: {error}")
        return
    if not matched:
        yield ValidationError(f"{short_repr(instance)} does not match {pattern!r}")


def pattern_properties_keyword(
    validator: Any, pattern_properties: Mapping[str, Any], instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    for pattern, subschema in pattern_properties.items():
        for name, value in instance.items():
            try:
                matched = pattern_matches(pattern, name)
            except TimeoutError:
                yield ValidationError(
                    f"property name {short_repr(name)} could not be checked against {pattern!r} in time",
                    path=(name,),
                    schema_path=(pattern,),
                )
                continue
            except InvalidEcmaPattern as error:
                yield ValidationError(
                    f"{pattern!r} is not a valid ECMA-262 regular expression: {error}", schema_path=(pattern,)
                )
                break
            if matched:
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_property_names(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    return [
        name
        for name in instance
        if name not in properties and not any(pattern_matches_or_unknown(pattern, name) for pattern in patterns)
    ]


def _quoted_names(names: Iterable[str]) -> tuple[str, str]:
    names = list(names)
    return ", ".join(repr(name) for name in names), ("was" if len(names) == 1 else "were")


def additional_properties_keyword(
    validator: Any, additional: object, instance: object, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    extras = _additional_property_names(instance, schema)
    if isinstance(additional, dict):
        for name in extras:
            yield from validator.descend(instance[name], additional, path=name)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            patterns = ", ".join(repr(pattern) for pattern in sorted(schema["patternProperties"]))
            joined = ", ".join(repr(name) for name in sorted(extras))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            joined, verb = _quoted_names(sorted(extras, key=str))
            yield ValidationError(f"Additional properties are not allowed ({joined} {verb} unexpected)")


def _is_valid(errors: Iterator[ValidationError]) -> bool:
    return next(errors, None) is None


def _evaluated_property_names(validator: Any, instance: Mapping[str, Any], schema: object, draft2019: bool) -> set[str]:
    """Port of jsonschema's helper (2020-12 and 2019-09 variants) with ECMA patterns."""
    if not isinstance(schema, dict):
        return set()
    evaluated: set[str] = set()
    if (ref := schema.get("$ref")) is not None:
        evaluated |= _evaluated_at(validator, validator._resolver.lookup(ref), instance, draft2019)
    if draft2019:
        _add_evaluated_by_2019_keywords(evaluated, validator, instance, schema)
    else:
        _add_evaluated_by_2020_keywords(evaluated, validator, instance, schema)
    _add_evaluated_by_applicators(evaluated, validator, instance, schema, draft2019)
    return evaluated


def _evaluated_at(validator: Any, resolved: Resolved[Any], instance: Mapping[str, Any], draft2019: bool) -> set[str]:
    """The names evaluated by the schema a reference resolved to."""
    return _evaluated_property_names(
        validator.evolve(schema=resolved.contents, _resolver=resolved.resolver), instance, resolved.contents, draft2019
    )


def _add_evaluated_by_2019_keywords(
    evaluated: set[str], validator: Any, instance: Mapping[str, Any], schema: Mapping[str, Any]
) -> None:
    if "$recursiveRef" in schema:
        resolved = referencing.jsonschema.lookup_recursive_ref(validator._resolver)
        evaluated |= _evaluated_at(validator, resolved, instance, True)
    for keyword in ("properties", "additionalProperties", "unevaluatedProperties"):
        value = schema.get(keyword)
        if value is True:
            evaluated.update(instance)
        elif isinstance(value, dict):
            evaluated.update(name for name in value if name in instance)


def _add_evaluated_by_2020_keywords(
    evaluated: set[str], validator: Any, instance: Mapping[str, Any], schema: Mapping[str, Any]
) -> None:
    if (dynamic_ref := schema.get("$dynamicRef")) is not None:
        evaluated |= _evaluated_at(validator, validator._resolver.lookup(dynamic_ref), instance, False)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        evaluated.update(properties.keys() & instance.keys())
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        if (subschema := schema.get(keyword)) is None:
            continue
        evaluated.update(name for name, value in instance.items() if _is_valid(validator.descend(value, subschema)))


def _add_evaluated_by_applicators(
    evaluated: set[str], validator: Any, instance: Mapping[str, Any], schema: Mapping[str, Any], draft2019: bool
) -> None:
    """patternProperties and the keywords applying subschemas to the same object (both variants)."""
    for pattern in schema.get("patternProperties", {}):
        evaluated.update(name for name in instance if pattern_matches_or_unknown(pattern, name))

    for name, subschema in schema.get("dependentSchemas", {}).items():
        if name in instance:
            evaluated |= _evaluated_property_names(validator, instance, subschema, draft2019)

    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _is_valid(validator.descend(instance, subschema)):
                evaluated |= _evaluated_property_names(validator, instance, subschema, draft2019)

    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            evaluated |= _evaluated_property_names(validator, instance, schema["if"], draft2019)
            if "then" in schema:
                evaluated |= _evaluated_property_names(validator, instance, schema["then"], draft2019)
        elif "else" in schema:
            evaluated |= _evaluated_property_names(validator, instance, schema["else"], draft2019)


def unevaluated_properties_keyword(draft2019: bool) -> Callable[..., Iterator[ValidationError]]:
    def unevaluated_properties(
        validator: Any, unevaluated: object, instance: object, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        if not isinstance(instance, dict):
            return
        evaluated = _evaluated_property_names(validator, instance, schema, draft2019)
        failing = [
            name
            for name in instance
            if name not in evaluated
            and not _is_valid(validator.descend(instance[name], unevaluated, path=name, schema_path=name))
        ]
        if not failing:
            return
        if unevaluated is False:
            joined, verb = _quoted_names(sorted(failing, key=str))
            yield ValidationError(f"Unevaluated properties are not allowed ({joined} {verb} unexpected)")
        else:
            joined, verb = _quoted_names(failing)
            yield ValidationError(
                f"Unevaluated properties are not valid under the given schema ({joined} {verb} unevaluated and invalid)"
            )

    return unevaluated_properties
