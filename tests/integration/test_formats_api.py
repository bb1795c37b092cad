"""A subject's life in each format over HTTP: register, evolve, refuse, relax the mode,
deprecate, validate, delete."""

from __future__ import annotations

import uuid

import pytest

AVRO_V1 = {
    "type": "record",
    "name": "User",
    "namespace": "llm",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "age", "type": ["null", "int"], "default": None},
    ],
}
AVRO_V2 = {**AVRO_V1, "fields": [*AVRO_V1["fields"], {"name": "email", "type": "string", "default": ""}]}
AVRO_BREAKING = {**AVRO_V1, "fields": [*AVRO_V1["fields"], {"name": "country", "type": "string"}]}

PROTO_V1 = """syntax = "proto3";
package llm.v1;
import "google/protobuf/timestamp.proto";
message ToolCall {
  string name = 1;
  map<string, string> arguments = 2;
  google.protobuf.Timestamp at = 3;
  oneof target { string url = 4; int64 queue = 5; }
}
message Reply { string text = 1; }
"""
PROTO_V2 = PROTO_V1.replace(
    "message Reply { string text = 1; }", "message Reply { string text = 1; int32 tokens = 2; }"
)
PROTO_BREAKING = PROTO_V1.replace("string name = 1;", "int64 name = 1;")

JSON_V1 = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
JSON_V2 = {"type": "object", "properties": {"answer": {"type": ["string", "null"]}}, "required": ["answer"]}
JSON_BREAKING = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}

CASES = {
    "AVRO": (AVRO_V1, AVRO_V2, AVRO_BREAKING, {"id": "u1", "age": 30}, {"id": 5}),
    "PROTOBUF": (
        PROTO_V1,
        PROTO_V2,
        PROTO_BREAKING,
        {"name": "search", "arguments": {"q": "x"}, "queue": "7"},
        {"name": 5, "nope": 1},
    ),
    "JSON": (JSON_V1, JSON_V2, JSON_BREAKING, {"answer": "42"}, {"answer": 42}),
}


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_subject_life(client, fmt):
    v1, v2, breaking, good, bad = CASES[fmt]
    subject = f"life.{fmt.lower()}.{uuid.uuid4().hex[:8]}"

    def register(schema):  # noqa: ANN001, ANN202
        return client.simulate_post(
            "/api/v1/schemas", json={"subject": subject, "schema": schema, "schema_type": fmt.lower()}
        )

    first = register(v1)
    assert first.status_code == 201, first.json
    stored = client.simulate_get(f"/api/v1/schemas/{first.json['id']}").json
    assert stored["format"] == fmt
    assert stored["schema"] == v1

    second = register(v2)
    assert second.status_code == 201 and second.json["version"] == "1.1.0", second.json
    assert register(v2).status_code == 200  # the same content again

    refused = register(breaking)
    assert refused.status_code == 409 and refused.json["code"] == "INCOMPATIBLE_SCHEMA"
    assert all({"type", "path", "message", "version"} <= set(v) for v in refused.json["violations"])

    dry_run = client.simulate_post(
        f"/api/v1/subjects/{subject}/compatibility", json={"schema": breaking, "schema_type": fmt}
    )
    assert dry_run.json["is_compatible"] is False

    client.simulate_put(f"/api/v1/subjects/{subject}/config", json={"compatibility_mode": "NONE"})
    relaxed = register(breaking)
    assert relaxed.status_code == 201 and relaxed.json["version"] == "2.0.0"

    ok = client.simulate_post(f"/api/v1/validate/{second.json['id']}", json=good)
    assert ok.json == {"is_valid": True, "errors": []}, ok.json
    wrong = client.simulate_post(f"/api/v1/validate/{second.json['id']}", json=bad).json
    assert wrong["is_valid"] is False
    assert all(error["path"].startswith("/") or error["path"] == "" for error in wrong["errors"])

    for state in ("ACTIVE", "DEPRECATED"):
        assert client.simulate_patch(f"/api/v1/schemas/{second.json['id']}", json={"state": state}).status_code == 200
    assert client.simulate_delete(f"/api/v1/subjects/{subject}").status_code == 200
    assert client.simulate_get(f"/api/v1/schemas/{second.json['id']}").json["state"] == "DELETED"


