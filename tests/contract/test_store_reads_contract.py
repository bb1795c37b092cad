"""SchemaStore's reads: single versions, the Confluent API's views, listings and pages."""

from __future__ import annotations

import uuid
from dataclasses import fields

import pytest

from registry.domain.model import SchemaFormat, SchemaState
from registry.domain.ports import SchemaStore
from registry.domain.records import SchemaFilter, SchemaReference, SchemaVersion, SubjectSummary
from registry.domain.versioning import SemVer
from tests.contract.registrations import content_hash, hard_delete, register, soft_delete

A = '{"title": "a"}'
B = '{"title": "b"}'
C = '{"title": "c"}'


def test_get_version_by_id_in_any_state(store: SchemaStore) -> None:
    stored = register(store, "s", A)
    assert store.get_version(stored.id) == stored
    assert store.get_version(stored.id.upper()) == stored, "any spelling of the UUID"
    assert store.get_version(str(uuid.uuid4())) is None
    (deleted,) = soft_delete(store, stored)
    assert store.get_version(stored.id) == deleted


def test_get_subject_version_is_live_and_by_semantic_version(store: SchemaStore) -> None:
    high = register(store, "s", A, version=SemVer(2, 0, 0), number=1)
    low = register(store, "s", B, version=SemVer(1, 0, 0), number=2)
    assert store.get_subject_version("s", None) == high, "the latest is the highest version, not number"
    assert store.get_subject_version("s", SemVer(1, 0, 0)) == low
    assert store.get_subject_version("s", SemVer(1, 1, 0)) is None
    assert store.get_subject_version("other", None) is None
    soft_delete(store, high)
    assert store.get_subject_version("s", None) == low
    assert store.get_subject_version("s", SemVer(2, 0, 0)) is None


def test_get_version_by_number(store: SchemaStore) -> None:
    first = register(store, "s", A, version=SemVer(2, 0, 0))
    second = register(store, "s", B, version=SemVer(1, 0, 0))
    assert store.get_version_by_number("s", 1, include_deleted=False) == first
    assert store.get_version_by_number("s", None, include_deleted=False) == second, "the highest number"
    assert store.get_version_by_number("s", 3, include_deleted=True) is None
    (deleted,) = soft_delete(store, second)
    assert store.get_version_by_number("s", None, include_deleted=False) == first
    assert store.get_version_by_number("s", None, include_deleted=True) == deleted
    assert store.get_version_by_number("s", 2, include_deleted=False) is None
    assert store.get_version_by_number("s", 2, include_deleted=True) == deleted
    assert store.get_version_by_number("t", None, include_deleted=True) is None


def test_versions_with_content_hash(store: SchemaStore) -> None:
    first = register(store, "s", A)
    register(store, "s", B)
    third = register(store, "s", A, identity="another identity")
    register(store, "t", A)
    assert store.versions_with_content_hash("s", content_hash(A), include_deleted=False) == [first, third]
    (deleted,) = soft_delete(store, first)
    assert store.versions_with_content_hash("s", content_hash(A), include_deleted=False) == [third]
    assert store.versions_with_content_hash("s", content_hash(A), include_deleted=True) == [deleted, third]
    assert store.versions_with_content_hash("s", content_hash(C), include_deleted=True) == []


def test_counts_and_numbers(store: SchemaStore) -> None:
    assert store.subject_version_counts("s") == (0, 0)
    assert store.version_numbers("s", include_deleted=True) == []
    assert store.has_any_version() is False and store.has_any_version("s") is False
    first = register(store, "s", A)
    second = register(store, "s", B)
    register(store, "s", C)
    soft_delete(store, second)
    assert store.subject_version_counts("s") == (2, 3)
    assert store.version_numbers("s", include_deleted=False) == [1, 3]
    assert store.version_numbers("s", include_deleted=True) == [1, 2, 3]
    assert store.has_any_version() is True and store.has_any_version("s") is True
    assert store.has_any_version("t") is False
    soft_delete(store, first)
    hard_delete(store, first, second)
    assert store.subject_version_counts("s") == (1, 1)
    assert store.version_numbers("s", include_deleted=True) == [3]


