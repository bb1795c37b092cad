"""Request bodies nested deeper than orjson writes (254 levels) or than a limit allows: a 4xx
naming the limit on both APIs, never a 500, and nothing stored (issue 12, item 4).

orjson reads up to 1,024 levels but writes at most 254, and the registry writes back what it
keeps from a body: the schema (its text, its canonical form) and ``metadata`` (into PostgreSQL,
the shared cache and responses). Documents to validate are never written back."""

from __future__ import annotations

import uuid

import pytest
from falcon import testing

from registry.app import create_app
from registry.backends import Backends
from tests.integration.conftest import make_settings, running_backends

# orjson.dumps refuses a value nested in more than this many arrays and objects.
ORJSON_WRITE_DEPTH = 254


def nested_text(levels: int, key: str = "not", leaf: str = "{}") -> str:
    """``levels`` objects, each holding the next under ``key``, around ``leaf`` (itself a level
    when it is an object or an array)."""
    return f'{{"{key}":' * levels + leaf + "}" * levels


def nested(levels: int, key: str = "not") -> dict[str, object]:
    """An object ``levels`` deep, built without recursion."""
    value: dict[str, object] = {}
    for _ in range(levels - 1):
        value = {key: value}
    return value


def post_json(client: testing.TestClient, path: str, text: str, method: str = "POST") -> testing.Result:
    return client.simulate_request(method, path, body=text.encode(), headers={"Content-Type": "application/json"})


DEEP_SCHEMA = nested_text(ORJSON_WRITE_DEPTH)  # 255 levels with its innermost {}
DEEPER_SCHEMA = nested_text(300)


@pytest.mark.parametrize("schema", [DEEP_SCHEMA, DEEPER_SCHEMA], ids=["255", "301"])
@pytest.mark.parametrize("field", ["schema", "content"], ids=["as-json", "as-text"])
def test_native_registration_of_a_too_deep_schema_names_the_limit(client, subject, schema, field):
    value = schema if field == "schema" else f'"{schema.replace(chr(34), chr(92) + chr(34))}"'
    response = post_json(client, "/api/v1/schemas", f'{{"subject": "{subject}", "{field}": {value}}}')
    assert response.status_code == 422, response.text
    assert response.json["code"] == "SCHEMA_TOO_LARGE"
    assert "nested more than 64 levels" in response.json["error"]
    assert client.simulate_get(f"/api/v1/subjects/{subject}/versions").status_code == 404


def test_native_compatibility_check_of_a_too_deep_schema_names_the_limit(client, subject):
    assert client.simulate_post("/api/v1/schemas", json={"subject": subject, "schema": {}}).status_code == 201
    response = post_json(client, f"/api/v1/subjects/{subject}/compatibility", f'{{"schema": {DEEPER_SCHEMA}}}')
    assert response.status_code == 422, response.text
    assert response.json["code"] == "SCHEMA_TOO_LARGE"
    assert "nested more than 64 levels" in response.json["error"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/subjects/{subject}/versions"),
        ("POST", "/subjects/{subject}"),
        ("POST", "/compatibility/subjects/{subject}/versions/latest"),
    ],
    ids=["register", "lookup", "compatibility"],
)
def test_confluent_schema_requests_with_a_too_deep_schema_name_the_limit(client, subject, method, path):
    assert client.simulate_post(f"/subjects/{subject}/versions", json={"schema": "{}", "schemaType": "JSON"}).json
    text = DEEPER_SCHEMA.replace('"', '\\"')
    response = post_json(client, path.format(subject=subject), f'{{"schemaType": "JSON", "schema": "{text}"}}', method)
    assert response.status_code == 422, response.text
    assert response.json["error_code"] == 42201
    assert "nested more than 64 levels" in response.json["message"]


