"""Confluent Schema Registry's API at the root of the API port, over the real app (PostgreSQL, Redis).

Decisions these tests pin down:
- A schema id that is not a positive 32-bit integer (``abc``, ``0``, ``-1``) names no schema:
  404 / 40403 (Confluent itself answers a non-integer id with Jersey's bare 404 / 404; 40403 is
  what client libraries act on).
- A version label that is no version (``abc``, ``0``) is 422 / 42202, as in Confluent.
- Query booleans are case-insensitive (the Python client sends ``True``); anything but true/false
  is 422 / 422.
- 50001 / 50002 (store unavailable / busy) are covered in tests/unit/test_confluent_errors.py:
  provoking them here would take the shared database down.
"""

from __future__ import annotations

import base64
import random
import uuid
from typing import Any
from urllib.parse import quote

import hypothesis
import orjson
import pytest
from falcon import testing
from google.protobuf import descriptor_pb2
from hypothesis import strategies as st

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"
HEADERS = {"Content-Type": MEDIA_TYPE}


def record(namespace: str, *extra_fields: dict[str, Any], name: str = "User") -> str:
    fields = [{"name": "id", "type": "string"}, *extra_fields]
    return orjson.dumps({"type": "record", "name": name, "namespace": namespace, "fields": fields}).decode()


EMAIL = {"name": "email", "type": ["null", "string"], "default": None}
AGE = {"name": "age", "type": "int", "default": 0}
AGE_WITHOUT_DEFAULT = {"name": "age", "type": "int"}  # BACKWARD-incompatible: old data has no age


def post(client: testing.TestClient, path: str, body: Any, **query: str) -> testing.Result:
    return client.simulate_post(path, body=orjson.dumps(body), headers=HEADERS, params=query or None)


def put(client: testing.TestClient, path: str, body: Any, **query: str) -> testing.Result:
    return client.simulate_put(path, body=orjson.dumps(body), headers=HEADERS, params=query or None)


def register(client: testing.TestClient, subject: str, schema: str, **extra: Any) -> testing.Result:
    return post(client, f"/subjects/{subject}/versions", {"schema": schema, **extra})


def ok(response: testing.Result) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    return orjson.loads(response.content)


