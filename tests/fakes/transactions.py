"""In-memory tables with transactions that behave like PostgreSQL's (READ COMMITTED).

Each statement of a transaction sees what other transactions had committed when it ran,
plus the transaction's own writes; nobody else sees those writes until it commits. Row
locks (a subject's, a version's, the advisory ones of id allocation) are held until the
transaction ends, as PostgreSQL holds them. Sequences are not transactional: a value
drawn by a transaction that rolls back is gone, as with ``nextval``.

A lock wait longer than the statement timeout fails as the real store fails then
(PostgreSQL cancels the statement; the pool reports StorageUnavailable), so a test that
deadlocks itself stops instead of hanging.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from registry.domain.errors import StorageUnavailable
from registry.domain.model import (
    DEFAULT_COMPATIBILITY_MODE,
    DEFAULT_COMPATIBILITY_POLICY,
    RegistryMode,
)
from registry.domain.records import CompatibilityConfig, EffectiveConfig, GlobalSchema, SchemaVersion

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class SubjectRow:
    name: str
    config: CompatibilityConfig = CompatibilityConfig()
    mode: RegistryMode | None = None


@dataclass(frozen=True, slots=True)
class IdRow:
    """A row of ``schema_ids``: never updated, never deleted (only rolled back)."""

    schema: GlobalSchema
    identity_hash: str


@dataclass(frozen=True, slots=True)
class SettingsRow:
    config: EffectiveConfig
    mode: RegistryMode


@dataclass(slots=True)
class Tables:
    """The committed state, or a transaction's view of it. Versions are kept with the
    references of their global id's row, which never changes once written."""

    settings: SettingsRow
    subjects: dict[str, SubjectRow]
    versions: dict[str, SchemaVersion]
    ids: dict[int, IdRow]


def empty_tables() -> Tables:
    """What the migrations leave: the default settings and nothing else."""
    return Tables(
        SettingsRow(EffectiveConfig(DEFAULT_COMPATIBILITY_MODE, DEFAULT_COMPATIBILITY_POLICY), RegistryMode.READWRITE),
        {},
        {},
        {},
    )


@dataclass(slots=True)
class Writes:
    """A transaction's uncommitted changes; a version mapped to None was deleted."""

    settings: SettingsRow | None = None
    subjects: dict[str, SubjectRow] = field(default_factory=dict)
    versions: dict[str, SchemaVersion | None] = field(default_factory=dict)
    ids: dict[int, IdRow] = field(default_factory=dict)

    def over(self, tables: Tables) -> Tables:
        versions = {**tables.versions, **self.versions}
        return Tables(
            self.settings or tables.settings,
            {**tables.subjects, **self.subjects},
            {key: version for key, version in versions.items() if version is not None},
            {**tables.ids, **self.ids},
        )

    def apply_to(self, tables: Tables) -> None:
        if self.settings is not None:
            tables.settings = self.settings
        tables.subjects.update(self.subjects)
        tables.ids.update(self.ids)
        for key, version in self.versions.items():
            if version is None:
                tables.versions.pop(key, None)
            else:
                tables.versions[key] = version


class Database:
    """The tables, their locks and sequences, shared by every transaction of one store."""

    def __init__(self, *, lock_timeout: float) -> None:
        self._tables = empty_tables()
        self._changed = threading.Condition()
        self._lock_owners: dict[Hashable, Transaction] = {}
        self._lock_timeout = lock_timeout
        self._seq = itertools.count(1)
        self._allocator = itertools.count(1)
        self.reachable = True

    def read(self, query: Callable[[Tables], Result]) -> Result:
        """One autocommit statement: it sees what is committed."""
        self._check_reachable()
        with self._changed:
            return query(self._tables)

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Transaction]:
        """Commits when the block ends normally and ``commit`` is true; rolls back otherwise."""
        self._check_reachable()
        transaction = Transaction(self)
        try:
            yield transaction
        except BaseException:
            self._end(transaction, commit=False)
            raise
        self._end(transaction, commit=commit)

    def next_seq(self) -> int:
        return next(self._seq)

    def next_global_id(self) -> int:
        return next(self._allocator)

    def view(self, writes: Writes, query: Callable[[Tables], Result]) -> Result:
        with self._changed:
            return query(writes.over(self._tables))

    def lock(self, key: Hashable, owner: Transaction) -> None:
        deadline = time.monotonic() + self._lock_timeout
        with self._changed:
            while self._lock_owners.setdefault(key, owner) is not owner:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise StorageUnavailable(
                        f"database unavailable: canceling statement due to statement timeout (waiting for {key})"
                    )
                self._changed.wait(remaining)

    def _end(self, transaction: Transaction, *, commit: bool) -> None:
        with self._changed:
            if commit:
                transaction.writes.apply_to(self._tables)
            for key in [key for key, owner in self._lock_owners.items() if owner is transaction]:
                del self._lock_owners[key]
            self._changed.notify_all()

    def _check_reachable(self) -> None:
        if not self.reachable:
            raise StorageUnavailable("database unavailable: the test took the in-memory store down")


class Transaction:
    def __init__(self, database: Database) -> None:
        self._database = database
        self.writes = Writes()
        # What now() answers in PostgreSQL: the transaction's start, for every statement in it.
        self.started_at = datetime.now(UTC)

    def read(self, query: Callable[[Tables], Result]) -> Result:
        """One statement: committed data plus this transaction's own writes."""
        return self._database.view(self.writes, query)

    def lock(self, *key: Hashable) -> None:
        """Wait for, then hold until the transaction ends, the lock named ``key``."""
        self._database.lock(key, self)

    def put_subject(self, row: SubjectRow) -> None:
        self.writes.subjects[row.name] = row

    def put_version(self, version: SchemaVersion) -> None:
        self.writes.versions[version.id] = version

    def delete_version(self, version_id: str) -> None:
        self.writes.versions[version_id] = None

    def put_id(self, row: IdRow) -> None:
        self.writes.ids[row.schema.global_id] = row

    def put_settings(self, settings: SettingsRow) -> None:
        self.writes.settings = settings
