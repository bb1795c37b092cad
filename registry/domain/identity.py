"""What makes two registrations the same schema under one global id."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import orjson

from registry.domain.records import SchemaReference


def identity_hash(content_hash: str, references: Sequence[SchemaReference]) -> str:
    """The content's hash alone when it references nothing (so versions registered before
    references existed keep their identity); otherwise a hash over both, in listed order."""
    if not references:
        return content_hash
    listed = orjson.dumps([[ref.name, ref.subject, ref.version] for ref in references])
    return hashlib.sha256(content_hash.encode() + b"|" + listed).hexdigest()
