"""Reading JSON request bodies: media type, size cap, read deadline, framing, parsing.

A body the server cannot deliver whole is the client's fault and answers 4xx, closing the
connection (where the next request would start is unknown): a chunked body gunicorn cannot
parse (a chunk size like ``zz``, a missing chunk terminator: gunicorn's ``ParseException``s)
is 400 ``MALFORMED_BODY``; a body that ends before its ``Content-Length`` or its last chunk
(the client hung up: gunicorn's ``NoMoreData``, or any socket error) is 400
``INCOMPLETE_BODY``; a body still incomplete at the deadline (``registry.http.deadline``)
is 408 ``BODY_READ_TIMEOUT``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import falcon
import orjson
from gunicorn.http.errors import ChunkMissingTerminator, InvalidChunkExtension, InvalidChunkSize, ParseException

from registry.http.deadline import BODY_READ_TIMEOUT_KEY, BodyReadTimeout, read_within
from registry.http.problems import HTTPProblem

_CHUNK = 64 * 1024
_CLOSE = {"Connection": "close"}
_MAX_DETAIL = 200  # characters of the server's description of a malformed body
# The chunk errors are ParseExceptions in gunicorn 27 and were IOErrors before: named first,
# so they are never taken for a body cut short.
_MALFORMED = (InvalidChunkSize, ChunkMissingTerminator, InvalidChunkExtension, ParseException)


def read_json(req: falcon.Request, max_bytes: int, accepted_types: Collection[str] | None = None) -> Any:
    """The parsed body. 415 for a non-JSON media type, 413 past ``max_bytes`` (decided
    from Content-Length before reading anything, and while reading a chunked body),
    400 for an empty or malformed body.

    ``accepted_types`` (lower-case, no parameters; ``""`` stands for a request without
    Content-Type) replaces the default: ``application/json`` and any ``+json`` type."""
    media_type = (req.content_type or "").split(";", 1)[0].strip().lower()
    if accepted_types is None:
        accepted = media_type == "application/json" or media_type.endswith("+json")
    else:
        accepted = media_type in accepted_types
    if not accepted:
        expected = "application/json" if accepted_types is None else " or ".join(sorted(filter(None, accepted_types)))
        raise HTTPProblem(
            falcon.HTTP_415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"expected Content-Type {expected}, got {req.content_type or 'none'}",
        )
    length = req.content_length
    if length is not None and length > max_bytes:
        raise _too_large(max_bytes)
    raw = read_within(req.env.get(BODY_READ_TIMEOUT_KEY), _read_capped, req, max_bytes)
    if not raw.strip():
        raise HTTPProblem(falcon.HTTP_400, "INVALID_JSON", "the request body is empty; expected a JSON document")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise HTTPProblem(
            falcon.HTTP_400,
            "INVALID_JSON",
            f"the request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
        ) from None


def _read_capped(req: falcon.Request, max_bytes: int) -> bytes:
    try:
        length = req.content_length
        if length is None:
            return _read_chunked(req, max_bytes)
        raw = req.bounded_stream.read(length)
    except BodyReadTimeout as exc:
        raise HTTPProblem(falcon.HTTP_408, "BODY_READ_TIMEOUT", str(exc), headers=_CLOSE, seconds=exc.seconds) from None
    except _MALFORMED as exc:
        message = f"the request body is malformed: {str(exc)[:_MAX_DETAIL]}"
        raise HTTPProblem(falcon.HTTP_400, "MALFORMED_BODY", message, headers=_CLOSE) from None
    except OSError:  # gunicorn's NoMoreData among them
        raise _incomplete() from None
    if len(raw) < length:
        raise _incomplete(f": {len(raw)} of the {length} bytes of Content-Length arrived")
    return raw


def _read_chunked(req: falcon.Request, max_bytes: int) -> bytes:
    # No Content-Length: a chunked body. Falcon's bounded stream would read nothing, while the
    # server's own input stream (gunicorn de-chunks it) ends where the body ends.
    stream = req.stream
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)


def _incomplete(detail: str = "") -> HTTPProblem:
    return HTTPProblem(
        falcon.HTTP_400, "INCOMPLETE_BODY", f"the request body ended before it was complete{detail}", headers=_CLOSE
    )


def _too_large(max_bytes: int) -> HTTPProblem:
    return HTTPProblem(
        falcon.HTTP_413,
        "PAYLOAD_TOO_LARGE",
        f"the request body exceeds the limit of {max_bytes} bytes",
        headers={"Connection": "close"},
        max_bytes=max_bytes,
    )