def test_subject_names_by_code_point_and_literal_prefix(store: SchemaStore) -> None:
    for subject in ["b", "a_b", "a%b", "aXb", "B", "a.b", "ab", "é", "a"]:
        register(store, subject, A)
    assert store.subject_names(None, include_deleted=False) == ["B", "a", "a%b", "a.b", "aXb", "a_b", "ab", "b", "é"]
    assert store.subject_names("a_", include_deleted=False) == ["a_b"], "_ is no wildcard"
    assert store.subject_names("a%", include_deleted=False) == ["a%b"], "nor %"
    assert store.subject_names("A", include_deleted=False) == [], "prefixes are case-sensitive"
    assert store.subject_names("", include_deleted=False) == store.subject_names(None, include_deleted=False)


def test_subject_names_of_soft_deleted_subjects_only_when_asked(store: SchemaStore) -> None:
    soft_delete(store, register(store, "gone", A))
    register(store, "here", A)
    store.set_subject_mode("empty", None)
    assert store.subject_names(None, include_deleted=False) == ["here"]
    assert store.subject_names(None, include_deleted=True) == ["gone", "here"]


def test_global_schema_while_some_version_holds_it(store: SchemaStore) -> None:
    refs = (SchemaReference("x", "base", 1),)
    first = register(store, "s", A, references=refs, identity="i")
    register(store, "t", A, identity="i", fmt=SchemaFormat.JSON)
    schema = store.global_schema(first.global_id)
    assert schema is not None
    assert (schema.global_id, schema.format, schema.content, schema.references) == (
        first.global_id,
        SchemaFormat.JSON,
        A,
        refs,
    )
    assert store.global_schema(first.global_id + 1) is None
    soft_delete(store, first)
    assert store.global_schema(first.global_id) == schema, "soft-deleted versions still hold it"


def test_versions_with_global_id(store: SchemaStore) -> None:
    in_b = register(store, "b", A)
    register(store, "a", B)
    in_a = register(store, "a", A)
    in_a_again = register(store, "a", A)
    assert store.versions_with_global_id(in_b.global_id, include_deleted=False) == [in_a, in_a_again, in_b]
    (deleted,) = soft_delete(store, in_a)
    assert store.versions_with_global_id(in_b.global_id, include_deleted=False) == [in_a_again, in_b]
    assert store.versions_with_global_id(in_b.global_id, include_deleted=True) == [deleted, in_a_again, in_b]
    assert store.versions_with_global_id(99, include_deleted=True) == []


def test_max_global_id(store: SchemaStore) -> None:
    assert store.max_global_id() == 0
    register(store, "s", A)
    register(store, "s", B)
    assert store.max_global_id() == 2


def summary(version: SchemaVersion, count: int) -> SubjectSummary:
    return SubjectSummary(version.subject, version.version, version.id, count)


def test_list_subjects(store: SchemaStore) -> None:
    a_high = register(store, "shop.a", A, version=SemVer(2, 0, 0), number=1)
    register(store, "shop.a", B, version=SemVer(1, 0, 0), number=2)
    c_first = register(store, "shop.c", A)
    c_second = register(store, "shop.c", B)
    soft_delete(store, register(store, "shop.b", A))
    x = register(store, "x", A)
    soft_delete(store, c_second)
    everything = [summary(a_high, 2), summary(c_first, 1), summary(x, 1)]
    assert store.list_subjects(None, None, 10) == everything
    assert store.list_subjects(None, None, 2) == everything[:2]
    assert store.list_subjects(None, "shop.a", 10) == everything[1:]
    assert store.list_subjects(None, "shop.b", 1) == everything[1:2]
    assert store.list_subjects("shop.", None, 10) == everything[:2]
    assert store.list_subjects("shop.", "shop.c", 10) == []
    assert store.list_subjects(None, None, 0) == []


def test_list_versions(store: SchemaStore) -> None:
    v2 = register(store, "s", A, version=SemVer(2, 0, 0), number=1)
    v1 = register(store, "s", B, version=SemVer(1, 0, 0), number=2)
    v1_1 = register(store, "s", C, version=SemVer(1, 1, 0), number=3)
    soft_delete(store, register(store, "s", '{"title": "d"}', version=SemVer(1, 5, 0), number=4))
    assert store.list_versions("s", None, 10) == [v1, v1_1, v2]
    assert store.list_versions("s", None, 2) == [v1, v1_1]
    assert store.list_versions("s", SemVer(1, 0, 0), 10) == [v1_1, v2]
    assert store.list_versions("s", SemVer(1, 2, 0), 10) == [v2]
    assert store.list_versions("s", SemVer(2, 0, 0), 10) == [], "a page past the end"
    assert store.list_versions("unknown", None, 10) is None
    assert store.list_versions("unknown", SemVer(1, 0, 0), 10) == []
    soft_delete(store, v1, v1_1, v2)
    assert store.list_versions("s", None, 10) is None, "no live version: as unknown"