def assert_error(response: testing.Result, status: int, error_code: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    body = orjson.loads(response.content)
    assert set(body) == {"error_code", "message"}, body
    assert body["error_code"] == error_code, body
    assert isinstance(body["message"], str) and body["message"]
    return body["message"]


@pytest.fixture
def namespace() -> str:
    """An Avro namespace no other test uses, so that schemas (and their global ids) are this test's own."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def other_subject() -> str:
    return f"test.{uuid.uuid4().hex[:12]}.other"


@pytest.fixture
def free_global_id() -> int:
    """An id far above what the id sequence hands out during a test run."""
    return random.randint(1_500_000_000, 2_000_000_000)


# -- the happy paths -------------------------------------------------------------------------


class TestRootTypesAndContexts:
    def test_root_is_an_empty_object(self, client):
        assert ok(client.simulate_get("/")) == {}

    def test_contexts(self, client):
        assert ok(client.simulate_get("/contexts")) == ["."]

    def test_schema_types(self, client):
        assert sorted(ok(client.simulate_get("/schemas/types"))) == ["AVRO", "JSON", "PROTOBUF"]


class TestRegistration:
    def test_versions_are_1_2_3(self, client, subject, namespace):
        schemas = [record(namespace), record(namespace, EMAIL), record(namespace, EMAIL, AGE)]
        registered = [ok(register(client, subject, schema)) for schema in schemas]
        assert [body["version"] for body in registered] == [1, 2, 3]
        assert len({body["id"] for body in registered}) == 3
        first = registered[0]
        # A registration answers where it landed, not the schema: Confluent's client would cache
        # that text as the id's schema (see documents.registration_document).
        assert first == {"subject": subject, "version": 1, "id": first["id"]}
        # Avro is Confluent's default: no schemaType, and no references when there are none.
        documents = [dict(body, schema=schema) for body, schema in zip(registered, schemas, strict=True)]

        assert ok(client.simulate_get(f"/subjects/{subject}/versions")) == [1, 2, 3]
        assert ok(client.simulate_get(f"/subjects/{subject}/versions/1")) == documents[0]
        assert ok(client.simulate_get(f"/subjects/{subject}/versions/2")) == documents[1]
        assert ok(client.simulate_get(f"/subjects/{subject}/versions/latest")) == documents[2]
        assert ok(client.simulate_get(f"/subjects/{subject}/versions/-1")) == documents[2]
        text = client.simulate_get(f"/subjects/{subject}/versions/2/schema")
        assert text.status_code == 200 and text.headers["content-type"] == MEDIA_TYPE
        assert text.text == schemas[1]
        assert ok(client.simulate_get(f"/subjects/{subject}/versions", params={"offset": "1", "limit": "1"})) == [2]

    def test_registering_again_answers_the_same_version(self, client, subject, namespace):
        first = ok(register(client, subject, record(namespace)))
        again = ok(register(client, subject, record(namespace), metadata={"properties": {}}, ruleSet=None))
        assert again == first
        assert ok(client.simulate_get(f"/subjects/{subject}/versions")) == [1]

    def test_subjects_listing_with_prefix_and_deleted(self, client, namespace):
        subjects = [f"{namespace}.a", f"{namespace}.b"]
        for name in subjects:
            ok(register(client, name, record(namespace)))
        assert ok(client.simulate_get("/subjects", params={"subjectPrefix": namespace})) == subjects
        ok(client.simulate_delete(f"/subjects/{subjects[0]}"))
        assert ok(client.simulate_get("/subjects", params={"subjectPrefix": namespace})) == subjects[1:]
        listed = ok(client.simulate_get("/subjects", params={"subjectPrefix": namespace, "deleted": "True"}))
        assert listed == subjects
        everything = ok(client.simulate_get("/subjects"))
        assert subjects[1] in everything and subjects[0] not in everything

    def test_ids_are_content_addressed(self, client, subject, other_subject, namespace):
        schema = record(namespace)
        one = ok(register(client, subject, schema))
        two = ok(register(client, other_subject, schema))
        assert one["id"] == two["id"]
        different = ok(register(client, other_subject, record(namespace, EMAIL)))
        assert different["id"] != one["id"]

        assert ok(client.simulate_get(f"/schemas/ids/{one['id']}/subjects")) == sorted([subject, other_subject])
        assert ok(client.simulate_get(f"/schemas/ids/{one['id']}/versions")) == sorted(
            [{"subject": subject, "version": 1}, {"subject": other_subject, "version": 1}],
            key=lambda entry: entry["subject"],
        )

    def test_avro_spellings_of_one_schema_share_an_id(self, client, subject, other_subject, namespace):
        full_names = {"type": "record", "name": f"{namespace}.Q", "fields": [{"name": "s", "type": "string"}]}
        namespaced = {
            "type": "record",
            "namespace": namespace,
            "name": "Q",
            "fields": [{"name": "s", "type": {"type": "string"}}],
        }
        first = ok(register(client, subject, orjson.dumps(full_names).decode()))
        second = ok(register(client, other_subject, orjson.dumps(namespaced).decode()))
        assert first["id"] == second["id"]

    def test_schema_by_id(self, client, subject, namespace):
        schema = record(namespace)
        registered = ok(register(client, subject, schema))
        assert ok(client.simulate_get(f"/schemas/ids/{registered['id']}")) == {"schema": schema}
        # subject (a context selector in Confluent) is accepted; fetchMaxId adds the highest id given.
        query = {"subject": subject, "fetchMaxId": "False"}
        assert ok(client.simulate_get(f"/schemas/ids/{registered['id']}", params=query)) == {"schema": schema}
        newer = ok(register(client, f"{subject}-other", record(namespace + ".other")))
        with_max = ok(client.simulate_get(f"/schemas/ids/{registered['id']}", params={"fetchMaxId": "true"}))
        assert with_max["schema"] == schema and with_max["maxId"] >= newer["id"] > registered["id"]
        text = client.simulate_get(f"/schemas/ids/{registered['id']}/schema")
        assert text.status_code == 200 and text.text == schema

    def test_json_schema_carries_its_type(self, client, subject):
        schema = orjson.dumps({"type": "object", "properties": {"n": {"type": "integer"}}, "title": subject}).decode()
        registered = ok(register(client, subject, schema, schemaType="JSON"))
        version = ok(client.simulate_get(f"/subjects/{subject}/versions/1"))
        assert version["schemaType"] == "JSON" and version["schema"] == schema
        assert ok(client.simulate_get(f"/schemas/ids/{registered['id']}")) == {"schema": schema, "schemaType": "JSON"}

    def test_protobuf_serialized_format(self, client, subject, namespace):
        proto = f'syntax = "proto3";\npackage {namespace};\nmessage Ping {{ string id = 1; }}\n'
        registered = ok(register(client, subject, proto, schemaType="PROTOBUF"))
        plain = ok(client.simulate_get(f"/schemas/ids/{registered['id']}"))
        assert plain == {"schema": proto, "schemaType": "PROTOBUF"}
        serialized = ok(client.simulate_get(f"/schemas/ids/{registered['id']}", params={"format": "serialized"}))
        assert serialized["schemaType"] == "PROTOBUF"
        by_version = ok(client.simulate_get(f"/subjects/{subject}/versions/1", params={"format": "serialized"}))
        assert by_version["schema"] == serialized["schema"] and by_version["schemaType"] == "PROTOBUF"
        text = client.simulate_get(f"/schemas/ids/{registered['id']}/schema", params={"format": "SERIALIZED"}).text
        assert text == serialized["schema"]
        descriptor = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(serialized["schema"]))
        assert descriptor.package == namespace and [m.name for m in descriptor.message_type] == ["Ping"]
        assert ok(client.simulate_get(f"/schemas/ids/{registered['id']}", params={"format": "default"})) == plain

    def test_serialized_format_is_for_protobuf_only(self, client, subject, namespace):
        registered = ok(register(client, subject, record(namespace)))
        for path in (f"/schemas/ids/{registered['id']}", f"/subjects/{subject}/versions/1"):
            assert_error(client.simulate_get(path, params={"format": "serialized"}), 422, 422)
            assert_error(client.simulate_get(path, params={"format": "yaml"}), 422, 422)

    def test_lookup(self, client, subject, namespace):
        registered = ok(register(client, subject, record(namespace)))
        found = ok(post(client, f"/subjects/{subject}", {"schema": record(namespace)}, normalize="true"))
        assert found == dict(registered, schema=record(namespace))
        assert_error(post(client, f"/subjects/{subject}", {"schema": record(namespace, EMAIL)}), 404, 40403)
        ok(client.simulate_delete(f"/subjects/{subject}"))
        assert_error(post(client, f"/subjects/{subject}", {"schema": record(namespace)}), 404, 40401)
        assert ok(post(client, f"/subjects/{subject}", {"schema": record(namespace)}, deleted="true")) == found


class TestReferences:
    def test_reference_is_stored_listed_and_protected(self, client, subject, other_subject, namespace):
        address = record(namespace, name="Address")
        base = ok(register(client, other_subject, address))
        user = orjson.dumps(
            {
                "type": "record",
                "name": "User",
                "namespace": namespace,
                "fields": [{"name": "home", "type": f"{namespace}.Address"}],
            }
        ).decode()
        references = [{"name": f"{namespace}.Address", "subject": other_subject, "version": 1}]
        registered = ok(register(client, subject, user, references=references))
        assert ok(client.simulate_get(f"/subjects/{subject}/versions/1"))["references"] == references
        assert ok(client.simulate_get(f"/schemas/ids/{registered['id']}")) == {"schema": user, "references": references}
        assert ok(client.simulate_get(f"/subjects/{other_subject}/versions/1/referencedby")) == [registered["id"]]
        assert ok(client.simulate_get(f"/subjects/{other_subject}/versions/1"))["id"] == base["id"]

        assert_error(client.simulate_delete(f"/subjects/{other_subject}/versions/1"), 422, 42206)
        assert_error(client.simulate_delete(f"/subjects/{other_subject}"), 422, 42206)
        # Once the user is gone, the base version may go.
        ok(client.simulate_delete(f"/subjects/{subject}"))
        ok(client.simulate_delete(f"/subjects/{subject}", params={"permanent": "true"}))
        assert ok(client.simulate_delete(f"/subjects/{other_subject}/versions/1")) == 1

    def test_a_latest_reference_is_pinned_to_the_version_it_meant(self, client, subject, other_subject, namespace):
        ok(put(client, f"/config/{other_subject}", {"compatibility": "NONE"}))
        ok(register(client, other_subject, record(namespace, name="Address")))
        latest = ok(register(client, other_subject, record(namespace, EMAIL, name="Address")))
        user = orjson.dumps(
            {
                "type": "record",
                "name": "User",
                "namespace": namespace,
                "fields": [{"name": "home", "type": f"{namespace}.Address"}],
            }
        ).decode()
        ok(
            register(
                client,
                subject,
                user,
                references=[{"name": f"{namespace}.Address", "subject": other_subject, "version": -1}],
            )
        )
        stored = ok(client.simulate_get(f"/subjects/{subject}/versions/1"))["references"]
        assert stored == [{"name": f"{namespace}.Address", "subject": other_subject, "version": latest["version"]}]


class TestCompatibility:
    def test_against_one_version_and_against_the_subject(self, client, subject, namespace):
        ok(register(client, subject, record(namespace)))
        for path in (
            f"/compatibility/subjects/{subject}/versions/latest",
            f"/compatibility/subjects/{subject}/versions/1",
            f"/compatibility/subjects/{subject}/versions",
        ):
            assert ok(post(client, path, {"schema": record(namespace, EMAIL)})) == {"is_compatible": True}
            verbose = ok(post(client, path, {"schema": record(namespace, EMAIL)}, verbose="True"))
            assert verbose == {"is_compatible": True, "messages": []}
            refused = ok(post(client, path, {"schema": record(namespace, AGE_WITHOUT_DEFAULT)}, verbose="true"))
            assert refused["is_compatible"] is False
            assert refused["messages"] and all(isinstance(m, str) and m for m in refused["messages"])
            assert ok(post(client, path, {"schema": record(namespace, AGE_WITHOUT_DEFAULT)})) == {
                "is_compatible": False
            }
        assert ok(client.simulate_get(f"/subjects/{subject}/versions")) == [1]  # nothing was stored


class TestConfig:
    def test_subject_level(self, client, subject):
        assert_error(client.simulate_get(f"/config/{subject}"), 404, 40408)
        global_level = ok(client.simulate_get("/config"))["compatibilityLevel"]
        assert ok(client.simulate_get(f"/config/{subject}", params={"defaultToGlobal": "TRUE"})) == {
            "compatibilityLevel": global_level
        }
        assert ok(put(client, f"/config/{subject}", {"compatibility": "full"})) == {"compatibility": "FULL"}
        assert ok(client.simulate_get(f"/config/{subject}")) == {"compatibilityLevel": "FULL"}
        assert ok(client.simulate_delete(f"/config/{subject}")) == {"compatibilityLevel": "FULL"}
        assert_error(client.simulate_get(f"/config/{subject}"), 404, 40408)

    def test_subject_level_decides_registrations(self, client, subject, namespace):
        ok(put(client, f"/config/{subject}", {"compatibility": "NONE"}))
        ok(register(client, subject, record(namespace)))
        assert ok(register(client, subject, record(namespace, AGE_WITHOUT_DEFAULT)))["version"] == 2

    def test_global_level(self, client):
        before = ok(client.simulate_get("/config"))["compatibilityLevel"]
        try:
            assert ok(put(client, "/config", {"compatibility": "FORWARD_TRANSITIVE"})) == {
                "compatibility": "FORWARD_TRANSITIVE"
            }
            assert ok(client.simulate_get("/config")) == {"compatibilityLevel": "FORWARD_TRANSITIVE"}
            assert ok(client.simulate_delete("/config")) == {"compatibilityLevel": "FORWARD_TRANSITIVE"}
            assert ok(client.simulate_get("/config")) == {"compatibilityLevel": "BACKWARD"}
        finally:
            put(client, "/config", {"compatibility": before})


class TestMode:
    def test_subject_level(self, client, subject):
        assert_error(client.simulate_get(f"/mode/{subject}"), 404, 40409)
        assert ok(client.simulate_get(f"/mode/{subject}", params={"defaultToGlobal": "true"})) == {
            "mode": ok(client.simulate_get("/mode"))["mode"]
        }
        assert ok(put(client, f"/mode/{subject}", {"mode": "READONLY"})) == {"mode": "READONLY"}
        assert ok(client.simulate_get(f"/mode/{subject}")) == {"mode": "READONLY"}
        assert ok(client.simulate_delete(f"/mode/{subject}")) == {"mode": "READONLY"}
        assert_error(client.simulate_get(f"/mode/{subject}"), 404, 40409)
        assert_error(client.simulate_delete(f"/mode/{subject}"), 404, 40409)
        assert_error(client.simulate_delete(f"/mode/{subject}.unknown"), 404, 40401)

    def test_global_mode(self, client):
        assert ok(client.simulate_get("/mode")) == {"mode": "READWRITE"}
        assert ok(put(client, "/mode", {"mode": "READWRITE"}, force="False")) == {"mode": "READWRITE"}

    def test_global_import_needs_force_when_schemas_exist(self, client, subject, namespace):
        ok(register(client, subject, record(namespace)))
        try:
            assert_error(put(client, "/mode", {"mode": "IMPORT"}), 422, 42205)
            assert ok(put(client, "/mode", {"mode": "IMPORT"}, force="True")) == {"mode": "IMPORT"}
        finally:
            ok(put(client, "/mode", {"mode": "READWRITE"}))

    def test_readonly_refuses_registration_through_both_apis(self, client, subject, namespace):
        ok(register(client, subject, record(namespace)))
        ok(put(client, f"/mode/{subject}", {"mode": "READONLY"}))
        assert_error(register(client, subject, record(namespace, EMAIL)), 422, 42205)
        assert_error(client.simulate_delete(f"/subjects/{subject}/versions/1"), 422, 42205)
        legacy = client.simulate_post(
            "/api/v1/schemas", json={"subject": subject, "schema": record(namespace, EMAIL), "schema_type": "avro"}
        )
        assert legacy.status_code == 422, legacy.text
        assert legacy.headers["content-type"] == "application/json"
        assert legacy.json["code"] == "READ_ONLY_MODE" and legacy.json["error"] and legacy.json["request_id"]
        ok(client.simulate_delete(f"/mode/{subject}"))
        assert ok(register(client, subject, record(namespace, EMAIL)))["version"] == 2

    def test_import_keeps_the_given_id_and_version(self, client, subject, namespace, free_global_id):
        ok(put(client, f"/mode/{subject}", {"mode": "IMPORT"}))
        schema = record(namespace)
        imported = ok(register(client, subject, schema, id=free_global_id, version=5))
        assert (imported["id"], imported["version"]) == (free_global_id, 5)
        assert ok(client.simulate_get(f"/schemas/ids/{free_global_id}")) == {"schema": schema}
        assert ok(client.simulate_get(f"/subjects/{subject}/versions")) == [5]
        legacy = client.simulate_get(f"/api/v1/subjects/{subject}/versions")
        assert legacy.status_code == 200, legacy.text
        assert [item["version"] for item in legacy.json["items"]] == ["5.0.0"]


class TestDeletion:
    def test_soft_then_permanent_subject_delete(self, client, subject, namespace):
        ok(register(client, subject, record(namespace)))
        ok(register(client, subject, record(namespace, EMAIL)))
        assert_error(client.simulate_delete(f"/subjects/{subject}", params={"permanent": "true"}), 404, 40405)
        assert ok(client.simulate_delete(f"/subjects/{subject}")) == [1, 2]
        assert_error(client.simulate_get(f"/subjects/{subject}/versions"), 404, 40401)
        assert ok(client.simulate_get(f"/subjects/{subject}/versions", params={"deleted": "true"})) == [1, 2]
        assert ok(client.simulate_get(f"/subjects/{subject}/versions/1", params={"deleted": "True"}))["version"] == 1
        assert_error(client.simulate_get(f"/subjects/{subject}/versions/1"), 404, 40401)
        assert_error(client.simulate_delete(f"/subjects/{subject}"), 404, 40404)
        assert ok(client.simulate_delete(f"/subjects/{subject}", params={"permanent": "true"})) == [1, 2]
        assert_error(client.simulate_get(f"/subjects/{subject}/versions", params={"deleted": "true"}), 404, 40401)

    def test_soft_then_permanent_version_delete(self, client, subject, namespace):
        first = ok(register(client, subject, record(namespace)))
        ok(register(client, subject, record(namespace, EMAIL)))
        assert_error(
            client.simulate_delete(f"/subjects/{subject}/versions/1", params={"permanent": "true"}), 404, 40407
        )
        assert ok(client.simulate_delete(f"/subjects/{subject}/versions/1")) == 1
        assert_error(client.simulate_delete(f"/subjects/{subject}/versions/1"), 404, 40406)
        assert_error(client.simulate_get(f"/subjects/{subject}/versions/1"), 404, 40402)
        assert ok(client.simulate_get(f"/subjects/{subject}/versions")) == [2]
        assert ok(client.simulate_get(f"/subjects/{subject}/versions", params={"deleted": "true"})) == [1, 2]
        # Soft-deleted, the schema stays readable by id.
        assert ok(client.simulate_get(f"/schemas/ids/{first['id']}"))["schema"] == record(namespace)
        assert ok(client.simulate_delete(f"/subjects/{subject}/versions/1", params={"permanent": "true"})) == 1
        assert_error(client.simulate_get(f"/subjects/{subject}/versions/1", params={"deleted": "true"}), 404, 40402)


class TestBothApisShareTheStore:
    def test_a_schema_registered_through_api_v1_is_version_1_with_a_global_id(self, client, subject):
        schema = {"type": "object", "properties": {"tag": {"type": "string", "const": subject}}}
        created = client.simulate_post("/api/v1/schemas", json={"subject": subject, "schema": schema})
        assert created.status_code == 201, created.text
        content = client.simulate_get(f"/api/v1/schemas/{created.json['id']}").json["content"]

        version = ok(client.simulate_get(f"/subjects/{subject}/versions/1"))
        assert version["subject"] == subject and version["version"] == 1
        assert version["schemaType"] == "JSON" and version["schema"] == content
        assert ok(client.simulate_get(f"/schemas/ids/{version['id']}")) == {"schema": content, "schemaType": "JSON"}

    def test_api_v1_errors_keep_their_shape(self, client):
        for path in ("/nope", "/api/v1/nope", f"/api/v1/schemas/{uuid.uuid4()}"):
            response = client.simulate_get(path)
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/json"
            assert set(response.json) >= {"error", "code", "request_id"} and "error_code" not in response.json


class TestSubjectNamesWithSlashesAndPercents:
    """confluent-kafka names a Protobuf import's subject after its file (``shop/money.proto``) and
    sends the slash as %2F, which the WSGI server decodes before routing."""

    @pytest.mark.parametrize("suffix", ["shop/money.proto", "50%off", "a%2Fb literally", "ü/ß"])
    def test_round_trip(self, client, namespace, suffix):
        name = f"{namespace}/{suffix}"
        encoded = quote(name, safe="")
        registered = ok(register(client, encoded, record(namespace)))
        assert registered["subject"] == name
        assert ok(client.simulate_get(f"/subjects/{encoded}/versions/1"))["subject"] == name
        assert ok(client.simulate_get(f"/subjects/{encoded}/versions")) == [1]
        assert name in ok(client.simulate_get("/subjects", params={"subjectPrefix": namespace}))
        assert ok(put(client, f"/config/{encoded}", {"compatibility": "NONE"})) == {"compatibility": "NONE"}
        assert ok(client.simulate_get(f"/schemas/ids/{registered['id']}/subjects")) == [name]
        assert ok(client.simulate_delete(f"/subjects/{encoded}")) == [1]

    def test_an_unencoded_slash_still_separates_segments(self, client, namespace):
        ok(register(client, quote(f"{namespace}/x", safe=""), record(namespace)))
        assert_error(client.simulate_get(f"/subjects/{namespace}/x/versions"), 404, 404)


# -- every error code ------------------------------------------------------------------------


class TestErrorCodes:
    def test_40401_subject_not_found(self, client):
        assert_error(client.simulate_get(f"/subjects/nobody.{uuid.uuid4().hex}/versions"), 404, 40401)
        assert_error(client.simulate_get(f"/subjects/nobody.{uuid.uuid4().hex}/versions/latest"), 404, 40401)
        assert_error(client.simulate_delete(f"/config/nobody.{uuid.uuid4().hex}"), 404, 40401)

    def test_40402_version_not_found(self, client, subject, namespace):
        ok(register(client, subject, record(namespace)))
        assert_error(client.simulate_get(f"/subjects/{subject}/versions/9"), 404, 40402)
        assert_error(
            post(client, f"/compatibility/subjects/{subject}/versions/9", {"schema": record(namespace)}), 404, 40402
        )

    @pytest.mark.parametrize("schema_id", ["2147483647", "abc", "0", "-1", "1.5", "99999999999"])
    def test_40403_schema_not_found(self, client, schema_id):
        # A schema id that is no positive 32-bit integer names no schema: 40403, not Jersey's bare 404.
        for suffix in ("", "/schema", "/subjects", "/versions"):
            assert_error(client.simulate_get(f"/schemas/ids/{schema_id}{suffix}"), 404, 40403)

    def test_40404_to_40407_soft_deletion(self, client, subject, namespace):
        ok(register(client, subject, record(namespace)))
        assert_error(client.simulate_delete(f"/subjects/{subject}", params={"permanent": "true"}), 404, 40405)
        assert_error(
            client.simulate_delete(f"/subjects/{subject}/versions/1", params={"permanent": "true"}), 404, 40407
        )
        ok(client.simulate_delete(f"/subjects/{subject}/versions/1"))
        assert_error(client.simulate_delete(f"/subjects/{subject}/versions/1"), 404, 40406)
        assert_error(client.simulate_delete(f"/subjects/{subject}"), 404, 40404)

    def test_40408_and_40409_no_subject_level_setting(self, client, subject, namespace):
        assert_error(client.simulate_get(f"/config/{subject}", params={"defaultToGlobal": "false"}), 404, 40408)
        assert_error(client.simulate_get(f"/mode/{subject}"), 404, 40409)
        assert_error(client.simulate_delete(f"/config/{subject}"), 404, 40401)  # never heard of
        ok(register(client, subject, record(namespace)))
        assert_error(client.simulate_delete(f"/config/{subject}"), 404, 40408)
        assert_error(client.simulate_delete(f"/mode/{subject}"), 404, 40409)

    def test_409_incompatible(self, client, subject, namespace):
        ok(register(client, subject, record(namespace)))
        message = assert_error(register(client, subject, record(namespace, AGE_WITHOUT_DEFAULT)), 409, 409)
        assert "age" in message  # the incompatibilities are spelled out
        assert ok(client.simulate_get(f"/subjects/{subject}/versions")) == [1]

    @pytest.mark.parametrize(
        "body",
        [
            {"schema": '{"type": "record", "name": "X"}'},  # an Avro record without fields
            {"schema": "not json at all"},
            {"schema": '{"type": "object", "properties": 5}', "schemaType": "JSON"},
            {"schema": 'syntax = "proto3"; message X { strin a = 1; }', "schemaType": "PROTOBUF"},
            {"schema": '{"type": "string"}', "schemaType": "XML"},
            {"schema": ""},
            {},
        ],
    )
    def test_42201_invalid_schema(self, client, subject, body):
        assert_error(post(client, f"/subjects/{subject}/versions", body), 422, 42201)

    @pytest.mark.parametrize("label", ["abc", "0", "2147483648", "1.0.0"])
    def test_42202_invalid_version(self, client, subject, namespace, label):
        ok(register(client, subject, record(namespace)))
        assert_error(client.simulate_get(f"/subjects/{subject}/versions/{label}"), 422, 42202)
        assert_error(client.simulate_delete(f"/subjects/{subject}/versions/{label}"), 422, 42202)

    def test_42202_invalid_version_in_a_registration(self, client, subject, namespace):
        assert_error(register(client, subject, record(namespace), version="two"), 422, 42202)

    @pytest.mark.parametrize("body", [{"compatibility": "SIDEWAYS"}, {"compatibility": 3}, {}])
    def test_42203_invalid_compatibility_level(self, client, subject, body):
        assert_error(put(client, f"/config/{subject}", body), 422, 42203)
        assert_error(put(client, "/config", body), 422, 42203)

    @pytest.mark.parametrize("body", [{"mode": "SIDEWAYS"}, {"mode": None}, {}])
    def test_42204_invalid_mode(self, client, subject, body):
        assert_error(put(client, f"/mode/{subject}", body), 422, 42204)
        assert_error(put(client, "/mode", body), 422, 42204)

    def test_42205_operation_not_permitted(self, client, subject, namespace):
        ok(put(client, f"/mode/{subject}", {"mode": "READONLY"}))
        assert_error(register(client, subject, record(namespace)), 422, 42205)

    def test_42205_import_mode_on_a_subject_with_versions_needs_force(self, client, subject, namespace):
        ok(register(client, subject, record(namespace)))
        assert_error(put(client, f"/mode/{subject}", {"mode": "IMPORT"}), 422, 42205)
        assert ok(put(client, f"/mode/{subject}", {"mode": "IMPORT"}, force="true")) == {"mode": "IMPORT"}

    def test_42206_referenced_version(self, client, subject, other_subject, namespace):
        ok(register(client, other_subject, record(namespace, name="Address")))
        user = orjson.dumps(
            {
                "type": "record",
                "name": "User",
                "namespace": namespace,
                "fields": [{"name": "home", "type": f"{namespace}.Address"}],
            }
        ).decode()
        ok(
            register(
                client,
                subject,
                user,
                references=[{"name": f"{namespace}.Address", "subject": other_subject, "version": 1}],
            )
        )
        assert_error(client.simulate_delete(f"/subjects/{other_subject}/versions/1"), 422, 42206)

    @pytest.mark.parametrize(
        "body",
        [
            {"schema": '{"type": "string"}', "references": "nope"},
            {"schema": '{"type": "string"}', "references": [{"name": "a", "subject": "b", "version": "1"}]},
            {"schema": '{"type": "string"}', "references": [{"subject": "b", "version": 1}]},
            {"schema": '{"type": "string"}', "id": "seven"},
            {"schema": {"type": "string"}},
            ["not", "an", "object"],
        ],
    )
    def test_422_bad_request_body(self, client, subject, body):
        assert_error(post(client, f"/subjects/{subject}/versions", body), 422, 422)

    @pytest.mark.parametrize(
        ("path", "name"),
        [
            ("/subjects", "deleted"),
            ("/subjects/{s}/versions", "deleted"),
            ("/subjects", "offset"),
            ("/subjects", "limit"),
        ],
    )
    def test_422_bad_query_parameter(self, client, subject, namespace, path, name):
        ok(register(client, subject, record(namespace)))
        value = "maybe" if name == "deleted" else "-x"
        assert_error(client.simulate_get(path.replace("{s}", subject), params={name: value}), 422, 422)

    def test_http_level_errors_speak_confluent_on_its_paths(self, client, subject):
        assert_error(client.simulate_get(f"/subjects/{subject}/versions/1/nope"), 404, 404)
        assert_error(client.simulate_patch(f"/subjects/{subject}"), 405, 405)
        assert_error(
            client.simulate_post(f"/subjects/{subject}/versions", body=b"{}", headers={"Content-Type": "text/plain"}),
            415,
            415,
        )
        assert_error(
            client.simulate_post(f"/subjects/{subject}/versions", body=b'{"schema": ', headers=HEADERS), 400, 400
        )
        huge = b'{"schema": "' + b" " * (1024 * 1024 + 1) + b'"}'
        assert_error(client.simulate_post(f"/subjects/{subject}/versions", body=huge, headers=HEADERS), 413, 413)

    @pytest.mark.parametrize(
        "content_type",
        [
            "application/vnd.schemaregistry.v1+json",
            "application/vnd.schemaregistry+json",
            "application/json",
            "application/octet-stream",
            None,
        ],
    )
    def test_request_media_types(self, client, subject, namespace, content_type):
        headers = {"Content-Type": content_type} if content_type else {}
        response = client.simulate_post(
            f"/subjects/{subject}/versions", body=orjson.dumps({"schema": record(namespace)}), headers=headers
        )
        assert ok(response)["version"] == 1


# -- hostile input ---------------------------------------------------------------------------

CONFLUENT_ROUTES = [
    ("POST", "/subjects/{s}/versions"),
    ("POST", "/subjects/{s}"),
    ("POST", "/compatibility/subjects/{s}/versions"),
    ("POST", "/compatibility/subjects/{s}/versions/{v}"),
    ("PUT", "/config/{s}"),
    ("PUT", "/mode/{s}"),
    ("GET", "/subjects/{s}/versions/{v}"),
    ("GET", "/schemas/ids/{v}"),
    ("DELETE", "/subjects/{s}/versions/{v}"),
    ("GET", "/subjects/{s}/versions/{v}/referencedby"),
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)
request_bodies = (
    st.dictionaries(
        st.sampled_from(["schema", "schemaType", "references", "id", "version", "compatibility", "mode", "metadata"]),
        json_values,
        max_size=5,
    )
    | json_values
)
path_parts = st.sampled_from(["1", "latest", "-1", "0", "abc", "99999999999", "%20", "x.y", "ü"])


@hypothesis.settings(
    max_examples=150, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@hypothesis.given(
    route=st.sampled_from(CONFLUENT_ROUTES),
    body=request_bodies,
    version=path_parts,
    flag=st.sampled_from([None, None, None, "true", "True", "FALSE", "maybe", ""]),
)
def test_hostile_requests_get_a_confluent_4xx(client, route, body, version, flag):
    method, template = route
    path = template.replace("{s}", f"hostile.{version}").replace("{v}", version)
    response = client.simulate_request(
        method,
        path,
        body=orjson.dumps(body),
        headers=HEADERS,
        params=None if flag is None else {"deleted": flag, "verbose": flag},
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == MEDIA_TYPE
        error = orjson.loads(response.content)
        assert isinstance(error["error_code"], int) and isinstance(error["message"], str) and error["message"]
