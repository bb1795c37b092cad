"""How much the Protobuf format takes on: text length, compile time, cache size, problems
reported, and how much of a value a message quotes."""

from __future__ import annotations

from dataclasses import dataclass

MAX_QUOTED_LENGTH = 300  # characters of a value (a name, a default) quoted in a message


@dataclass(frozen=True, slots=True)
class Limits:
    max_text_length: int = 1_000_000  # characters of .proto text
    compile_timeout_seconds: float = 20.0  # protoc needs well under 1 s for 1 MB; a loaded machine more
    cache_entries: int = 512
    cache_bytes: int = 64 * 1024 * 1024  # rough memory of the cached texts and descriptors
    max_problems: int = 100


def shorten(text: str) -> str:
    return text if len(text) <= MAX_QUOTED_LENGTH else text[: MAX_QUOTED_LENGTH - 1] + "…"
