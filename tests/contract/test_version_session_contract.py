"""VersionSession: one transaction holding a version's lock, for lifecycle changes."""

from __future__ import annotations

import threading
import uuid

import pytest

from registry.domain.model import RegistryMode, SchemaState
from registry.domain.ports import SchemaStore
from registry.domain.records import SchemaReference, SubjectModes, VersionChanges
from tests.contract.registrations import register, soft_delete

A = '{"title": "a"}'
B = '{"title": "b"}'


class Boom(Exception):
    pass


def test_an_unknown_version_has_no_session(store: SchemaStore) -> None:
    with store.version_session(str(uuid.uuid4())) as session:
        assert session is None


def test_a_session_holds_the_version_and_its_modes(store: SchemaStore) -> None:
    stored = register(store, "s", A)
    store.set_subject_mode("s", RegistryMode.READONLY)
    with store.version_session(stored.id) as session:
        assert session is not None
        assert session.version == stored
        assert session.modes == SubjectModes(RegistryMode.READONLY, RegistryMode.READWRITE)


def test_soft_deleted_versions_have_sessions_too(store: SchemaStore) -> None:
    (deleted,) = soft_delete(store, register(store, "s", A))
    with store.version_session(deleted.id) as session:
        assert session is not None and session.version == deleted


def test_update_changes_only_what_is_given(store: SchemaStore) -> None:
    stored = register(store, "s", A, state=SchemaState.DRAFT, description="old", tags=("x",), metadata={"k": 1})
    with store.version_session(stored.id) as session:
        assert session is not None
        updated = session.update(VersionChanges(state=SchemaState.ACTIVE))
        assert session.version == updated
    assert (updated.state, updated.description, updated.tags, updated.metadata) == (
        SchemaState.ACTIVE,
        "old",
        ("x",),
        {"k": 1},
    )
    assert updated.revision == 2 and updated.updated_at > stored.updated_at
    assert (updated.created_at, updated.content, updated.seq) == (stored.created_at, stored.content, stored.seq)
    assert store.get_version(stored.id) == updated


def test_update_every_mutable_field_then_clear_the_description(store: SchemaStore) -> None:
    stored = register(store, "s", A, description="old", tags=("x",), metadata={"k": 1})
    with store.version_session(stored.id) as session:
        assert session is not None
        session.update(VersionChanges(description="new", tags=("b", "a"), metadata={"other": [1, {"z": None}]}))
        changed = session.update(VersionChanges(description="ignored", clear_description=True))
    assert (changed.state, changed.description, changed.tags, changed.metadata) == (
        SchemaState.ACTIVE,
        None,
        ("b", "a"),
        {"other": [1, {"z": None}]},
    )
    assert changed.revision == 3
    with store.version_session(stored.id) as session:
        assert session is not None
        emptied = session.update(VersionChanges(description="", tags=(), metadata={}))
    assert (emptied.description, emptied.tags, emptied.metadata) == ("", (), {})


def test_an_update_in_a_session_that_raises_is_rolled_back(store: SchemaStore) -> None:
    stored = register(store, "s", A)
    with pytest.raises(Boom), store.version_session(stored.id) as session:
        assert session is not None
        session.update(VersionChanges(state=SchemaState.DELETED))
        raise Boom
    assert store.get_version(stored.id) == stored


def test_referencing_ids_of_the_version(store: SchemaStore) -> None:
    base = register(store, "base", A)
    user = register(store, "user", B, references=(SchemaReference("a", "base", 1),), identity="user")
    with store.version_session(base.id) as session:
        assert session is not None
        assert session.referencing_ids(live_only=True) == [user.global_id]
    soft_delete(store, user)
    with store.version_session(base.id) as session:
        assert session is not None
        assert session.referencing_ids(live_only=True) == []
        assert session.referencing_ids(live_only=False) == [user.global_id]


def test_a_second_session_on_a_version_waits_and_sees_the_change(store: SchemaStore) -> None:
    stored = register(store, "s", A, state=SchemaState.DRAFT)
    seen: list[SchemaState] = []

    def second() -> None:
        with store.version_session(stored.id) as session:
            assert session is not None
            seen.append(session.version.state)

    with store.version_session(stored.id) as session:
        assert session is not None
        session.update(VersionChanges(state=SchemaState.ACTIVE))
        waiter = threading.Thread(target=second)
        waiter.start()
        waiter.join(0.2)
        assert waiter.is_alive() and seen == []
    waiter.join(5)
    assert seen == [SchemaState.ACTIVE]


def test_a_soft_delete_waits_for_a_version_session(store: SchemaStore) -> None:
    stored = register(store, "s", A)
    deleted: list[list[int]] = []

    def delete() -> None:
        deleted.append([version.revision for version in soft_delete(store, stored)])

    with store.version_session(stored.id) as session:
        assert session is not None
        session.update(VersionChanges(description="changed"))
        worker = threading.Thread(target=delete)
        worker.start()
        worker.join(0.2)
        assert worker.is_alive()
    worker.join(5)
    assert deleted == [[3]], "the deletion applies on top of the committed change"