@pytest.mark.parametrize("levels", [33, ORJSON_WRITE_DEPTH - 1, ORJSON_WRITE_DEPTH + 1, 1000])
def test_registration_with_too_deep_metadata_names_the_limit_and_stores_nothing(client, subject, levels):
    body = f'{{"subject": "{subject}", "schema": {{}}, "metadata": {nested_text(levels - 1, "a")}}}'
    response = post_json(client, "/api/v1/schemas", body)
    assert response.status_code == 422, response.text
    assert response.json["code"] == "INVALID_REQUEST" and response.json["field"] == "metadata"
    assert response.json["max_depth"] == 32 and "nested more than 32 levels" in response.json["error"]
    assert client.simulate_get(f"/api/v1/subjects/{subject}/versions").status_code == 404


@pytest.mark.parametrize("levels", [33, ORJSON_WRITE_DEPTH + 1])
def test_metadata_update_too_deep_names_the_limit_and_changes_nothing(client, subject, levels):
    created = client.simulate_post("/api/v1/schemas", json={"subject": subject, "schema": {}, "metadata": {"k": 1}})
    schema_id = created.json["id"]
    response = post_json(
        client, f"/api/v1/schemas/{schema_id}", f'{{"metadata": {nested_text(levels - 1, "a")}}}', "PATCH"
    )
    assert response.status_code == 422, response.text
    assert response.json["code"] == "INVALID_REQUEST" and response.json["field"] == "metadata"
    assert "nested more than 32 levels" in response.json["error"]
    assert client.simulate_get(f"/api/v1/schemas/{schema_id}").json["metadata"] == {"k": 1}


@pytest.fixture
def client_allowing_deepest_metadata(database_url, redis_url, redis_key_prefix):
    settings = make_settings(database_url, redis_url, redis_key_prefix, METADATA_MAX_DEPTH="200")
    built: Backends
    with running_backends(settings) as built:
        yield testing.TestClient(create_app(settings, built))


def test_metadata_at_the_highest_allowed_limit_is_stored_cached_and_rendered(client_allowing_deepest_metadata):
    client = client_allowing_deepest_metadata
    subject = f"deep.{uuid.uuid4().hex[:12]}"
    deepest = nested(200, "a")
    created = client.simulate_post("/api/v1/schemas", json={"subject": subject, "schema": {}, "metadata": deepest})
    assert created.status_code == 201, created.text
    schema_id = created.json["id"]
    for _ in range(2):  # from the database, then from the caches
        assert client.simulate_get(f"/api/v1/schemas/{schema_id}").json["metadata"] == deepest
    assert client.simulate_get("/api/v1/schemas", params={"subject_prefix": subject}).status_code == 200
    assert client.simulate_get(f"/api/v1/subjects/{subject}/versions/latest").json["metadata"] == deepest
    patched = client.simulate_patch(f"/api/v1/schemas/{schema_id}", json={"metadata": {"b": deepest["a"]}})
    assert patched.status_code == 200 and patched.json["metadata"] == {"b": deepest["a"]}
    assert client.simulate_get(f"/subjects/{subject}/versions/1").status_code == 200
    too_deep = post_json(client, f"/api/v1/schemas/{schema_id}", f'{{"metadata": {nested_text(200, "a")}}}', "PATCH")
    assert too_deep.status_code == 422 and "nested more than 200 levels" in too_deep.json["error"]


def test_confluent_registration_ignores_deep_metadata(client, subject):
    body = f'{{"schemaType": "JSON", "schema": "{{}}", "metadata": {nested_text(ORJSON_WRITE_DEPTH + 1, "a")}}}'
    response = post_json(client, f"/subjects/{subject}/versions", body)
    assert response.status_code == 200, response.text


def test_documents_to_validate_may_nest_as_deep_as_the_json_reader_allows(client, subject):
    """They are validated, never written back: no nesting limit of their own."""
    schema_id = client.simulate_post(
        "/api/v1/schemas", json={"subject": subject, "schema": {"type": "object", "additionalProperties": True}}
    ).json["id"]
    document = nested_text(1000, "a")
    for response in (
        post_json(client, f"/api/v1/validate/{schema_id}", document),
        post_json(client, "/api/v1/validate", f'{{"schema_id": "{schema_id}", "data": {document}}}'),
        post_json(client, f"/api/v1/subjects/{subject}/versions/latest/validate", document),
    ):
        assert response.status_code == 200, response.text
