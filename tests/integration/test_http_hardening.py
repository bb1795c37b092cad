"""Headers, CORS and body reading through the whole app (create_app) on real PostgreSQL and
Redis (issue 12, items 5 and 10); the server-side halves are in test_server_hardening.py."""

from __future__ import annotations

from typing import Any

import pytest
from falcon import testing

from registry.app import create_app
from registry.backends import Backends
from registry.config import Settings
from tests.integration.conftest import make_settings, running_backends

SCHEMA = {"type": "object", "properties": {"id": {"type": "string"}}}
ORIGIN = "https://ui.example.com"


def register(client: testing.TestClient, subject: str) -> str:
    created = client.simulate_post("/api/v1/schemas", json={"subject": subject, "schema": SCHEMA})
    assert created.status_code == 201, created.text
    return created.json["id"]


def answer(app: Any, path: str, **kwargs: Any) -> tuple[str, list[tuple[str, str]], bytes]:
    sent: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        sent.update(status=status, headers=headers)

    body = b"".join(app(testing.create_environ(path=path, **kwargs), start_response))
    return sent["status"], sent["headers"], body


@pytest.fixture
def cors_client(database_url, redis_url, redis_key_prefix):
    settings = make_settings(database_url, redis_url, redis_key_prefix, CORS_ALLOWED_ORIGINS=ORIGIN)
    with running_backends(settings) as built:
        yield testing.TestClient(create_app(settings, built))


@pytest.fixture
def metrics_client(database_url, redis_url, redis_key_prefix):
    settings = make_settings(database_url, redis_url, redis_key_prefix, METRICS_ON_API_PORT="true")
    with running_backends(settings) as built:
        yield testing.TestClient(create_app(settings, built))


def test_every_answer_says_nosniff_and_no_store(client, metrics_client, subject):
    schema_id = register(client, subject)
    results = [
        client.simulate_get(f"/api/v1/schemas/{schema_id}"),
        client.simulate_get(f"/api/v1/schemas/{schema_id}"),  # held by now: the cached read
        client.simulate_post("/api/v1/validate/" + schema_id, json={"id": "x"}),
        client.simulate_get("/api/v1/schemas/00000000-0000-4000-8000-000000000000"),
        client.simulate_delete("/api/v1/config"),  # 405
        client.simulate_post("/api/v1/schemas", body=b"{", headers={"Content-Type": "application/json"}),
        client.simulate_get("/subjects/nope/versions"),
        client.simulate_get("/health"),
        client.simulate_get("/healthz"),
        client.simulate_get("/readyz"),
        metrics_client.simulate_get("/metrics"),
    ]
    for result in results:
        assert result.headers["X-Content-Type-Options"] == "nosniff", result.status
        assert result.headers["Cache-Control"] == "no-store", result.status


def test_the_cached_read_answers_with_the_headers_of_falcons_route(settings: Settings, backends: Backends, subject):
    app = create_app(settings, backends)
    schema_id = register(testing.TestClient(app), subject)
    path = f"/api/v1/schemas/{schema_id}"
    through_falcon = answer(app, path, query_string="x=1")  # a query string always goes to Falcon
    cached = answer(app, path)
    cached_again = answer(app, path)

    def without_request_id(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(name.lower(), value) for name, value in headers if name.lower() != "x-request-id"]

    assert cached[0] == through_falcon[0] == "200 OK"
    assert without_request_id(cached[1]) == without_request_id(through_falcon[1]) == without_request_id(cached_again[1])
    assert cached[2] == through_falcon[2]
    assert ("x-content-type-options", "nosniff") in without_request_id(cached[1])


def test_no_cors_headers_unless_origins_are_configured(client, subject):
    schema_id = register(client, subject)
    for result in (
        client.simulate_get(f"/api/v1/schemas/{schema_id}", headers={"Origin": ORIGIN}),
        client.simulate_options("/api/v1/schemas", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}),
    ):
        assert not [name for name in result.headers if name.lower().startswith("access-control-")]


def test_an_allowed_origin_may_read_answers_cached_reads_and_errors_included(cors_client, subject):
    schema_id = register(cors_client, subject)
    path = f"/api/v1/schemas/{schema_id}"
    cors_client.simulate_get(path)  # held from here on
    for result in (
        cors_client.simulate_get(path, headers={"Origin": ORIGIN}),
        cors_client.simulate_get(path, headers={"Origin": ORIGIN}),
        cors_client.simulate_get("/api/v1/schemas/00000000-0000-4000-8000-000000000000", headers={"Origin": ORIGIN}),
        cors_client.simulate_get("/subjects/nope/versions", headers={"Origin": ORIGIN}),
    ):
        assert result.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "X-Request-ID" in result.headers["Access-Control-Expose-Headers"]
        assert "Origin" in result.headers["Vary"]
    assert cors_client.simulate_get(path).headers.get("Access-Control-Allow-Origin") is None


def test_a_preflight_from_an_allowed_origin_is_answered(cors_client):
    result = cors_client.simulate_options(
        "/api/v1/schemas",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-request-id",
        },
    )
    assert result.status_code == 200
    assert result.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in result.headers["Access-Control-Allow-Methods"]
    assert result.headers["Access-Control-Allow-Headers"] == "content-type, x-request-id"
    assert result.headers["Access-Control-Max-Age"] == "86400"


def test_another_origin_gets_no_cors_headers(cors_client, subject):
    schema_id = register(cors_client, subject)
    for result in (
        cors_client.simulate_get(f"/api/v1/schemas/{schema_id}", headers={"Origin": "https://evil.example"}),
        cors_client.simulate_options(
            "/api/v1/schemas", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        ),
    ):
        assert result.headers.get("Access-Control-Allow-Origin") is None


@pytest.mark.parametrize("path", ["/api/v1/schemas", "/subjects/short-value/versions"])
def test_a_body_shorter_than_its_content_length_is_400(client, path):
    environ_body = b'{"subject": "x"}'
    result = client.simulate_post(
        path,
        body=environ_body,
        headers={"Content-Type": "application/json"},
        extras={"CONTENT_LENGTH": str(len(environ_body) + 50)},
    )
    assert result.status_code == 400
    if path.startswith("/subjects"):
        assert result.json["error_code"] == 400
    else:
        assert result.json["code"] == "INCOMPLETE_BODY"
    assert result.headers["Connection"] == "close"