def test_avro_json_encoding_option(client):
    schema_id = client.simulate_post(
        "/api/v1/schemas", json={"subject": f"enc.{uuid.uuid4().hex[:8]}", "schema": AVRO_V1, "schema_type": "AVRO"}
    ).json["id"]
    bare = {"id": "u1", "age": 3}
    wrapped = {"id": "u1", "age": {"int": 3}}
    assert client.simulate_post(f"/api/v1/validate/{schema_id}", json=bare).json["is_valid"] is True
    assert client.simulate_post(f"/api/v1/validate/{schema_id}", json=wrapped).json["is_valid"] is False
    avro_json = {"encoding": "avro-json"}
    assert client.simulate_post(f"/api/v1/validate/{schema_id}", params=avro_json, json=wrapped).json["is_valid"]
    assert not client.simulate_post(f"/api/v1/validate/{schema_id}", params=avro_json, json=bare).json["is_valid"]
    unknown = client.simulate_post(f"/api/v1/validate/{schema_id}", params={"encoding": "xml"}, json=bare)
    assert unknown.status_code == 422 and unknown.json["field"] == "encoding"


def test_protobuf_message_option(client):
    schema_id = client.simulate_post(
        "/api/v1/schemas",
        json={"subject": f"msg.{uuid.uuid4().hex[:8]}", "schema": PROTO_V1, "schema_type": "PROTOBUF"},
    ).json["id"]
    reply = {"text": "hello"}
    assert client.simulate_post(f"/api/v1/validate/{schema_id}", json=reply).json["is_valid"] is False
    as_reply = client.simulate_post(f"/api/v1/validate/{schema_id}", params={"message": "Reply"}, json=reply)
    assert as_reply.json["is_valid"] is True
    unknown = client.simulate_post(f"/api/v1/validate/{schema_id}", params={"message": "Nope"}, json=reply)
    assert unknown.status_code == 422 and unknown.json["field"] == "message"


@pytest.mark.parametrize(
    ("fmt", "schema"),
    [
        ("AVRO", {"type": "record", "name": "X", "fields": [{"name": "a"}]}),
        ("AVRO", "not json"),
        ("PROTOBUF", 'syntax = "proto3"; message X { strin a = 1; }'),
        ("PROTOBUF", {"not": "text"}),
    ],
)
def test_invalid_schemas_share_one_error_shape(client, fmt, schema):
    response = client.simulate_post(
        "/api/v1/schemas", json={"subject": f"bad.{uuid.uuid4().hex[:8]}", "schema": schema, "schema_type": fmt}
    )
    assert response.status_code == 422, response.json
    assert response.json["code"] in ("INVALID_SCHEMA", "INVALID_REQUEST")
    for problem in response.json.get("problems", []):
        assert set(problem) == {"location", "message"}


def test_a_fixed_larger_than_java_reads_is_refused_by_both_apis(client):
    """Issue 12, item 9: ``"size": 9223372036854775808`` registered, and no Java client could load it."""
    text = '{"type": "fixed", "name": "F", "size": 9223372036854775808}'
    native = client.simulate_post(
        "/api/v1/schemas", json={"subject": f"fixed.{uuid.uuid4().hex[:8]}", "schema": text, "schema_type": "AVRO"}
    )
    assert native.status_code == 422 and native.json["code"] == "INVALID_SCHEMA"
    assert [problem["location"] for problem in native.json["problems"]] == ["/size"]
    assert "2147483639" in native.json["problems"][0]["message"]
    confluent = client.simulate_post(f"/subjects/fixed-{uuid.uuid4().hex[:8]}/versions", json={"schema": text})
    assert confluent.status_code == 422 and confluent.json["error_code"] == 42201
    assert "/size" in confluent.json["message"] and "2147483639" in confluent.json["message"]