@pytest.fixture
def catalogue(store: SchemaStore) -> dict[str, SchemaVersion]:
    """Versions in registration order: shop.order (JSON), shop.sub.order (AVRO), customer,
    a deprecated and a deleted one."""
    versions = {
        "order": register(store, "shop.order", A, tags=("pii", "gold")),
        "sub": register(store, "shop.sub.order", B, fmt=SchemaFormat.AVRO, tags=("gold",)),
        "customer": register(store, "customer", C, tags=("pii",)),
        "order2": register(store, "shop.order", B, state=SchemaState.DEPRECATED),
        "trailing": register(store, "shop.", A),
    }
    (versions["deleted"],) = soft_delete(store, register(store, "shop.gone", C, tags=("pii",)))
    return versions


def listed(store: SchemaStore, where: SchemaFilter, after: int | None = None, limit: int = 50) -> list[str]:
    return [f"{version.subject}/{version.version_number}" for version in store.list_schemas(where, after, limit)]


def test_list_schemas_live_ones_in_registration_order(store: SchemaStore, catalogue: dict[str, SchemaVersion]) -> None:
    everything = ["shop.order/1", "shop.sub.order/1", "customer/1", "shop.order/2", "shop./1"]
    assert listed(store, SchemaFilter()) == everything
    assert listed(store, SchemaFilter(), limit=2) == everything[:2]
    assert listed(store, SchemaFilter(), after=catalogue["sub"].seq) == everything[2:]
    assert listed(store, SchemaFilter(), after=catalogue["trailing"].seq) == []


FILTERS = [
    (SchemaFilter(state=SchemaState.DELETED), ["shop.gone/1"]),
    (SchemaFilter(state=SchemaState.DEPRECATED), ["shop.order/2"]),
    (SchemaFilter(namespace="shop"), ["shop.order/1", "shop.order/2"]),
    (SchemaFilter(namespace="shop.sub"), ["shop.sub.order/1"]),
    (SchemaFilter(namespace="default"), ["customer/1", "shop./1"]),
    (SchemaFilter(name="order"), ["shop.order/1", "shop.sub.order/1", "shop.order/2"]),
    (SchemaFilter(name="shop."), ["shop./1"]),
    (SchemaFilter(namespace="shop", name="order"), ["shop.order/1", "shop.order/2"]),
    (SchemaFilter(subject_prefix="shop.s"), ["shop.sub.order/1"]),
    (SchemaFilter(format=SchemaFormat.AVRO), ["shop.sub.order/1"]),
    (SchemaFilter(tag="pii"), ["shop.order/1", "customer/1"]),
    (SchemaFilter(tag="pii", state=SchemaState.DELETED), ["shop.gone/1"]),
    (SchemaFilter(tag="gol"), []),
]


def filter_id(where: SchemaFilter) -> str:
    return ",".join(f"{item.name}={getattr(where, item.name)}" for item in fields(where) if getattr(where, item.name))


@pytest.mark.parametrize(("where", "expected"), FILTERS, ids=[filter_id(where) for where, _ in FILTERS])
def test_list_schemas_filters(
    store: SchemaStore, catalogue: dict[str, SchemaVersion], where: SchemaFilter, expected: list[str]
) -> None:
    assert listed(store, where) == expected


def test_tags_and_metadata_come_back_as_jsonb_gives_them(store: SchemaStore) -> None:
    stored = register(
        store,
        "s",
        A,
        tags=("b", "a", "b"),
        metadata={"long key": 1, "b": {"zz": 1, "a": 2}, "a": [3, 1], "e16": 1e16, "e20": 1e20, "tiny": 1e-7},
    )
    assert stored.tags == ("b", "a", "b")
    read = store.get_version(stored.id)
    assert read is not None and read.metadata == stored.metadata
    assert list(read.metadata) == ["a", "b", "e16", "e20", "tiny", "long key"], "shorter keys first, then bytewise"
    assert list(read.metadata["b"]) == ["a", "zz"]
    assert type(read.metadata["e16"]) is int, "jsonb prints 1e16 as an integer"
    assert type(read.metadata["e20"]) is float, "which orjson reads as a float beyond 64 bits"
    assert type(read.metadata["tiny"]) is float
