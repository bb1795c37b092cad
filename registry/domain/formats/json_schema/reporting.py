"""How problems are located and worded: JSON pointers, abbreviated values, best branch."""

from __future__ import annotations

import reprlib
from collections.abc import Iterable

from jsonschema.exceptions import ValidationError, best_match

from registry.domain.pointers import escape_token

# Longer messages are abbreviated: they carry values from documents of any size.
_MAX_MESSAGE_LENGTH = 500


def json_pointer(tokens: Iterable[object]) -> str:
    return "".join("/" + escape_token(token) for token in tokens)


_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6
_repr.maxlevel = 3


def short_repr(value: object) -> str:
    return _repr.repr(value)


def shorten(message: str, instance: object) -> str:
    if len(message) <= _MAX_MESSAGE_LENGTH:
        return message
    # jsonschema puts the whole offending value in its messages; for a big document that
    # is a huge response, so abbreviate the value and, if that is not enough, cut.
    full = repr(instance)
    if len(full) > 80 and full in message:
        message = message.replace(full, short_repr(instance))
    if len(message) > _MAX_MESSAGE_LENGTH:
        message = message[: _MAX_MESSAGE_LENGTH - 1] + "…"
    return message


def closest_sub_error(error: ValidationError) -> ValidationError | None:
    """For anyOf/oneOf: the branch failure most likely meant (None without branches)."""
    if not error.context:
        return None
    # best_match descends into a combinator's context (preferring errors whose branch
    # expects the instance's type) only from a list containing the combinator; when the
    # branches tie it returns the combinator itself, and any branch is then as good.
    best: ValidationError | None = best_match([error])  # the stubs leave its result untyped
    if best is None or best is error:
        best = best_match(error.context)
    return best
