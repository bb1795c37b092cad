"""Reading JSON request bodies: media type, size cap, parsing."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import falcon
import orjson

from registry.http.problems import HTTPProblem

_CHUNK = 64 * 1024


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
    raw = _read_capped(req, max_bytes)
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
    if req.content_length is not None:
        return req.bounded_stream.read(req.content_length)
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


def _too_large(max_bytes: int) -> HTTPProblem:
    return HTTPProblem(
        falcon.HTTP_413,
        "PAYLOAD_TOO_LARGE",
        f"the request body exceeds the limit of {max_bytes} bytes",
        headers={"Connection": "close"},
        max_bytes=max_bytes,
    )
