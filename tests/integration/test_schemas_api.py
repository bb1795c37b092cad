"""The seed document's API examples and the registration rules, over Falcon's test client
against real PostgreSQL and Redis."""

from __future__ import annotations

import json
import re
import uuid

import orjson
import psycopg2
import pytest

USER_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
    "required": ["id"],
}
# Backward compatible under STRICT: a reader that also accepts null names reads every old document.
NULLABLE_NAME = {**USER_SCHEMA, "properties": {**USER_SCHEMA["properties"], "name": {"type": ["string", "null"]}}}
WITH_EMAIL = {**USER_SCHEMA, "properties": {**USER_SCHEMA["properties"], "email": {"type": "string"}}}
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def register(client, subject, schema=USER_SCHEMA, **extra):  # noqa: ANN001, ANN201
    return client.simulate_post(
        "/api/v1/schemas", json={"subject": subject, "schema": schema, "schema_type": "json", **extra}
    )


def test_register_then_read_back_as_in_the_seed(client, subject):
    created = register(client, subject)
    assert created.status_code == 201
    body = created.json
    assert set(body) == {"id", "version", "created_at", "subject"}
    assert uuid.UUID(body["id"]) and body["version"] == "1.0.0" and ISO_UTC.fullmatch(body["created_at"])

    fetched = client.simulate_get(f"/api/v1/schemas/{body['id']}")
    assert fetched.status_code == 200
    schema = fetched.json
    namespace, name = subject.rsplit(".", 1)
    assert schema["id"] == body["id"]
    assert (schema["namespace"], schema["name"], schema["subject"]) == (namespace, name, subject)
    assert schema["version"] == "1.0.0"
    assert schema["format"] == "JSON"
    assert schema["schema"] == USER_SCHEMA
    assert orjson.loads(schema["content"]) == USER_SCHEMA
    assert schema["state"] == "DRAFT"
    assert schema["compatibility_mode"] == "BACKWARD"
    assert schema["created_at"] == body["created_at"] == schema["updated_at"]
    assert schema["tags"] == [] and schema["metadata"] == {} and schema["description"] is None
    # Stored timestamps: every read is identical.
    assert client.simulate_get(f"/api/v1/schemas/{body['id']}").json == schema


def test_validate_as_in_the_seed(client, subject):
    schema_id = register(client, subject).json["id"]
    ok = client.simulate_post(f"/api/v1/validate/{schema_id}", json={"id": "user123", "name": "John Doe"})
    assert ok.status_code == 200 and ok.json == {"is_valid": True, "errors": []}

    bad = client.simulate_post(f"/api/v1/validate/{schema_id}", json={"name": 5})
    assert bad.status_code == 200
    assert bad.json["is_valid"] is False
    by_keyword = {error["keyword"]: error for error in bad.json["errors"]}
    assert by_keyword["required"]["path"] == "" and "id" in by_keyword["required"]["message"]
    assert by_keyword["type"]["path"] == "/name"
    assert by_keyword["type"]["schema_path"] == "/properties/name/type"


def test_validate_envelope_and_max_errors(client, subject):
    schema = {"type": "array", "items": {"type": "integer"}}
    schema_id = register(client, subject, schema).json["id"]
    envelope = client.simulate_post("/api/v1/validate", json={"schema_id": schema_id, "data": [1, 2, 3]})
    assert envelope.json == {"is_valid": True, "errors": []}
    many = client.simulate_post(f"/api/v1/validate/{schema_id}", params={"max_errors": "2"}, json=["a"] * 10)
    assert many.json["is_valid"] is False and len(many.json["errors"]) == 2


def test_compatibility_check_as_in_the_seed(client, subject):
    old_id = register(client, subject).json["id"]
    new_id = register(client, subject, NULLABLE_NAME).json["id"]
    verdict = client.simulate_post(
        "/api/v1/compatibility/check",
        json={"schema_id": new_id, "compared_schema_id": old_id, "mode": "BACKWARD"},
    )
    assert verdict.status_code == 200
    assert verdict.json["is_compatible"] is True and verdict.json["mode"] == "BACKWARD"
    assert verdict.json["violations"] == []


