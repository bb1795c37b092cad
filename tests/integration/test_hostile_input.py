"""Malformed and hostile requests: never a 5xx, always a JSON error body."""

from __future__ import annotations

import json
import uuid

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROUTES = [
    "/api/v1/schemas",
    "/api/v1/validate",
    "/api/v1/compatibility/check",
    "/api/v1/schemas/{id}",
    "/api/v1/validate/{id}",
    "/health",
    "/readyz",
    "/nope",
    "/api/v1/schemas/{id}/x",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
field_names = st.sampled_from(
    [
        "subject",
        "schema",
        "schema_type",
        "namespace",
        "name",
        "content",
        "format",
        "version",
        "version_major",
        "state",
        "compatibility_mode",
        "compatibility_policy",
        "tags",
        "metadata",
        "description",
        "schema_id",
        "compared_schema_id",
        "mode",
        "policy",
        "data",
    ]
)
request_objects = st.dictionaries(field_names, json_values, max_size=8)


def assert_clean_error(response) -> None:  # noqa: ANN001
    assert response.status_code < 500, response.text
    body = orjson.loads(response.content)
    if response.status_code >= 400:
        assert isinstance(body["error"], str) and isinstance(body["code"], str) and body["request_id"]


@pytest.fixture
def known_id(client):
    return client.simulate_post(
        "/api/v1/schemas", json={"subject": f"hostile.{uuid.uuid4().hex[:8]}", "schema": {"type": "object"}}
    ).json["id"]


@pytest.mark.slow  # 300 random bodies through the whole app: 2.5 s to 9 s here
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(ROUTES),
    body=request_objects | json_values,
    method=st.sampled_from(["POST", "GET", "PUT", "PATCH"]),
)
def test_random_bodies(client, known_id, route, body, method):
    path = route.replace("{id}", known_id)
    response = client.simulate_request(
        method, path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    assert_clean_error(response)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.binary(max_size=300),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "",
            "application/x-www-form-urlencoded",
            "application/vnd.api+json",
            "multipart/form-data; boundary=x",
        ]
    ),
)
def test_random_bytes(client, known_id, raw, content_type):
    for path in ("/api/v1/schemas", f"/api/v1/validate/{known_id}", "/api/v1/compatibility/check"):
        headers = {"Content-Type": content_type} if content_type else {}
        assert_clean_error(client.simulate_post(path, body=raw, headers=headers))


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 5000 + b"]" * 5000,  # deeper than the JSON parser allows
        b'{"subject": "a.b", "schema": ' + b'{"items": ' * 200 + b"{}" + b"}" * 200 + b"}",  # schema too deep
        b'{"subject": "a.b", "schema": {"type": "string", "pattern": "(?<!"}}',
        b'{"subject": "a.b", "schema": {"$ref": "http://169.254.169.254/latest/meta-data"}}',
        b'{"subject": "a.b", "schema": {"$ref": "#/$defs/missing"}}',
        b'{"subject": "a.b", "schema": "\\u0000"}',
        b'{"subject": "a.b\\u0000c", "schema": {}}',
        b'{"subject": "a.b", "schema": {}, "metadata": {"k\\u0000": 1}}',
        b'{"subject": "a.b", "schema": {}, "description": "\\u0000"}',
        b'{"subject": "a.b", "schema": {}, "tags": ["\\u0000"]}',
        b'{"subject": "a.b", "content": "{\\"type\\": \\"object\\", \\"description\\": \\"\\u0000\\"}"}',
        b'{"subject": "a.b", "schema": {}, "version_major": 99999999999999999999}',
        b'{"subject": "a.b", "schema": {"minimum": 1e400}}',
        b'{"subject": "\\ud800", "schema": {}}',
        b"\xff\xfe{}",
        b'{"subject": "a.b", "schema": {"type": "object"}, "schema_type": "AVRO"}',
        b'{"subject": "a.b", "schema": {"type": "object"}, "schema_type": "protobuf"}',
    ],
)
def test_specific_hostile_registrations(client, body):
    assert_clean_error(client.simulate_post("/api/v1/schemas", body=body, headers={"Content-Type": "application/json"}))


def test_deep_document_against_a_recursive_schema(client):
    schema = {"$defs": {"node": {"type": "array", "items": {"$ref": "#/$defs/node"}}}, "$ref": "#/$defs/node"}
    schema_id = client.simulate_post(
        "/api/v1/schemas", json={"subject": f"deep.{uuid.uuid4().hex[:8]}", "schema": schema}
    ).json["id"]
    document = b"[" * 1000 + b"]" * 1000
    response = client.simulate_post(
        f"/api/v1/validate/{schema_id}", body=document, headers={"Content-Type": "application/json"}
    )
    assert_clean_error(response)


def test_catastrophic_pattern_does_not_hang(client):
    schema_id = client.simulate_post(
        "/api/v1/schemas",
        json={"subject": f"redos.{uuid.uuid4().hex[:8]}", "schema": {"type": "string", "pattern": "^(a+)+$"}},
    ).json["id"]
    response = client.simulate_post(f"/api/v1/validate/{schema_id}", json="a" * 40 + "!")
    assert response.status_code == 200 and response.json["is_valid"] is False
