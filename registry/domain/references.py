"""Resolving schema references into the dependencies a format handler needs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from registry.domain.errors import InvalidSchema
from registry.domain.formats.base import Dependency
from registry.domain.model import SchemaFormat, SchemaProblem
from registry.domain.records import SchemaReference, SchemaVersion
from registry.lru import LocalCache

# Deeper chains than this are refused rather than walked.
MAX_REFERENCE_DEPTH = 32
# A reference's version meaning "the latest", as Confluent's clients send it.
LATEST_REFERENCE = -1


class VersionsByNumber(Protocol):
    def get_version_by_number(
        self, subject: str, version_number: int | None, *, include_deleted: bool
    ) -> SchemaVersion | None: ...


class ReferenceResolver:
    """Turns a schema's references into the flattened, transitive list of dependencies
    (dependencies before their users, one per name) that format handlers take."""

    def __init__(self, versions: VersionsByNumber, cache_size: int) -> None:
        self._versions = versions
        # A stored schema's dependencies never change: a referenced version cannot be
        # permanently deleted while anything references it, and content is immutable.
        self._by_global_id: LocalCache[tuple[Dependency, ...]] = LocalCache(cache_size, staleness_seconds=float("inf"))

    def pin(self, references: Sequence[SchemaReference]) -> tuple[SchemaReference, ...]:
        """The references with ``-1`` (Confluent's "latest") replaced by the latest live version's number."""
        pinned = []
        for position, reference in enumerate(references):
            if reference.version == LATEST_REFERENCE:
                latest = self._versions.get_version_by_number(reference.subject, None, include_deleted=False)
                if latest is None:
                    raise _invalid(
                        f"references/{position}",
                        f"reference {reference.name!r}: subject {reference.subject!r} has no live version",
                    )
                reference = SchemaReference(reference.name, reference.subject, latest.version_number)
            pinned.append(reference)
        return tuple(pinned)

    def for_new_schema(self, references: Sequence[SchemaReference], fmt: SchemaFormat) -> tuple[Dependency, ...]:
        """Dependencies of a schema being registered or checked: each reference must name a live version."""
        return self._resolve(references, fmt, live_only=True)

    def for_version(self, version: SchemaVersion) -> tuple[Dependency, ...]:
        return self.for_stored(version.global_id, version.references, version.format)

    def for_stored(
        self, global_id: int, references: Sequence[SchemaReference], fmt: SchemaFormat
    ) -> tuple[Dependency, ...]:
        """Dependencies of a registered schema (its references may be soft-deleted since)."""
        if not references:
            return ()
        cached = self._by_global_id.get(str(global_id))
        if cached is None:
            cached = self._resolve(references, fmt, live_only=False)
            self._by_global_id.put(str(global_id), cached)
        return cached

    def _resolve(
        self, references: Sequence[SchemaReference], fmt: SchemaFormat, *, live_only: bool
    ) -> tuple[Dependency, ...]:
        resolved: dict[str, Dependency] = {}
        self._walk(references, fmt, resolved, visiting=set(), live_only=live_only, depth=0)
        return tuple(resolved.values())

    def _walk(
        self,
        references: Sequence[SchemaReference],
        fmt: SchemaFormat,
        resolved: dict[str, Dependency],
        *,
        visiting: set[tuple[str, int]],
        live_only: bool,
        depth: int,
    ) -> None:
        if depth > MAX_REFERENCE_DEPTH:
            raise _invalid("references", f"references are nested more than {MAX_REFERENCE_DEPTH} levels deep")
        seen_names: set[str] = set()
        for position, reference in enumerate(references):
            where = f"references/{position}"
            if reference.name in seen_names:
                raise _invalid(where, f"the name {reference.name!r} is referenced twice")
            seen_names.add(reference.name)
            if reference.name in resolved:
                continue
            key = (reference.subject, reference.version)
            if key in visiting:
                raise _invalid(where, f"{reference.subject} version {reference.version} references itself")
            target = self._versions.get_version_by_number(
                reference.subject, reference.version, include_deleted=not live_only
            )
            if target is None:
                raise _invalid(
                    where,
                    f"reference {reference.name!r}: subject {reference.subject!r} has no version {reference.version}",
                )
            if target.format is not fmt:
                raise _invalid(
                    where,
                    f"reference {reference.name!r} is a {target.format.value} schema; "
                    f"a {fmt.value} schema can only reference {fmt.value} schemas",
                )
            visiting.add(key)
            # The dependency's own references were live when it was registered; they may be
            # soft-deleted since, which does not make it unusable.
            self._walk(target.references, fmt, resolved, visiting=visiting, live_only=False, depth=depth + 1)
            visiting.discard(key)
            resolved[reference.name] = Dependency(reference.name, target.content)


def _invalid(location: str, message: str) -> InvalidSchema:
    return InvalidSchema(message, problems=[SchemaProblem(location=location, message=message)])