def test_compatibility_check_reports_violations(client, subject):
    old_id = register(client, subject, compatibility_mode="NONE").json["id"]
    required_name = {**USER_SCHEMA, "required": ["id", "name"]}
    new_id = register(client, subject, required_name).json["id"]
    verdict = client.simulate_post(
        "/api/v1/compatibility/check",
        json={"schema_id": new_id, "compared_schema_id": old_id, "mode": "BACKWARD"},
    ).json
    assert verdict["is_compatible"] is False
    assert {violation["type"] for violation in verdict["violations"]} == {"REQUIRED_ATTRIBUTE_ADDED"}
    forward = client.simulate_post(
        "/api/v1/compatibility/check",
        json={"schema_id": new_id, "compared_schema_id": old_id, "mode": "FORWARD"},
    ).json
    assert forward["is_compatible"] is True


def test_health_reports_components(client):
    health = client.simulate_get("/health")
    assert health.status_code == 200
    assert health.json == {
        "status": "healthy",
        "components": {
            "database": {"status": "up", "message": None},
            "redis": {"status": "up", "message": None},
        },
    }
    assert client.simulate_get("/healthz").status_code == 200
    assert client.simulate_get("/readyz").json == {"status": "ready", "reason": None}


def test_request_id_is_echoed_or_made(client):
    assert client.simulate_get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert len(client.simulate_get("/healthz").headers["X-Request-ID"]) == 32


