"""What makes two registrations the same schema under one global id."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import orjson

from registry.domain.formats.base import Dependency
from registry.domain.records import SchemaReference


def identity_hash(content_hash: str, references: Sequence[SchemaReference], dependencies: Sequence[Dependency]) -> str:
    """The content's hash alone when it references nothing (so versions registered before
    references existed keep their identity); otherwise a hash over the content, the
    references in listed order, and what they resolved to. The resolved texts count because
    a permanently deleted version may be registered again with other content under the
    same subject and number: a schema referencing it then is another schema."""
    if not references:
        return content_hash
    listed = orjson.dumps(
        [[ref.name, ref.subject, ref.version] for ref in references]
        + [[dependency.name, _sha256(dependency.content)] for dependency in dependencies]
    )
    return _sha256(content_hash + "|" + listed.decode())


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
