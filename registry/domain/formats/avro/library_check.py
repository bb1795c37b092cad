"""The cross-check with the reference implementation: a registered schema also loads in
the ``avro`` library, and whatever it refuses is refused."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import avro.errors
import avro.name
import avro.schema
import orjson

# Our own walk checks logical types the way the specification says (invalid ones are
# ignored, not errors); the library's warnings about the same would only be log noise.
warnings.filterwarnings("ignore", category=avro.errors.IgnoredLogicalType)

_MAX_MESSAGE_LENGTH = 500


def library_complaint(schema_json: object, dependencies: Sequence[tuple[str, Any]] = ()) -> str | None:
    """What the reference implementation finds wrong with a schema our walk accepted."""
    try:
        if dependencies:
            # One name table for all, as Confluent's parser does: the schema sees their types.
            names = avro.name.Names()
            for _, dependency_json in dependencies:
                avro.schema.make_avsc_object(dependency_json, names)
            avro.schema.make_avsc_object(schema_json, names)
        else:
            avro.schema.parse(orjson.dumps(schema_json).decode())
    except RecursionError:
        return "the schema is nested too deeply for the Avro library"
    except Exception as error:  # noqa: BLE001 - any failure of the library is a refusal
        return _shorten(f"{type(error).__name__}: {error}")
    return None


def _shorten(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE_LENGTH else message[: _MAX_MESSAGE_LENGTH - 1] + "…"
