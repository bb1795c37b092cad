"""SubjectSession: one transaction holding a subject's lock, as a registration or a
deletion uses it."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

import pytest

from registry.domain.errors import WriteConflict
from registry.domain.model import CompatibilityMode, CompatibilityPolicy, RegistryMode, SchemaFormat, SchemaState
from registry.domain.ports import SchemaStore
from registry.domain.records import (
    CompatibilityConfig,
    EffectiveConfig,
    SchemaReference,
    SubjectModes,
)
from registry.domain.versioning import SemVer
from tests.contract.registrations import content_hash, hard_delete, insert, new_version, register, soft_delete

A = '{"title": "a"}'
B = '{"title": "b"}'
C = '{"title": "c"}'


class Boom(Exception):
    pass


def test_a_new_subject_has_nothing_and_follows_the_registry(store: SchemaStore) -> None:
    with store.subject_session("shop.order") as session:
        assert session.subject == "shop.order"
        assert session.has_any_version is False
        assert session.config == CompatibilityConfig()
        assert session.global_config == EffectiveConfig(CompatibilityMode.BACKWARD, CompatibilityPolicy.STRICT)
        assert session.modes == SubjectModes(None, RegistryMode.READWRITE)
        assert session.live_versions() == []
        assert session.versions(include_deleted=True) == []
        assert session.highest_version() is None
        assert session.highest_number() == 0
        assert session.referencing_ids(1, live_only=False) == []


def test_an_inserted_version_is_what_was_asked_for(store: SchemaStore) -> None:
    with store.subject_session("shop.order") as session:
        global_id = session.global_id_for(SchemaFormat.JSON, content_hash(A), A, ())
        stored = session.insert_version(
            new_version(
                "shop.order",
                A,
                version=SemVer(1, 2, 3),
                number=1,
                global_id=global_id,
                state=SchemaState.DRAFT,
                description="first",
                tags=("b", "a"),
                metadata={"owner": "team", "n": 1},
            )
        )
    assert uuid.UUID(stored.id).version == 4 and str(uuid.UUID(stored.id)) == stored.id
    assert (stored.subject, stored.version, stored.version_number, stored.global_id) == (
        "shop.order",
        SemVer(1, 2, 3),
        1,
        global_id,
    )
    assert (stored.format, stored.content, stored.content_hash) == (SchemaFormat.JSON, A, content_hash(A))
    assert (stored.state, stored.compatibility_mode, stored.compatibility_policy) == (
        SchemaState.DRAFT,
        CompatibilityMode.BACKWARD,
        CompatibilityPolicy.STRICT,
    )
    assert (stored.description, stored.tags, stored.metadata) == ("first", ("b", "a"), {"owner": "team", "n": 1})
    assert stored.revision == 1 and stored.references == ()
    assert isinstance(stored.created_at, datetime) and stored.created_at.utcoffset() is not None
    assert stored.updated_at == stored.created_at
    assert store.get_version(stored.id) == stored


def test_the_version_lands_in_the_sessions_subject(store: SchemaStore) -> None:
    with store.subject_session("mine") as session:
        global_id = session.global_id_for(SchemaFormat.JSON, content_hash(A), A, ())
        stored = session.insert_version(
            new_version("someone.else", A, version=SemVer(1, 0, 0), number=1, global_id=global_id)
        )
    assert stored.subject == "mine"
    assert store.version_numbers("someone.else", include_deleted=True) == []


def test_registration_order_and_timestamps(store: SchemaStore) -> None:
    first = register(store, "s", A)
    second = register(store, "t", B)
    third = register(store, "s", C)
    assert first.seq < second.seq < third.seq
    assert first.created_at <= second.created_at <= third.created_at


def test_versions_are_ordered_by_semantic_version_or_by_number(store: SchemaStore) -> None:
    with store.subject_session("s") as session:
        v2 = insert(session, A, version=SemVer(2, 0, 0), number=1)
        v1 = insert(session, B, version=SemVer(1, 0, 0), number=2)
        v1_1 = insert(session, C, version=SemVer(1, 1, 0), number=3)
    with store.subject_session("s") as session:
        assert session.has_any_version is True
        assert session.live_versions() == [v1, v1_1, v2]
        assert session.versions(include_deleted=False) == [v2, v1, v1_1]
        assert session.highest_version() == SemVer(2, 0, 0)
        assert session.highest_number() == 3


def test_soft_deleted_versions_still_count_for_numbers_and_versions(store: SchemaStore) -> None:
    first = register(store, "s", A)
    second = register(store, "s", B, version=SemVer(1, 5, 0))
    soft_delete(store, second)
    with store.subject_session("s") as session:
        assert session.live_versions() == [first]
        assert [version.version_number for version in session.versions(include_deleted=True)] == [1, 2]
        assert [version.version_number for version in session.versions(include_deleted=False)] == [1]
        assert session.highest_version() == SemVer(1, 5, 0)
        assert session.highest_number() == 2
        assert session.is_taken(SemVer(1, 5, 0), 7)
        assert session.is_taken(SemVer(9, 0, 0), 2)
        assert session.is_taken(SemVer(1, 0, 0), 1)
        assert not session.is_taken(SemVer(1, 1, 0), 3)


def test_a_session_commits_when_its_block_ends_and_nobody_sees_it_before(store: SchemaStore) -> None:
    with store.subject_session("s") as session:
        stored = insert(session, A)
        assert store.get_version(stored.id) is None
        assert store.has_any_version("s") is False
        assert store.get_subject_version("s", None) is None
    assert store.get_version(stored.id) == stored
    assert store.has_any_version("s") is True


def test_a_session_that_raises_leaves_nothing(store: SchemaStore) -> None:
    with pytest.raises(Boom), store.subject_session("s") as session:
        insert(session, A)
        session.set_config(CompatibilityConfig(CompatibilityMode.NONE, None))
        session.set_mode(RegistryMode.READONLY)
        raise Boom
    assert store.has_any_version() is False
    assert store.subject_config("s") is None, "the subject created by the session is rolled back too"
    assert store.subject_modes("s") is None
    assert store.global_schema(1) is None and store.max_global_id() == 0


def test_a_dry_run_leaves_nothing(store: SchemaStore) -> None:
    with store.subject_session("s", dry_run=True) as session:
        insert(session, A)
        assert session.live_versions() != []
    assert store.has_any_version() is False
    assert store.subject_config("s") is None


def test_an_ended_session_leaves_its_subject_known(store: SchemaStore) -> None:
    with store.subject_session("s"):
        pass
    assert store.subject_config("s") == CompatibilityConfig()
    assert store.subject_modes("s") == SubjectModes(None, RegistryMode.READWRITE)
    assert store.has_any_version("s") is False
    assert store.subject_names(None, include_deleted=True) == []


def test_config_and_mode_changed_in_a_session(store: SchemaStore) -> None:
    store.set_global_mode(RegistryMode.IMPORT)
    with store.subject_session("s") as session:
        session.set_config(CompatibilityConfig(CompatibilityMode.FULL, None))
        session.set_mode(RegistryMode.READONLY)
        assert session.config == CompatibilityConfig(CompatibilityMode.FULL, None)
        assert session.modes == SubjectModes(RegistryMode.READONLY, RegistryMode.IMPORT)
    assert store.subject_config("s") == CompatibilityConfig(CompatibilityMode.FULL, None)
    assert store.subject_modes("s") == SubjectModes(RegistryMode.READONLY, RegistryMode.IMPORT)
    with store.subject_session("s") as session:
        assert session.config == CompatibilityConfig(CompatibilityMode.FULL, None)
        assert session.modes.effective is RegistryMode.READONLY
        session.set_mode(None)
        assert session.modes == SubjectModes(None, RegistryMode.IMPORT)
    assert store.subject_modes("s") == SubjectModes(None, RegistryMode.IMPORT)


def test_a_session_sees_the_settings_stored_before_it(store: SchemaStore) -> None:
    store.set_global_config(CompatibilityMode.FORWARD, CompatibilityPolicy.LENIENT)
    store.set_subject_config("s", CompatibilityConfig(None, CompatibilityPolicy.STRICT))
    store.set_subject_mode("s", RegistryMode.IMPORT)
    with store.subject_session("s") as session:
        assert session.global_config == EffectiveConfig(CompatibilityMode.FORWARD, CompatibilityPolicy.LENIENT)
        assert session.config == CompatibilityConfig(None, CompatibilityPolicy.STRICT)
        assert session.modes == SubjectModes(RegistryMode.IMPORT, RegistryMode.READWRITE)


@pytest.mark.parametrize(
    ("version", "number"),
    [(SemVer(1, 0, 0), 2), (SemVer(2, 0, 0), 1)],
    ids=["same-version", "same-number"],
)
def test_a_taken_version_or_number_is_a_write_conflict(store: SchemaStore, version: SemVer, number: int) -> None:
    register(store, "s", A)
    with pytest.raises(WriteConflict), store.subject_session("s") as session:
        insert(session, C, version=SemVer(3, 0, 0), number=3)
        insert(session, B, version=version, number=number)
    assert store.version_numbers("s", include_deleted=True) == [1], "the whole session is rolled back"


def test_an_unknown_global_id_is_a_write_conflict(store: SchemaStore) -> None:
    with pytest.raises(WriteConflict), store.subject_session("s") as session:
        session.insert_version(new_version("s", A, version=SemVer(1, 0, 0), number=1, global_id=42))
    assert store.has_any_version() is False


def test_find_live_by_identity(store: SchemaStore) -> None:
    first = register(store, "s", A, version=SemVer(1, 0, 0))
    again = register(store, "s", A, version=SemVer(2, 0, 0))
    register(store, "s", A, version=SemVer(3, 0, 0), identity="with-references")
    with store.subject_session("s") as session:
        assert session.find_live_by_identity(content_hash(A), content_hash(A)) == again
        assert session.find_live_by_identity(content_hash(A), "with-references") is not None
        assert session.find_live_by_identity(content_hash(B), content_hash(A)) is None
        assert session.find_live_by_identity(content_hash(A), "other") is None
    soft_delete(store, again)
    with store.subject_session("s") as session:
        assert session.find_live_by_identity(content_hash(A), content_hash(A)) == first
    with store.subject_session("t") as session:
        assert session.find_live_by_identity(content_hash(A), content_hash(A)) is None


def test_soft_delete(store: SchemaStore) -> None:
    first = register(store, "s", A)
    second = register(store, "s", B)
    third = register(store, "s", C)
    (already,) = soft_delete(store, first)
    deleted = soft_delete(store, third, first, second, third)
    assert [version.version_number for version in deleted] == [2, 3], "by number, the deleted one skipped"
    for before, after in zip([second, third], deleted, strict=True):
        assert after.state is SchemaState.DELETED
        assert after.revision == before.revision + 1
        assert after.updated_at > before.updated_at and after.created_at == before.created_at
        assert (after.id, after.content, after.version, after.global_id) == (
            before.id,
            before.content,
            before.version,
            before.global_id,
        )
        assert store.get_version(after.id) == after
    assert store.get_version(first.id) == already
    with store.subject_session("s") as session:
        assert session.soft_delete([already]) == []


def test_hard_delete_removes_versions_but_not_the_subject_or_ids(store: SchemaStore) -> None:
    store.set_subject_config("s", CompatibilityConfig(CompatibilityMode.NONE, None))
    first = register(store, "s", A)
    second = register(store, "s", B)
    soft_delete(store, first)
    hard_delete(store, first, second)  # the store deletes whatever it is given, live or not
    assert store.get_version(first.id) is None and store.get_version(second.id) is None
    assert store.has_any_version("s") is False
    assert store.subject_config("s") == CompatibilityConfig(CompatibilityMode.NONE, None)
    assert store.global_schema(first.global_id) is None
    assert store.max_global_id() == second.global_id
    with store.subject_session("s") as session:
        assert session.has_any_version is False
        assert session.highest_number() == 0 and not session.is_taken(SemVer(1, 0, 0), 1)
        again = insert(session, A)
    assert (again.version_number, again.global_id) == (1, first.global_id), "ids are content-addressed"


def test_global_ids_are_shared_by_format_and_identity(store: SchemaStore) -> None:
    first = register(store, "s", A)
    elsewhere = register(store, "t", A)
    other_content = register(store, "t", B)
    other_format = register(store, "u", A, fmt=SchemaFormat.AVRO)
    assert (first.global_id, elsewhere.global_id, other_content.global_id, other_format.global_id) == (1, 1, 2, 3)
    with store.subject_session("v") as session:
        assert session.global_id_for(SchemaFormat.JSON, content_hash(A), "other text", ()) == 1
    assert store.max_global_id() == 3


def test_an_id_given_in_a_rolled_back_session_is_not_given_again(store: SchemaStore) -> None:
    with pytest.raises(Boom), store.subject_session("s") as session:
        assert insert(session, A).global_id == 1
        raise Boom
    assert register(store, "s", A).global_id == 2, "sequences are not transactional"
    assert store.max_global_id() == 2


def test_claiming_a_global_id(store: SchemaStore) -> None:
    with store.subject_session("s") as session:
        assert session.claim_global_id(5, SchemaFormat.JSON, "x", A, ())
        assert session.claim_global_id(5, SchemaFormat.JSON, "x", "other text", ())
        assert not session.claim_global_id(5, SchemaFormat.JSON, "y", B, ())
        assert not session.claim_global_id(5, SchemaFormat.AVRO, "x", A, ())
        assert session.claim_global_id(1, SchemaFormat.JSON, "y", B, ())
        assert session.claim_global_id(9, SchemaFormat.JSON, "x", A, ()), "a second id for one schema"
        assert session.global_id_for(SchemaFormat.JSON, "x", A, ()) == 5, "the lowest id of the schema"
        assert session.global_id_for(SchemaFormat.JSON, "z", C, ()) == 2, "new ids skip claimed ones"
        session.insert_version(new_version("s", A, version=SemVer(1, 0, 0), number=1, global_id=9))
    assert store.max_global_id() == 9
    schema = store.global_schema(9)
    assert schema is not None and (schema.global_id, schema.content) == (9, A)
    assert store.global_schema(5) is None, "no version holds it"


def test_claiming_an_id_that_cannot_exist_is_a_write_conflict(store: SchemaStore) -> None:
    with pytest.raises(WriteConflict), store.subject_session("s") as session:
        session.claim_global_id(0, SchemaFormat.JSON, "x", A, ())


def test_references_belong_to_the_global_id(store: SchemaStore) -> None:
    base = register(store, "base", A)
    refs = (SchemaReference("b.json", "base", 1), SchemaReference("a.json", "other", 3))
    user = register(store, "user", B, references=refs, identity="user-identity")
    assert user.references == refs, "in the order the schema lists them"
    again = register(store, "copy", B, references=(), identity="user-identity")
    assert again.global_id == user.global_id and again.references == refs
    schema = store.global_schema(user.global_id)
    assert schema is not None and schema.references == refs and schema.content == B
    assert store.get_version(base.id) == base


def test_referencing_ids(store: SchemaStore) -> None:
    register(store, "base", A)
    register(store, "base", B)
    ref = SchemaReference("base.json", "base", 1)
    first = register(store, "a", C, references=(ref,), identity="a1")
    second = register(store, "b", '{"title": "d"}', references=(ref, SchemaReference("x", "base", 2)), identity="b1")
    third = register(store, "c", '{"title": "e"}', references=(SchemaReference("other", "base", 1),), identity="c1")
    soft_delete(store, first)
    assert first.global_id < second.global_id < third.global_id
    with store.subject_session("base") as session:
        assert session.referencing_ids(1, live_only=False) == [first.global_id, second.global_id, third.global_id]
        assert session.referencing_ids(1, live_only=True) == [second.global_id, third.global_id]
        assert session.referencing_ids(2, live_only=True) == [second.global_id]
        assert session.referencing_ids(3, live_only=False) == []
    assert store.referencing_ids("base", 1) == [second.global_id, third.global_id]
    assert store.referencing_ids("other", 1) == []


def test_a_second_session_on_a_subject_waits_for_the_first(store: SchemaStore) -> None:
    entered = threading.Event()
    seen: list[tuple[bool, int]] = []

    def second() -> None:
        entered.wait(5)
        with store.subject_session("s") as session:
            seen.append((session.has_any_version, session.highest_number()))

    waiter = threading.Thread(target=second)
    waiter.start()
    with store.subject_session("s") as session:
        insert(session, A)
        entered.set()
        waiter.join(0.2)
        assert waiter.is_alive() and seen == [], "the second session waits for the subject's lock"
    waiter.join(5)
    assert seen == [(True, 1)], "then it sees what the first committed"


def test_sessions_on_different_subjects_do_not_wait(store: SchemaStore) -> None:
    done = threading.Event()

    def other() -> None:
        register(store, "t", B)
        done.set()

    with store.subject_session("s") as session:
        insert(session, A)
        worker = threading.Thread(target=other)
        worker.start()
        assert done.wait(5)
    worker.join()


def test_two_subjects_registering_one_new_schema_agree_on_its_id(store: SchemaStore) -> None:
    given: list[int] = []

    def second() -> None:
        given.append(register(store, "t", A).global_id)

    with store.subject_session("s") as session:
        first = insert(session, A)
        worker = threading.Thread(target=second)
        worker.start()
        worker.join(0.2)
        assert worker.is_alive(), "it waits for the first registration of the schema to end"
    worker.join(5)
    assert given == [first.global_id]