class TestVersioning:
    def test_identical_content_returns_the_existing_version(self, client, subject):
        first = register(client, subject)
        reordered = {
            "required": ["id"],
            "properties": {"name": {"type": "string"}, "id": {"type": "string"}},
            "type": "object",
        }
        again = register(client, subject, reordered)
        assert again.status_code == 200 and again.json["id"] == first.json["id"]

    def test_same_schema_under_another_subject_is_new(self, client, subject):
        first = register(client, subject)
        other = register(client, subject + "2")
        assert other.status_code == 201 and other.json["id"] != first.json["id"]

    def test_annotation_change_is_a_patch(self, client, subject):
        register(client, subject)
        described = {**USER_SCHEMA, "description": "a user", "title": "User"}
        assert register(client, subject, described).json["version"] == "1.0.1"

    def test_backward_compatible_change_is_a_minor(self, client, subject):
        register(client, subject)
        assert register(client, subject, NULLABLE_NAME).json["version"] == "1.1.0"

    def test_adding_a_property_to_an_open_model_depends_on_the_policy(self, client, subject):
        # Confluent's STRICT rule: an open model may already have carried "email" with any value.
        register(client, subject)
        refused = register(client, subject, WITH_EMAIL)
        assert refused.status_code == 409
        assert refused.json["violations"][0]["type"] == "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
        assert refused.json["violations"][0]["path"] == "/properties/email"
        lenient = subject + "-lenient"
        register(client, lenient, compatibility_policy="LENIENT")
        accepted = register(client, lenient, WITH_EMAIL)
        assert accepted.status_code == 201 and accepted.json["version"] == "1.1.0"

    def test_breaking_change_is_a_major_when_the_mode_allows(self, client, subject):
        register(client, subject, compatibility_mode="NONE")
        narrowed = {**USER_SCHEMA, "required": ["id", "name"]}
        created = register(client, subject, narrowed)
        assert created.status_code == 201 and created.json["version"] == "2.0.0"
        assert client.simulate_get(f"/api/v1/schemas/{created.json['id']}").json["compatibility_mode"] == "NONE"

    def test_breaking_change_is_refused_under_backward(self, client, subject):
        register(client, subject)
        narrowed = {**USER_SCHEMA, "required": ["id", "name"]}
        refused = register(client, subject, narrowed)
        assert refused.status_code == 409
        assert refused.json["code"] == "INCOMPATIBLE_SCHEMA"
        assert refused.json["violations"][0]["type"] == "REQUIRED_ATTRIBUTE_ADDED"
        assert refused.json["violations"][0]["version"] == "1.0.0"

    def test_explicit_version_must_be_higher(self, client, subject):
        first = client.simulate_post(
            "/api/v1/schemas",
            json={
                "namespace": subject.rsplit(".", 1)[0],
                "name": subject.rsplit(".", 1)[1],
                "format": "JSON",
                "content": orjson.dumps(USER_SCHEMA).decode(),
                "version_major": 2,
                "version_minor": 1,
                "version_patch": 0,
            },
        )
        assert first.status_code == 201 and first.json["version"] == "2.1.0"
        assert first.json["subject"] == subject
        lower = register(client, subject, NULLABLE_NAME, version="2.0.5")
        assert lower.status_code == 409 and lower.json["code"] == "VERSION_CONFLICT"
        same_content_same_version = register(client, subject, version="2.1.0")
        assert same_content_same_version.status_code == 200
        assert same_content_same_version.json["id"] == first.json["id"]

    def test_mode_of_a_later_registration_must_match(self, client, subject):
        register(client, subject, compatibility_mode="NONE")
        refused = register(client, subject, NULLABLE_NAME, compatibility_mode="FULL")
        assert refused.status_code == 409 and refused.json["code"] == "COMPATIBILITY_MODE_CONFLICT"
        assert refused.json["config_endpoint"].endswith("/config")
        accepted = register(client, subject, NULLABLE_NAME, compatibility_mode="none")
        assert accepted.status_code == 201

    def test_state_at_registration(self, client, subject):
        active = register(client, subject, state="ACTIVE")
        assert client.simulate_get(f"/api/v1/schemas/{active.json['id']}").json["state"] == "ACTIVE"
        refused = register(client, subject + "x", state="DEPRECATED")
        assert refused.status_code == 422 and refused.json["field"] == "state"

    def test_failed_registration_leaves_nothing(self, client, subject, database_url):
        register(client, subject + "-invalid", {"type": "no-such-type"})
        register(client, subject)
        register(client, subject, {**USER_SCHEMA, "required": ["id", "name"]})  # refused: incompatible
        with psycopg2.connect(database_url) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM subjects WHERE name = %s", (subject + "-invalid",))
            assert cursor.fetchone()[0] == 0
            cursor.execute(
                "SELECT count(*) FROM schema_versions v JOIN subjects s ON s.id = v.subject_id WHERE s.name = %s",
                (subject,),
            )
            assert cursor.fetchone()[0] == 1


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "status", "code", "field"),
        [
            ({"schema": USER_SCHEMA}, 422, "INVALID_REQUEST", "subject"),
            ({"subject": "a.b"}, 422, "INVALID_REQUEST", "schema"),
            ({"subject": 5, "schema": USER_SCHEMA}, 422, "INVALID_REQUEST", "subject"),
            ({"subject": "", "schema": USER_SCHEMA}, 422, "INVALID_REQUEST", "subject"),
            ({"subject": "x" * 256, "schema": USER_SCHEMA}, 422, "INVALID_REQUEST", "subject"),
            ({"subject": "a\nb", "schema": USER_SCHEMA}, 422, "INVALID_REQUEST", "subject"),
            ({"subject": "a.b", "schema": USER_SCHEMA, "schema_type": "xml"}, 422, "INVALID_REQUEST", "schema_type"),
            (
                {"subject": "a.b", "schema": USER_SCHEMA, "compatibility_mode": "SIDEWAYS"},
                422,
                "INVALID_REQUEST",
                "compatibility_mode",
            ),
            (
                {"subject": "a.b", "schema": USER_SCHEMA, "compatibility_policy": "LAX"},
                422,
                "INVALID_REQUEST",
                "compatibility_policy",
            ),
            ({"subject": "a.b", "schema": USER_SCHEMA, "tags": "x"}, 422, "INVALID_REQUEST", "tags"),
            ({"subject": "a.b", "schema": USER_SCHEMA, "metadata": []}, 422, "INVALID_REQUEST", "metadata"),
            ({"subject": "a.b", "schema": USER_SCHEMA, "version": "one"}, 422, "INVALID_REQUEST", "version"),
            ({"subject": "a.b", "schema": USER_SCHEMA, "version_major": "1"}, 422, "INVALID_REQUEST", "version_major"),
            ({"subject": "a.b", "schema": 12}, 422, "INVALID_REQUEST", "schema"),
            ({"subject": "a.b", "schema": "{not json"}, 422, "INVALID_SCHEMA", None),
            ({"subject": "a.b", "schema": {"type": 12}}, 422, "INVALID_SCHEMA", None),
        ],
    )
    def test_registration_field_errors(self, client, body, status, code, field):
        response = client.simulate_post("/api/v1/schemas", json=body)
        assert response.status_code == status
        assert response.json["code"] == code
        assert response.json.get("field") == field
        assert response.json["error"] and response.json["request_id"]

    def test_invalid_schema_names_the_pointer(self, client, subject):
        response = register(client, subject, {"type": "object", "properties": {"age": {"minimum": "zero"}}})
        assert response.status_code == 422
        assert response.json["problems"][0]["location"] == "/properties/age/minimum"

    def test_malformed_json_is_400(self, client):
        response = client.simulate_post(
            "/api/v1/schemas", body=b'{"subject": ', headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400 and response.json["code"] == "INVALID_JSON"

    def test_wrong_content_type_is_415(self, client):
        response = client.simulate_post("/api/v1/schemas", body=b"subject=x", headers={"Content-Type": "text/plain"})
        assert response.status_code == 415 and response.json["code"] == "UNSUPPORTED_MEDIA_TYPE"

    def test_body_over_the_limit_is_413(self, client):
        response = client.simulate_post(
            "/api/v1/schemas", body=b"[" + b"1," * 600_000 + b"1]", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413 and response.json["code"] == "PAYLOAD_TOO_LARGE"

    # A fixed unknown UUID: a random one would name the test differently in each xdist worker.
    @pytest.mark.parametrize("schema_id", ["not-a-uuid", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", "%00", "1' OR '1'='1"])
    def test_unknown_or_malformed_ids_are_404(self, client, schema_id):
        for response in (
            client.simulate_get(f"/api/v1/schemas/{schema_id}"),
            client.simulate_post(f"/api/v1/validate/{schema_id}", json={}),
        ):
            assert response.status_code == 404 and response.json["code"] == "SCHEMA_NOT_FOUND"

    def test_unknown_route_and_method(self, client):
        missing = client.simulate_get("/api/v1/nothing-here")
        assert missing.status_code == 404 and missing.json["code"] == "NOT_FOUND" and missing.json["request_id"]
        wrong = client.simulate_delete("/api/v1/compatibility/check")
        assert wrong.status_code == 405 and wrong.json["code"] == "METHOD_NOT_ALLOWED"

    def test_compatibility_check_errors(self, client, subject):
        schema_id = register(client, subject).json["id"]
        bad_mode = client.simulate_post(
            "/api/v1/compatibility/check",
            json={"schema_id": schema_id, "compared_schema_id": schema_id, "mode": "UPWARD"},
        )
        assert bad_mode.status_code == 422 and bad_mode.json["field"] == "mode"
        missing = client.simulate_post("/api/v1/compatibility/check", json={"schema_id": schema_id})
        assert missing.status_code == 422 and missing.json["field"] == "compared_schema_id"
        unknown = client.simulate_post(
            "/api/v1/compatibility/check", json={"schema_id": schema_id, "compared_schema_id": str(uuid.uuid4())}
        )
        assert unknown.status_code == 404

    def test_validate_max_errors_must_be_sane(self, client, subject):
        schema_id = register(client, subject).json["id"]
        response = client.simulate_post(f"/api/v1/validate/{schema_id}", params={"max_errors": "0"}, json={})
        assert response.status_code == 422 and response.json["field"] == "max_errors"


@pytest.mark.parametrize("number", [10**30, -(10**25), 1.5e300])
def test_metadata_numbers_beyond_64_bits_read_back(client, subject, number):
    """JSON bodies carry such numbers as doubles; PostgreSQL keeps them as exact numerics,
    which must come back as the same doubles, not as integers no JSON writer here accepts."""
    created = register(client, subject, metadata={"registered": number})
    assert created.status_code == 201
    schema_id = created.json["id"]
    changed = client.simulate_request(
        "PATCH",
        f"/api/v1/schemas/{schema_id}",
        body=json.dumps({"metadata": {"patched": number}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert changed.status_code == 200, changed.text
    fetched = client.simulate_get(f"/api/v1/schemas/{schema_id}")
    assert fetched.status_code == 200, fetched.text
    assert fetched.json["metadata"] == {"patched": float(number)}
